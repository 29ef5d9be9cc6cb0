using TrustRegion.Numerics;

namespace TrustRegion.Envs.ClassicControl;

/// <summary>
/// Pendulum-v1, identical to Gymnasium 1.0.0's <c>PendulumEnv</c> (g = 10) bit for bit: swing a frictionless pendulum up
/// and hold it upright with a limited torque.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Observation</term><description><c>Box(float32, 3)</c>: cos θ, sin θ (computed in double, rounded to float32) and
/// the angular velocity θ̇; θ = 0 is upright, counter-clockwise positive. Bounds ±(1, 1, 8).</description></item>
/// <item><term>Action</term><description><c>Box(float32, 1)</c> in [−2, 2]: the torque, rounded to float32 on arrival; finite
/// values outside the bounds are clipped (as Gymnasium).</description></item>
/// <item><term>Reward</term><description><c>−(θn² + 0.1·θ̇² + 0.001·u²)</c> on the state before the step, with θn the angle
/// normalised into [−π, π) and u the clipped torque; between about −16.27 and 0.</description></item>
/// <item><term>Start state</term><description>θ uniform in [−π, π), θ̇ uniform in [−1, 1) (see <see cref="ResetMaxAngle"/>, <see cref="ResetMaxSpeed"/>).</description></item>
/// <item><term>Termination</term><description>never.</description></item>
/// <item><term>Truncation</term><description>none in the environment; the registry wraps it in a 200-step <see cref="Wrappers.TimeLimit"/>.</description></item>
/// </list>
/// <para>Dynamics: <c>θ̇ ← clip(θ̇ + (15·sin θ + 3u)·0.05, ±8)</c>, then <c>θ ← θ + θ̇·0.05</c> with the clipped velocity.
/// Internal state (<see cref="IEnvState"/>): <c>(theta, theta_dot)</c> as doubles; θ is never wrapped and grows without bound
/// when the pendulum spins.</para>
/// </remarks>
public sealed class PendulumEnv : ClassicControlEnv
{
    /// <summary>The registry id.</summary>
    public const string Id = "Pendulum-v1";

    private const double MaxSpeed = 8.0;
    private const double MaxTorque = 2.0;
    private const double Dt = 0.05;
    private const double TorqueTerm = 3.0;    // 3 / (m l²) with m = 1, l = 1

    private static readonly string[] s_stateNames = ["theta", "theta_dot"];

    private readonly double _gravityTerm; // 3g / (2l) with l = 1: 15 exactly for the default g = 10

    /// <summary>Creates the environment; its generator starts from <paramref name="seed"/> until a reset passes another seed.</summary>
    /// <param name="seed">The generator's seed until a reset passes another.</param>
    /// <param name="g">Gymnasium's <c>g</c>, the gravitational acceleration (default 10); finite.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="g"/> is not finite.</exception>
    public PendulumEnv(ulong seed = 0, double g = 10.0)
        : base(Id, seed, new Box([-1.0, -1.0, -MaxSpeed], [1.0, 1.0, MaxSpeed]), new Box([-MaxTorque], [MaxTorque]), s_stateNames, Math.PI, 1.0)
    {
        if (!double.IsFinite(g))
        {
            throw new ArgumentOutOfRangeException(nameof(g), g, "g must be finite.");
        }
        Gravity = g;
        _gravityTerm = (3 * g) / (2 * 1.0);
    }

    /// <summary>The gravitational acceleration g.</summary>
    public double Gravity { get; }

    /// <summary>Start angles are uniform in ±this (Gymnasium's <c>options["x_init"]</c>); default π.</summary>
    public double ResetMaxAngle => StartParameter0;

    /// <summary>Start velocities are uniform in ±this (Gymnasium's <c>options["y_init"]</c>); default 1.</summary>
    public double ResetMaxSpeed => StartParameter1;

    /// <summary>Sets the start distribution used by later resets.</summary>
    /// <exception cref="ArgumentException">A bound is negative or not finite.</exception>
    public void SetResetBounds(double maxAngle, double maxSpeed)
    {
        ClassicGuard.Bounds(Id, -maxAngle, maxAngle, "theta");
        ClassicGuard.Bounds(Id, -maxSpeed, maxSpeed, "theta_dot");
        SetStartParameters(maxAngle, maxSpeed);
    }

    /// <inheritdoc/>
    public override StepResult Step(ReadOnlySpan<double> action, Span<double> observation)
    {
        float a = BeginFloat32Step(action, observation);
        double theta = State[0], thetaDot = State[1];
        double u = Math.Min(Math.Max(a, -MaxTorque), MaxTorque); // exact: the bounds are float32 values
        double normalized = PyMod(theta + Math.PI, 2 * Math.PI) - Math.PI;
        // numpy's ** is the C library pow, which is not always the exact product.
        double cost = (Math.Pow(normalized, 2.0) + (0.1 * Math.Pow(thetaDot, 2.0))) + (0.001 * Math.Pow(u, 2.0));
        double newThetaDot = thetaDot + (((_gravityTerm * Math.Sin(theta)) + (TorqueTerm * u)) * Dt);
        newThetaDot = Math.Min(Math.Max(newThetaDot, -MaxSpeed), MaxSpeed);
        State[0] = theta + (newThetaDot * Dt);
        State[1] = newThetaDot;
        WriteObservation(observation);
        return new StepResult(-cost, false, false);
    }

    /// <summary>Python's float modulo for b &gt; 0: the result has the sign of b; an exact zero is +0.</summary>
    private static double PyMod(double a, double b)
    {
        double r = a % b; // C fmod, exact
        if (r != 0)
        {
            if (r < 0)
            {
                r += b;
            }
            return r;
        }
        return 0.0;
    }

    private protected override void SampleStart(Rng rng, double start0, double start1)
    {
        State[0] = rng.NextDouble(-start0, start0);
        State[1] = rng.NextDouble(-start1, start1);
    }

    private protected override void WriteObservation(Span<double> observation)
    {
        observation[2] = (float)State[1];
        observation[0] = (float)Math.Cos(State[0]);
        observation[1] = (float)Math.Sin(State[0]);
    }
}
