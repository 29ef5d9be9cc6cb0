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
public sealed class CartPoleEnv : ClassicControlEnv
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

    private int _stepsBeyondTerminated = -1; // -1: Gymnasium's "None"

    private readonly bool _suttonBartoReward;

    /// <summary>Creates the environment; its generator starts from <paramref name="seed"/> until a reset passes another seed.</summary>
    /// <param name="seed">The generator's seed until a reset passes another.</param>
    /// <param name="suttonBartoReward">Gymnasium's <c>sutton_barto_reward</c> (default false): 0 per step and −1 on the terminating
    /// step and after it, instead of +1 per step.</param>
    public CartPoleEnv(ulong seed = 0, bool suttonBartoReward = false)
        : base(Id, seed, CreateObservationSpace(), new Discrete(2), s_stateNames, -0.05, 0.05) => _suttonBartoReward = suttonBartoReward;

    /// <summary>Whether the Sutton–Barto reward (0 per step, −1 at and after the fall) replaces +1 per step.</summary>
    public bool SuttonBartoReward => _suttonBartoReward;

    /// <summary>Lower bound of the uniform start distribution of every component (Gymnasium's <c>options["low"]</c>); default −0.05.</summary>
    public double ResetLow => StartParameter0;

    /// <summary>Upper bound of the uniform start distribution of every component (Gymnasium's <c>options["high"]</c>); default 0.05.</summary>
    public double ResetHigh => StartParameter1;

    /// <summary>Sets the start distribution used by later resets.</summary>
    /// <exception cref="ArgumentException">A bound is not finite or low exceeds high.</exception>
    public void SetResetBounds(double low, double high) => SetStartRange(low, high, "x, x_dot, theta, theta_dot");

    /// <inheritdoc/>
    public override StepResult Step(ReadOnlySpan<double> action, Span<double> observation)
    {
        int a = BeginDiscreteStep(action, observation);

        double x = State[0], xDot = State[1], theta = State[2], thetaDot = State[3];
        double force = a == 1 ? ForceMag : -ForceMag;
        double cosTheta = Math.Cos(theta);
        double sinTheta = Math.Sin(theta);
        // Gymnasium's order; the squares are numpy.square, i.e. exact products.
        double temp = (force + ((PoleMassLength * (thetaDot * thetaDot)) * sinTheta)) / TotalMass;
        double thetaAcc = ((Gravity * sinTheta) - (cosTheta * temp))
            / (Length * (FourThirds - ((MassPole * (cosTheta * cosTheta)) / TotalMass)));
        double xAcc = temp - (((PoleMassLength * thetaAcc) * cosTheta) / TotalMass);

        // Explicit Euler: every right-hand side uses the values from before the step.
        double newX = x + (Tau * xDot);
        double newTheta = theta + (Tau * thetaDot);
        State[0] = newX;
        State[1] = xDot + (Tau * xAcc);
        State[2] = newTheta;
        State[3] = thetaDot + (Tau * thetaAcc);

        bool terminated = newX < -XThreshold || newX > XThreshold || newTheta < -ThetaThresholdRadians || newTheta > ThetaThresholdRadians;
        double reward;
        if (!terminated)
        {
            reward = _suttonBartoReward ? 0.0 : 1.0;
        }
        else if (_stepsBeyondTerminated < 0)
        {
            reward = _suttonBartoReward ? -1.0 : 1.0;
            _stepsBeyondTerminated = 0;
        }
        else
        {
            reward = _suttonBartoReward ? -1.0 : 0.0;
            _stepsBeyondTerminated++;
        }
        WriteObservation(observation);
        return new StepResult(reward, terminated, false);
    }

    /// <summary>The post-termination step counter (Gymnasium's <c>steps_beyond_terminated</c>, −1 for its None).</summary>
    private protected override bool HasEpisodeCounter => true;

    private protected override int EpisodeCounter
    {
        get => _stepsBeyondTerminated;
        set => _stepsBeyondTerminated = value;
    }

    private protected override void ClearEpisodeCounters() => _stepsBeyondTerminated = -1;

    private protected override void SampleStart(Rng rng, double start0, double start1)
    {
        for (int i = 0; i < 4; i++)
        {
            State[i] = rng.NextDouble(start0, start1);
        }
    }

    private static Box CreateObservationSpace()
    {
        double[] high = [(float)(XThreshold * 2), double.PositiveInfinity, (float)(ThetaThresholdRadians * 2), double.PositiveInfinity];
        double[] low = [-high[0], double.NegativeInfinity, -high[2], double.NegativeInfinity];
        return new Box(low, high);
    }
}
