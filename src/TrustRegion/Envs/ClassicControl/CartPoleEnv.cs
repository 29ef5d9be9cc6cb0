using TrustRegion.Numerics;

namespace TrustRegion.Envs.ClassicControl;

/// <summary>
/// CartPole-v1 (Barto, Sutton and Anderson, 1983), identical to Gymnasium 1.0.0's <c>CartPoleEnv</c> bit for bit:
/// a pole hinged on a cart that moves along a frictionless track; push the cart left or right to keep the pole upright.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Observation</term><description><c>Box(float32, 4)</c>: cart position x, cart velocity ẋ, pole angle θ (rad,
/// 0 = upright), pole angular velocity θ̇, each the float32 rounding of the double state. Bounds ±(4.8, ∞, 2·12°, ∞).</description></item>
/// <item><term>Action</term><description><c>Discrete(2)</c>: 0 pushes the cart left, 1 right, with a force of 10 N.</description></item>
/// <item><term>Reward</term><description>+1 for every step, including the one that ends the episode; 0 for steps taken after
/// the episode has terminated (Gymnasium warns there; this environment allows it, as Gymnasium does).</description></item>
/// <item><term>Start state</term><description>each of the four components uniform in [−0.05, 0.05) (see <see cref="ResetLow"/>, <see cref="ResetHigh"/>).</description></item>
/// <item><term>Termination</term><description>|x| &gt; 2.4 or |θ| &gt; 12·2π/360 (strict comparisons on the double state).</description></item>
/// <item><term>Truncation</term><description>none in the environment; the registry wraps it in a 500-step <see cref="Wrappers.TimeLimit"/>.</description></item>
/// </list>
/// <para>Dynamics: explicit Euler with τ = 0.02 s on the equations of Florian (2007), in Gymnasium's evaluation order.
/// Internal state (<see cref="IEnvState"/>): <c>(x, x_dot, theta, theta_dot)</c> as doubles, never rounded.</para>
/// </remarks>
public sealed class CartPoleEnv : IEnv, IEnvState, IValidatesActions, ISnapshotable
{
    /// <summary>The registry id.</summary>
    public const string Id = "CartPole-v1";

    private const double Gravity = 9.8;
    private const double MassPole = 0.1;
    private const double TotalMass = 0.1 + 1.0;             // masspole + masscart, the double 1.1
    private const double Length = 0.5;                      // half the pole's length
    private const double PoleMassLength = 0.1 * 0.5;        // the double 0.05
    private const double ForceMag = 10.0;
    private const double Tau = 0.02;
    private const double FourThirds = 4.0 / 3.0;
    private const double XThreshold = 2.4;

    /// <summary>Pole angle limit <c>12·2·π/360</c> (the double π/15 = 0.20943951023931953), as Gymnasium forms it.</summary>
    public const double ThetaThresholdRadians = 12 * 2 * Math.PI / 360;

    private static readonly string[] s_stateNames = ["x", "x_dot", "theta", "theta_dot"];

    private Rng _rng;
    private double _x, _xDot, _theta, _thetaDot;
    private int _stepsBeyondTerminated = -1; // -1: Gymnasium's "None"
    private bool _ready;
    private double _resetLow = -0.05, _resetHigh = 0.05;

    /// <summary>Creates the environment; its generator starts from <paramref name="seed"/> until a reset passes another seed.</summary>
    public CartPoleEnv(ulong seed = 0)
    {
        _rng = new Rng(seed);
        double[] high = [(float)(XThreshold * 2), double.PositiveInfinity, (float)(ThetaThresholdRadians * 2), double.PositiveInfinity];
        double[] low = [-high[0], double.NegativeInfinity, -high[2], double.NegativeInfinity];
        ObservationSpace = new Box(low, high);
        ActionSpace = new Discrete(2);
    }

    /// <inheritdoc/>
    public Space ObservationSpace { get; }

    /// <inheritdoc/>
    public Space ActionSpace { get; }

    /// <inheritdoc/>
    public IReadOnlyList<string> StateNames => s_stateNames;

    /// <summary>Lower bound of the uniform start distribution of every component (Gymnasium's <c>options["low"]</c>); default −0.05.</summary>
    public double ResetLow => _resetLow;

    /// <summary>Upper bound of the uniform start distribution of every component (Gymnasium's <c>options["high"]</c>); default 0.05.</summary>
    public double ResetHigh => _resetHigh;

    /// <summary>Sets the start distribution used by later resets.</summary>
    /// <exception cref="ArgumentException">A bound is not finite or low exceeds high.</exception>
    public void SetResetBounds(double low, double high)
    {
        ClassicGuard.Bounds(Id, low, high, "x, x_dot, theta, theta_dot");
        (_resetLow, _resetHigh) = (low, high);
    }

    /// <inheritdoc/>
    public void Reset(ulong? seed, Span<double> observation)
    {
        EnvGuard.ObservationBuffer(Id, ObservationSpace, observation);
        if (seed.HasValue)
        {
            _rng = new Rng(seed.Value);
        }
        _x = _rng.NextDouble(_resetLow, _resetHigh);
        _xDot = _rng.NextDouble(_resetLow, _resetHigh);
        _theta = _rng.NextDouble(_resetLow, _resetHigh);
        _thetaDot = _rng.NextDouble(_resetLow, _resetHigh);
        _stepsBeyondTerminated = -1;
        _ready = true;
        WriteObservation(observation);
    }

    /// <inheritdoc/>
    public StepResult Step(ReadOnlySpan<double> action, Span<double> observation)
    {
        int a = EnvGuard.DiscreteAction(Id, (Discrete)ActionSpace, action);
        EnvGuard.ObservationBuffer(Id, ObservationSpace, observation);
        if (!_ready)
        {
            EnvGuard.ThrowNotReset(Id);
        }

        double x = _x, xDot = _xDot, theta = _theta, thetaDot = _thetaDot;
        double force = a == 1 ? ForceMag : -ForceMag;
        double cosTheta = Math.Cos(theta);
        double sinTheta = Math.Sin(theta);
        // Gymnasium's order; the squares are numpy.square, i.e. exact products.
        double temp = (force + ((PoleMassLength * (thetaDot * thetaDot)) * sinTheta)) / TotalMass;
        double thetaAcc = ((Gravity * sinTheta) - (cosTheta * temp))
            / (Length * (FourThirds - ((MassPole * (cosTheta * cosTheta)) / TotalMass)));
        double xAcc = temp - (((PoleMassLength * thetaAcc) * cosTheta) / TotalMass);

        // Explicit Euler: every right-hand side uses the values from before the step.
        _x = x + (Tau * xDot);
        _xDot = xDot + (Tau * xAcc);
        _theta = theta + (Tau * thetaDot);
        _thetaDot = thetaDot + (Tau * thetaAcc);

        bool terminated = _x < -XThreshold || _x > XThreshold || _theta < -ThetaThresholdRadians || _theta > ThetaThresholdRadians;
        double reward;
        if (!terminated)
        {
            reward = 1.0;
        }
        else if (_stepsBeyondTerminated < 0)
        {
            reward = 1.0;
            _stepsBeyondTerminated = 0;
        }
        else
        {
            reward = 0.0;
            _stepsBeyondTerminated++;
        }
        WriteObservation(observation);
        return new StepResult(reward, terminated, false);
    }

    /// <inheritdoc/>
    public void GetState(Span<double> destination)
    {
        ClassicGuard.StateLength(Id, destination.Length, 4, nameof(destination));
        destination[0] = _x;
        destination[1] = _xDot;
        destination[2] = _theta;
        destination[3] = _thetaDot;
    }

    /// <inheritdoc/>
    public void SetState(ReadOnlySpan<double> state)
    {
        ClassicGuard.StateLength(Id, state.Length, 4, nameof(state));
        ClassicGuard.StateValues(Id, state);
        (_x, _xDot, _theta, _thetaDot) = (state[0], state[1], state[2], state[3]);
        _stepsBeyondTerminated = -1;
        _ready = true;
    }

    /// <inheritdoc/>
    public void GetObservation(Span<double> observation)
    {
        EnvGuard.ObservationBuffer(Id, ObservationSpace, observation);
        WriteObservation(observation);
    }

    /// <inheritdoc/>
    /// <remarks>Block tagged with <see cref="Id"/>, version 1: the generator state, the exact double state (x, xDot, theta, thetaDot, resetLow, resetHigh), the post-termination step counter and whether a reset happened.</remarks>
    public void SaveSnapshot(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        SnapshotBlock.WriteHeader(writer, Id, 1);
        SnapshotBlock.WriteRng(writer, _rng);
        writer.Write(_x);
        writer.Write(_xDot);
        writer.Write(_theta);
        writer.Write(_thetaDot);
        writer.Write(_resetLow);
        writer.Write(_resetHigh);
        writer.Write(_stepsBeyondTerminated);
        writer.Write(_ready);
    }

    /// <inheritdoc/>
    public void LoadSnapshot(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        SnapshotBlock.ReadHeader(reader, Id, 1);
        try
        {
            RngState rng = SnapshotBlock.ReadRng(reader);
            double x = reader.ReadDouble();
            double xDot = reader.ReadDouble();
            double theta = reader.ReadDouble();
            double thetaDot = reader.ReadDouble();
            double resetLow = reader.ReadDouble();
            double resetHigh = reader.ReadDouble();
            int stepsBeyondTerminated = reader.ReadInt32();
            bool ready = reader.ReadBoolean();
            _rng.SetState(rng);
            (_x, _xDot, _theta, _thetaDot, _resetLow, _resetHigh) = (x, xDot, theta, thetaDot, resetLow, resetHigh);
            _stepsBeyondTerminated = stepsBeyondTerminated;
            _ready = ready;
        }
        catch (EndOfStreamException ex)
        {
            throw SnapshotBlock.Truncated(Id, ex);
        }
    }

    /// <summary>Releases nothing; present for <see cref="IDisposable"/>.</summary>
    public void Dispose()
    {
    }

    private void WriteObservation(Span<double> observation)
    {
        observation[0] = (float)_x;
        observation[1] = (float)_xDot;
        observation[2] = (float)_theta;
        observation[3] = (float)_thetaDot;
    }
}
