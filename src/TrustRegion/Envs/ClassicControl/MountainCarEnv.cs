using TrustRegion.Numerics;

namespace TrustRegion.Envs.ClassicControl;

/// <summary>
/// MountainCar-v0 (Moore, 1990), identical to Gymnasium 1.0.0's <c>MountainCarEnv</c> bit for bit: an under-powered car in a
/// valley must rock back and forth to reach the flag on the right hill.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Observation</term><description><c>Box(float32, 2)</c>: position in [−1.2, 0.6] and velocity in [−0.07, 0.07],
/// the float32 rounding of the double state.</description></item>
/// <item><term>Action</term><description><c>Discrete(3)</c>: 0 accelerate left, 1 do nothing, 2 accelerate right (force 0.001).</description></item>
/// <item><term>Reward</term><description>−1 on every step, including the one reaching the goal.</description></item>
/// <item><term>Start state</term><description>position uniform in [−0.6, −0.4) (see <see cref="ResetLow"/>), velocity 0.</description></item>
/// <item><term>Termination</term><description>position ≥ 0.5 and velocity ≥ 0.</description></item>
/// <item><term>Truncation</term><description>none in the environment; the registry wraps it in a 200-step <see cref="Wrappers.TimeLimit"/>.</description></item>
/// </list>
/// <para>Dynamics: <c>v ← clip(v + ((a − 1)·0.001 + cos(3p)·(−0.0025)), ±0.07)</c>, then <c>p ← clip(p + v, −1.2, 0.6)</c>; at the
/// left wall a negative velocity becomes 0 (inelastic), the right edge only clips the position. Internal state
/// (<see cref="IEnvState"/>): <c>(position, velocity)</c> as doubles, never rounded.</para>
/// </remarks>
public sealed class MountainCarEnv : ClassicControlEnv
{
    /// <summary>The registry id.</summary>
    public const string Id = "MountainCar-v0";

    private const double MinPosition = -1.2;
    private const double MaxPosition = 0.6;
    private const double MaxSpeed = 0.07;
    private const double GoalPosition = 0.5;
    private const double Force = 0.001;
    private const double Gravity = 0.0025;

    private static readonly string[] s_stateNames = ["position", "velocity"];

    /// <summary>Creates the environment; its generator starts from <paramref name="seed"/> until a reset passes another seed.</summary>
    /// <param name="seed">The generator's seed until a reset passes another.</param>
    /// <param name="goalVelocity">Gymnasium's <c>goal_velocity</c> (default 0): the episode ends at the goal position only at this velocity or more; finite.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="goalVelocity"/> is not finite.</exception>
    public MountainCarEnv(ulong seed = 0, double goalVelocity = 0.0)
        : base(Id, seed, new Box([(float)MinPosition, (float)-MaxSpeed], [(float)MaxPosition, (float)MaxSpeed]), new Discrete(3), s_stateNames, -0.6, -0.4)
    {
        if (!double.IsFinite(goalVelocity))
        {
            throw new ArgumentOutOfRangeException(nameof(goalVelocity), goalVelocity, "goal_velocity must be finite.");
        }
        GoalVelocity = goalVelocity;
    }

    /// <summary>The velocity the car must have at the goal position to end the episode.</summary>
    public double GoalVelocity { get; }

    /// <summary>Lower bound of the uniform start position (Gymnasium's <c>options["low"]</c>); default −0.6.</summary>
    public double ResetLow => StartParameter0;

    /// <summary>Upper bound of the uniform start position (Gymnasium's <c>options["high"]</c>); default −0.4.</summary>
    public double ResetHigh => StartParameter1;

    /// <summary>Sets the start-position distribution used by later resets.</summary>
    /// <exception cref="ArgumentException">A bound is not finite or low exceeds high.</exception>
    public void SetResetBounds(double low, double high) => SetStartRange(low, high, "position");

    /// <inheritdoc/>
    public override StepResult Step(ReadOnlySpan<double> action, Span<double> observation)
    {
        int a = BeginDiscreteStep(action, observation);
        double position = State[0], velocity = State[1];
        // The two increments are summed first, then added to the velocity (Gymnasium's `velocity += a + b`).
        velocity += ((a - 1) * Force) + (Math.Cos(3 * position) * (-Gravity));
        velocity = Math.Min(Math.Max(velocity, -MaxSpeed), MaxSpeed);
        position += velocity;
        position = Math.Min(Math.Max(position, MinPosition), MaxPosition);
        if (position == MinPosition && velocity < 0)
        {
            velocity = 0.0;
        }
        bool terminated = position >= GoalPosition && velocity >= GoalVelocity;
        State[0] = position;
        State[1] = velocity;
        WriteObservation(observation);
        return new StepResult(-1.0, terminated, false);
    }

    private protected override void SampleStart(Rng rng, double start0, double start1)
    {
        State[0] = rng.NextDouble(start0, start1);
        State[1] = 0.0;
    }
}
