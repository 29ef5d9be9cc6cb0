using System.Diagnostics;
using System.Runtime.CompilerServices;
using TrustRegion.Numerics;

namespace TrustRegion.Envs.ClassicControl;

/// <summary>
/// What the five classic-control environments share besides their dynamics: the seeded generator, the two parameters of the
/// start distribution, the "has been reset" flag, the checks at the boundary, <see cref="IEnvState"/> and the snapshot block.
/// Only this assembly derives from it; each environment class documents its own task.
/// </summary>
/// <remarks>
/// <para><b>Order of checks in Step:</b> the action (length, finiteness, membership; messages name the environment, the action and
/// the space), then the observation buffer's length, then whether the environment was reset or given a state.</para>
/// <para><b>Snapshot:</b> one block tagged with the environment's id, version 1: the generator state, the state components in
/// <see cref="StateNames"/> order as exact doubles, the two start-distribution parameters, any counter of the task itself
/// (CartPole's post-termination step count), and whether a reset happened.</para>
/// </remarks>
public abstract class ClassicControlEnv : IEnv, IEnvState, IValidatesActions, ISnapshotable
{
    private const int SnapshotVersion = 1;
    private const int MaxStateSize = 4;

    private readonly string _id;
    private readonly string[] _stateNames;
    private readonly int _obsSize;
    private readonly Discrete? _discreteActions;
    private readonly Box? _boxActions;
    private Rng _rng;
    private double _start0, _start1;
    private bool _ready;

    /// <summary>The internal state, components in <see cref="StateNames"/> order (only the first <c>StateNames.Count</c> are used).</summary>
    private protected StateComponents State;

    /// <summary>Sets up the shared parts; <paramref name="start0"/> and <paramref name="start1"/> are the default start-distribution parameters.</summary>
    private protected ClassicControlEnv(string id, ulong seed, Box observationSpace, Space actionSpace, string[] stateNames, double start0, double start1)
    {
        _id = id;
        _rng = new Rng(seed);
        ObservationSpace = observationSpace;
        ActionSpace = actionSpace;
        _obsSize = observationSpace.FlatSize;
        _discreteActions = actionSpace as Discrete;
        _boxActions = actionSpace as Box;
        Debug.Assert(stateNames.Length <= MaxStateSize, "StateComponents holds at most MaxStateSize values.");
        _stateNames = stateNames;
        (_start0, _start1) = (start0, start1);
    }

    /// <inheritdoc/>
    public Space ObservationSpace { get; }

    /// <inheritdoc/>
    public Space ActionSpace { get; }

    /// <inheritdoc/>
    public IReadOnlyList<string> StateNames => _stateNames;

    /// <summary>First parameter of the start distribution (a lower bound, or Pendulum's maximum start angle).</summary>
    private protected double StartParameter0 => _start0;

    /// <summary>Second parameter of the start distribution (an upper bound, or Pendulum's maximum start speed).</summary>
    private protected double StartParameter1 => _start1;

    /// <inheritdoc/>
    public void Reset(ulong? seed, Span<double> observation)
    {
        CheckObservationBuffer(observation);
        if (seed.HasValue)
        {
            _rng = new Rng(seed.Value);
        }
        SampleStart(_rng, _start0, _start1);
        ClearEpisodeCounters();
        _ready = true;
        WriteObservation(observation);
    }

    /// <inheritdoc/>
    public abstract StepResult Step(ReadOnlySpan<double> action, Span<double> observation);

    /// <inheritdoc/>
    public void GetState(Span<double> destination)
    {
        ClassicGuard.StateLength(_id, destination.Length, _stateNames.Length, nameof(destination));
        StateSpan.CopyTo(destination);
    }

    /// <inheritdoc/>
    public void SetState(ReadOnlySpan<double> state)
    {
        ClassicGuard.StateLength(_id, state.Length, _stateNames.Length, nameof(state));
        ClassicGuard.StateValues(_id, state);
        state.CopyTo(StateSpan);
        ClearEpisodeCounters();
        _ready = true;
    }

    /// <inheritdoc/>
    public void GetObservation(Span<double> observation)
    {
        CheckObservationBuffer(observation);
        WriteObservation(observation);
    }

    /// <inheritdoc/>
    /// <remarks>The block's layout is described on <see cref="ClassicControlEnv"/>.</remarks>
    public void SaveSnapshot(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        SnapshotBlock.WriteHeader(writer, _id, SnapshotVersion);
        SnapshotBlock.WriteRng(writer, _rng);
        foreach (double v in StateSpan)
        {
            writer.Write(v);
        }
        writer.Write(_start0);
        writer.Write(_start1);
        if (HasEpisodeCounter)
        {
            writer.Write(EpisodeCounter);
        }
        writer.Write(_ready);
    }

    /// <inheritdoc/>
    public void LoadSnapshot(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        SnapshotBlock.ReadHeader(reader, _id, SnapshotVersion);
        try
        {
            // Read everything first, so that a truncated block leaves the environment as it was.
            RngState rng = SnapshotBlock.ReadRng(reader);
            Span<double> state = stackalloc double[_stateNames.Length];
            for (int i = 0; i < state.Length; i++)
            {
                state[i] = reader.ReadDouble();
            }
            double start0 = reader.ReadDouble();
            double start1 = reader.ReadDouble();
            int counter = HasEpisodeCounter ? reader.ReadInt32() : 0;
            bool ready = reader.ReadBoolean();
            _rng.SetState(rng);
            state.CopyTo(StateSpan);
            (_start0, _start1) = (start0, start1);
            if (HasEpisodeCounter)
            {
                EpisodeCounter = counter;
            }
            _ready = ready;
        }
        catch (EndOfStreamException ex)
        {
            throw SnapshotBlock.Truncated(_id, ex);
        }
    }

    /// <summary>Releases nothing; present for <see cref="IDisposable"/>.</summary>
    public void Dispose() => GC.SuppressFinalize(this);

    /// <summary>Checks a start range [low, high) and makes it the start distribution of later resets.</summary>
    private protected void SetStartRange(double low, double high, string what)
    {
        ClassicGuard.Bounds(_id, low, high, what);
        (_start0, _start1) = (low, high);
    }

    /// <summary>Sets the start-distribution parameters; the caller has checked them.</summary>
    private protected void SetStartParameters(double start0, double start1) => (_start0, _start1) = (start0, start1);

    /// <summary>The boundary checks of a step with a <see cref="Discrete"/> action; returns the action as an integer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private protected int BeginDiscreteStep(ReadOnlySpan<double> action, Span<double> observation)
    {
        int a = EnvGuard.DiscreteAction(_id, _discreteActions!, action);
        CheckStepPreconditions(observation);
        return a;
    }

    /// <summary>The boundary checks of a step with a one-element float32 <see cref="Box"/> action; returns it rounded to float32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private protected float BeginFloat32Step(ReadOnlySpan<double> action, Span<double> observation)
    {
        float a = EnvGuard.Float32Action(_id, _boxActions!, action);
        CheckStepPreconditions(observation);
        return a;
    }

    /// <summary>Draws the start state from <paramref name="rng"/> with the start-distribution parameters.</summary>
    private protected abstract void SampleStart(Rng rng, double start0, double start1);

    /// <summary>Writes the observation of the current state into a buffer of the right length; by default each state component rounded to float32.</summary>
    private protected virtual void WriteObservation(Span<double> observation)
    {
        ReadOnlySpan<double> state = StateSpan;
        for (int i = 0; i < observation.Length && i < state.Length; i++)
        {
            observation[i] = (float)state[i];
        }
    }

    /// <summary>True when the task keeps a per-episode counter of its own (<see cref="EpisodeCounter"/>), cleared by Reset and SetState.</summary>
    private protected virtual bool HasEpisodeCounter => false;

    /// <summary>The task's own per-episode counter, saved in snapshots when <see cref="HasEpisodeCounter"/> is true.</summary>
    private protected virtual int EpisodeCounter
    {
        get => 0;
        set { }
    }

    /// <summary>Clears the task's own per-episode bookkeeping at Reset and SetState; nothing by default.</summary>
    private protected virtual void ClearEpisodeCounters()
    {
    }

    private Span<double> StateSpan => ((Span<double>)State)[.._stateNames.Length];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CheckStepPreconditions(Span<double> observation)
    {
        CheckObservationBuffer(observation);
        if (!_ready)
        {
            EnvGuard.ThrowNotReset(_id);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CheckObservationBuffer(Span<double> observation)
    {
        if (observation.Length != _obsSize)
        {
            EnvGuard.ThrowObservationBuffer(_id, observation, ObservationSpace);
        }
    }

    /// <summary>Inline storage for the state components: no array, no indirection on the step path.</summary>
    [InlineArray(MaxStateSize)]
    private protected struct StateComponents
    {
        private double _component;
    }
}
