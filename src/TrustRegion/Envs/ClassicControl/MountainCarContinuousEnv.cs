using TrustRegion.Numerics;

namespace TrustRegion.Envs.ClassicControl;

/// <summary>
/// MountainCarContinuous-v0 (Moore, 1990), identical to Gymnasium 1.0.0's <c>Continuous_MountainCarEnv</c> bit for bit: the
/// mountain car with a continuous force and an energy penalty.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Observation</term><description><c>Box(float32, 2)</c>: position in [−1.2, 0.6] and velocity in [−0.07, 0.07].</description></item>
/// <item><term>Action</term><description><c>Box(float32, 1)</c> in [−1, 1]: the force, rounded to float32 on arrival. Finite values
/// outside the bounds are accepted: the force is clipped to [−1, 1], the penalty uses the unclipped value (as Gymnasium).</description></item>
/// <item><term>Reward</term><description><c>(goal reached ? 100 : 0) − 0.1·a²</c> with the unclipped action a.</description></item>
/// <item><term>Start state</term><description>position uniform in [−0.6, −0.4) (see <see cref="ResetLow"/>), velocity 0, kept as doubles.</description></item>
/// <item><term>Termination</term><description>position ≥ 0.45 and velocity ≥ 0, decided on the double values before rounding.</description></item>
/// <item><term>Truncation</term><description>none in the environment; the registry wraps it in a 999-step <see cref="Wrappers.TimeLimit"/>.</description></item>
/// </list>
/// <para>Dynamics: <c>v ← clip(v + (0.0015·clip(a, ±1) − 0.0025·cos(3p)), ±0.07)</c>, <c>p ← clip(p + v, −1.2, 0.6)</c>, a negative
/// velocity at the left wall becomes 0. Internal state (<see cref="IEnvState"/>): <c>(position, velocity)</c>; unlike the other
/// classic-control tasks, Gymnasium stores it rounded to float32 after every step and the next step starts from those values,
/// while the state right after a reset is the unrounded double draw.</para>
/// </remarks>
public sealed class MountainCarContinuousEnv : ClassicControlEnv
{
    /// <summary>The registry id.</summary>
    public const string Id = "MountainCarContinuous-v0";

    private const double MinPosition = -1.2;
    private const double MaxPosition = 0.6;
    private const double MaxSpeed = 0.07;
    private const double GoalPosition = 0.45;
    private const double Power = 0.0015;

    private static readonly string[] s_stateNames = ["position", "velocity"];

    /// <summary>Creates the environment; its generator starts from <paramref name="seed"/> until a reset passes another seed.</summary>
    /// <param name="seed">The generator's seed until a reset passes another.</param>
    /// <param name="goalVelocity">Gymnasium's <c>goal_velocity</c> (default 0): the episode ends at the goal position only at this velocity or more; finite.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="goalVelocity"/> is not finite.</exception>
    public MountainCarContinuousEnv(ulong seed = 0, double goalVelocity = 0.0)
        : base(Id, seed, new Box([(float)MinPosition, (float)-MaxSpeed], [(float)MaxPosition, (float)MaxSpeed]), new Box([-1.0], [1.0]), s_stateNames, -0.6, -0.4)
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
        float a = BeginFloat32Step(action, observation);
        double position = State[0], velocity = State[1];
        double force = Math.Min(Math.Max((double)a, -1.0), 1.0);
        velocity += (force * Power) - (0.0025 * Math.Cos(3 * position));
        if (velocity > MaxSpeed)
        {
            velocity = MaxSpeed;
        }
        if (velocity < -MaxSpeed)
        {
            velocity = -MaxSpeed;
        }
        position += velocity;
        if (position > MaxPosition)
        {
            position = MaxPosition;
        }
        if (position < MinPosition)
        {
            position = MinPosition;
        }
        if (position == MinPosition && velocity < 0)
        {
            velocity = 0.0;
        }
        bool terminated = position >= GoalPosition && velocity >= GoalVelocity;
        // The penalty uses the unclipped float32 action; a·a is exact in double. 0.0 − x keeps +0.0 for a = 0.
        double reward = (terminated ? 100.0 : 0.0) - (((double)a * a) * 0.1);
        State[0] = (float)position; // Gymnasium stores the state as a float32 array
        State[1] = (float)velocity;
        WriteObservation(observation);
        return new StepResult(reward, terminated, false);
    }

    private protected override void SampleStart(Rng rng, double start0, double start1)
    {
        State[0] = rng.NextDouble(start0, start1);
        State[1] = 0.0;
    }
}
