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
public sealed class MountainCarEnv : IEnv, IEnvState, IValidatesActions, ISnapshotable
{
    /// <summary>The registry id.</summary>
    public const string Id = "MountainCar-v0";

    private const double MinPosition = -1.2;
    private const double MaxPosition = 0.6;
    private const double MaxSpeed = 0.07;
    private const double GoalPosition = 0.5;
    private const double GoalVelocity = 0.0;
    private const double Force = 0.001;
    private const double Gravity = 0.0025;

    private static readonly string[] s_stateNames = ["position", "velocity"];

    private Rng _rng;
    private double _position, _velocity;
    private bool _ready;
    private double _resetLow = -0.6, _resetHigh = -0.4;

    /// <summary>Creates the environment; its generator starts from <paramref name="seed"/> until a reset passes another seed.</summary>
    public MountainCarEnv(ulong seed = 0)
    {
        _rng = new Rng(seed);
        ObservationSpace = new Box([(float)MinPosition, (float)-MaxSpeed], [(float)MaxPosition, (float)MaxSpeed]);
        ActionSpace = new Discrete(3);
    }

    /// <inheritdoc/>
    public Space ObservationSpace { get; }

    /// <inheritdoc/>
    public Space ActionSpace { get; }

    /// <inheritdoc/>
    public IReadOnlyList<string> StateNames => s_stateNames;

    /// <summary>Lower bound of the uniform start position (Gymnasium's <c>options["low"]</c>); default −0.6.</summary>
    public double ResetLow => _resetLow;

    /// <summary>Upper bound of the uniform start position (Gymnasium's <c>options["high"]</c>); default −0.4.</summary>
    public double ResetHigh => _resetHigh;

    /// <summary>Sets the start-position distribution used by later resets.</summary>
    /// <exception cref="ArgumentException">A bound is not finite or low exceeds high.</exception>
    public void SetResetBounds(double low, double high)
    {
        ClassicGuard.Bounds(Id, low, high, "position");
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
        _position = _rng.NextDouble(_resetLow, _resetHigh);
        _velocity = 0.0;
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
        double position = _position, velocity = _velocity;
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
        (_position, _velocity) = (position, velocity);
        WriteObservation(observation);
        return new StepResult(-1.0, terminated, false);
    }

    /// <inheritdoc/>
    public void GetState(Span<double> destination)
    {
        ClassicGuard.StateLength(Id, destination.Length, 2, nameof(destination));
        destination[0] = _position;
        destination[1] = _velocity;
    }

    /// <inheritdoc/>
    public void SetState(ReadOnlySpan<double> state)
    {
        ClassicGuard.StateLength(Id, state.Length, 2, nameof(state));
        ClassicGuard.StateValues(Id, state);
        (_position, _velocity) = (state[0], state[1]);
        _ready = true;
    }

    /// <inheritdoc/>
    public void GetObservation(Span<double> observation)
    {
        EnvGuard.ObservationBuffer(Id, ObservationSpace, observation);
        WriteObservation(observation);
    }

    /// <inheritdoc/>
    /// <remarks>Block tagged with <see cref="Id"/>, version 1: the generator state, the exact double state (position, velocity, resetLow, resetHigh) and whether a reset happened.</remarks>
    public void SaveSnapshot(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        SnapshotBlock.WriteHeader(writer, Id, 1);
        SnapshotBlock.WriteRng(writer, _rng);
        writer.Write(_position);
        writer.Write(_velocity);
        writer.Write(_resetLow);
        writer.Write(_resetHigh);
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
            double position = reader.ReadDouble();
            double velocity = reader.ReadDouble();
            double resetLow = reader.ReadDouble();
            double resetHigh = reader.ReadDouble();
            bool ready = reader.ReadBoolean();
            _rng.SetState(rng);
            (_position, _velocity, _resetLow, _resetHigh) = (position, velocity, resetLow, resetHigh);
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
        observation[0] = (float)_position;
        observation[1] = (float)_velocity;
    }
}
