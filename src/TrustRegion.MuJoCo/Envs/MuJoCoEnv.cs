using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using TrustRegion.Envs;
using TrustRegion.MuJoCo.Native;
using TrustRegion.Numerics;

namespace TrustRegion.MuJoCo.Envs;

/// <summary>
/// Common mechanics of the MuJoCo environments with Gymnasium v4 semantics (spec section 1): reset with noise through
/// <c>set_state</c>, <c>frame_skip</c> physics steps per action, <c>mj_rnePostConstraint</c>, and detection of a
/// simulation that went unstable.
/// </summary>
/// <remarks>
/// <para>Each instance owns its <see cref="MuJoCoData"/>; the <see cref="MuJoCoModel"/> may be shared with any number of
/// other instances, so copies can be stepped on different threads. One instance is used by one thread at a time.</para>
/// <para>Step: the action (length nu, finite) is rounded to float32 as Gymnasium's float32 Box does, written to
/// <c>ctrl</c> unclipped (MuJoCo clamps internally; control costs use the unclipped action), then <c>mj_step</c> runs
/// <see cref="FrameSkip"/> times and <c>mj_rnePostConstraint</c> once. Observation, reward and termination are read
/// from the data as left by those calls, without an extra <c>mj_forward</c>, as Gymnasium does.</para>
/// <para>Divergence: when MuJoCo raises a simulation warning (bad qpos/qvel/qacc/ctrl, contact or constraint list full)
/// or the state is non-finite, MuJoCo has already reset the state behind the episode's back. The step then returns
/// reward 0, a finite observation and <c>Terminated = true</c>; <see cref="LastDivergence"/> carries the environment,
/// the step and MuJoCo's warning text, and <see cref="DivergedEpisodes"/> counts such episodes for the metrics. One bad
/// copy thus ends its own episode instead of poisoning a batch.</para>
/// <para><see cref="StepResult.Truncated"/> is always false: the time limit is applied by the registry's wrapper.</para>
/// <para>Snapshots (<see cref="ISnapshotable"/>): saving qpos and qvel alone would not resume exactly, because a step reads
/// position-dependent arrays left stale by the previous step (spec 1.3.5) and the constraint solver starts from
/// <c>qacc_warmstart</c>. A snapshot therefore holds the whole dynamic content of the <c>mjData</c> (its scalar header and
/// every array but the block of contacts and constraint rows, which the next step rewrites before reading), the generator, the episode step, the reset flag and the divergence record. Fields of derived classes that
/// <see cref="BeforePhysics"/> rewrites before every use (such as the pre-step x position) are not part of the state; a
/// derived class must keep no other mutable state.</para>
/// </remarks>
public abstract class MuJoCoEnv : IEnv, ISnapshotable, IEnvFingerprint
{
    // 1: the whole mjData buffer; 2: a flag, then the buffer without the contact and constraint-row block when the flag is set.
    private const int SnapshotVersion = 2;

    private readonly double[] _action;
    private Rng _rng = new(0);
    private bool _needsReset = true;
    private long _episodeStep;
    private bool _disposed;
    private long _physicsTicks;

    /// <summary>Creates the environment on <paramref name="model"/>, checking that the model has the expected sizes.</summary>
    /// <param name="id">Environment id, e.g. <c>Hopper-v4</c>.</param>
    /// <param name="model">The compiled model; shared, not owned (not disposed with the environment).</param>
    /// <param name="frameSkip">Physics steps per environment step.</param>
    /// <param name="observationSize">Length of the observation vector.</param>
    /// <param name="nq">Expected number of generalized coordinates.</param>
    /// <param name="nv">Expected number of degrees of freedom.</param>
    /// <param name="nu">Expected number of actuators.</param>
    /// <exception cref="ArgumentException">The model's sizes differ from the expected ones.</exception>
    protected MuJoCoEnv(string id, MuJoCoModel model, int frameSkip, int observationSize, int nq, int nv, int nu)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frameSkip);
        if (model.Nq != nq || model.Nv != nv || model.Nu != nu)
        {
            throw new ArgumentException(
                $"{id} needs a model with nq = {nq}, nv = {nv}, nu = {nu}; model '{model.Name}' has nq = {model.Nq}, nv = {model.Nv}, nu = {model.Nu}.",
                nameof(model));
        }
        Id = id;
        Model = model;
        FrameSkip = frameSkip;
        Dt = model.Timestep * frameSkip;
        Data = model.CreateData();
        _action = new double[nu];
        ReadOnlySpan<double> range = model.ActuatorCtrlRange;
        var low = new double[nu];
        var high = new double[nu];
        for (int i = 0; i < nu; i++)
        {
            (low[i], high[i]) = ((float)range[2 * i], (float)range[(2 * i) + 1]);
        }
        ActionSpace = new Box(low, high, null, ElementType.Float32);
        ObservationSpace = Box.Uniform(double.NegativeInfinity, double.PositiveInfinity, observationSize, ElementType.Float64);
        MuJoCoTiming.HookExitReport();
    }

    /// <summary>The environment id, e.g. <c>Hopper-v4</c>.</summary>
    public string Id { get; }

    private string SnapshotTag => "TrustRegion.MuJoCo:" + Id;

    /// <summary>The compiled model (shared; read-only).</summary>
    public MuJoCoModel Model { get; }

    /// <summary><c>mjcf-sha256:</c> and <see cref="MuJoCoModel.SourceSha256"/>: changes when the model's MJCF document does.</summary>
    public string Fingerprint => "mjcf-sha256:" + Model.SourceSha256;

    /// <summary>This environment's simulation state. Read it freely; changing it outside Reset/Step breaks the episode.</summary>
    public MuJoCoData Data { get; }

    /// <summary>Physics steps per environment step.</summary>
    public int FrameSkip { get; }

    /// <summary>Seconds per environment step: <c>opt.timestep × frame_skip</c>.</summary>
    public double Dt { get; }

    /// <inheritdoc/>
    /// <remarks>Float64 box over all reals.</remarks>
    public Space ObservationSpace { get; }

    /// <inheritdoc/>
    /// <remarks>Float32 box whose bounds are the actuators' ctrlrange.</remarks>
    public Space ActionSpace { get; }

    /// <summary>Number of episodes this instance ended because the simulation diverged.</summary>
    public long DivergedEpisodes { get; private set; }

    /// <summary>True when the most recent step ended its episode because the simulation diverged.</summary>
    public bool LastStepDiverged { get; private set; }

    /// <summary>The most recent divergence (environment, step, MuJoCo's text), or null if none happened.</summary>
    public MuJoCoDivergence? LastDivergence { get; private set; }

    /// <summary>
    /// Time this instance spent inside MuJoCo's native physics: <c>frame_skip</c> × <c>mj_step</c> plus
    /// <c>mj_rnePostConstraint</c> per step, and the <c>mj_forward</c> of each reset (<c>ResetTo</c> included). Only grows;
    /// not part of a snapshot. The process-wide sum over all instances is <see cref="MuJoCoTiming.PhysicsTime"/>.
    /// </summary>
    public TimeSpan PhysicsTime => Stopwatch.GetElapsedTime(0, _physicsTicks);

    /// <summary>Steps taken in the current episode.</summary>
    public long EpisodeStep => _episodeStep;

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The observation buffer has the wrong length.</exception>
    public void Reset(ulong? seed, Span<double> observation)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckObservation(observation);
        if (seed is { } s)
        {
            _rng = new Rng(s);
        }
        Data.Reset();
        // After mj_resetData, qpos = qpos0 (= init_qpos) and qvel = 0 (= init_qvel): the noise is added in place.
        SampleInitialState(_rng, Data.Qpos, Data.Qvel);
        long start = MuJoCoTiming.Enter();
        Data.Forward();
        AddResetTime(MuJoCoTiming.Leave(start));
        BeginEpisode(observation);
    }

    /// <summary>
    /// Starts an episode from a given state (spec 5.4): <c>mj_resetData</c>, write qpos and qvel, <c>mj_forward</c>,
    /// then the first observation. The generator is not touched.
    /// </summary>
    /// <exception cref="ArgumentException">A length is wrong or a value is not finite.</exception>
    public void ResetTo(ReadOnlySpan<double> qpos, ReadOnlySpan<double> qvel, Span<double> observation)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckObservation(observation);
        long start = MuJoCoTiming.Enter();
        try
        {
            Data.ResetTo(qpos, qvel);
        }
        finally
        {
            AddResetTime(MuJoCoTiming.Leave(start));
        }
        BeginEpisode(observation);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The action has the wrong length or a non-finite entry, or the observation buffer has the wrong length.</exception>
    /// <exception cref="InvalidOperationException">Reset was not called since the environment was created or the episode terminated.</exception>
    public StepResult Step(ReadOnlySpan<double> action, Span<double> observation)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_needsReset)
        {
            ThrowNeedsReset();
        }
        if (action.Length != _action.Length)
        {
            ThrowActionLength(action.Length, nameof(action));
        }
        CheckObservation(observation);
        for (int i = 0; i < action.Length; i++)
        {
            double a = action[i];
            if (!double.IsFinite(a))
            {
                ThrowActionValue(i, a, nameof(action));
            }
            _action[i] = (float)a; // Gymnasium's float32 action Box
        }
        StepResult result = StepCore(_action, observation);
        _needsReset = result.Terminated;
        return result;
    }

    /// <summary>
    /// One step with the action used exactly as given (no float32 rounding, no episode checks): the reference
    /// trajectories were recorded with float64 controls.
    /// </summary>
    internal StepResult StepCore(ReadOnlySpan<double> action, Span<double> observation)
    {
        MuJoCoRuntime.ClearLastWarning();
        BeforePhysics();
        action.CopyTo(Data.Ctrl);
        long start = MuJoCoTiming.Enter();
        try
        {
            for (int k = 0; k < FrameSkip; k++)
            {
                Data.Step();
            }
            // cfrc_ext and friends are only computed by mj_rnePostConstraint; Gymnasium's MujocoEnv calls it after stepping.
            Data.RnePostConstraint();
        }
        finally
        {
            long ticks = MuJoCoTiming.Leave(start);
            _physicsTicks += ticks;
            MuJoCoTiming.AddStep(ticks);
        }
        _episodeStep++;
        (double reward, bool terminated) = Evaluate(action, observation);
        LastStepDiverged = false;
        MjWarning? warning = Data.FirstSimulationWarning();
        if (warning is not null || !IsFinite(Data.Qpos) || !IsFinite(Data.Qvel) || !IsFinite(Data.Qacc))
        {
            RecordDivergence(warning, observation);
            return new StepResult(0.0, true, false);
        }
        return new StepResult(reward, terminated, false);
    }

    /// <inheritdoc/>
    /// <remarks>Block tagged <c>TrustRegion.MuJoCo:</c> + <see cref="Id"/>, version 2 (version 1, which held the whole mjData buffer, still loads); the model's name, nq, nv, nu and nbuffer are checked on load. The contact and constraint-row block of the buffer is left out (<see cref="MuJoCoData.WriteRaw"/>), which makes a snapshot tens of kilobytes instead of about 3.2 MB.</remarks>
    public void SaveSnapshot(BinaryWriter writer) => SaveSnapshot(writer, SnapshotVersion);

    /// <summary>Writes the snapshot in format <paramref name="version"/>: 2 (current) or 1 (the whole buffer, as earlier builds wrote it; kept to test that such snapshots still load).</summary>
    internal void SaveSnapshot(BinaryWriter writer, int version)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(version, SnapshotVersion);
        SnapshotBlock.WriteHeader(writer, SnapshotTag, version);
        writer.Write(Model.Name);
        writer.Write(Model.Nq);
        writer.Write(Model.Nv);
        writer.Write(Model.Nu);
        writer.Write(Data.BufferBytes);
        SnapshotBlock.WriteRng(writer, _rng);
        writer.Write(_needsReset);
        writer.Write(_episodeStep);
        writer.Write(DivergedEpisodes);
        writer.Write(LastStepDiverged);
        writer.Write(LastDivergence is not null);
        if (LastDivergence is { } d)
        {
            writer.Write(d.EnvId);
            writer.Write(d.EpisodeStep);
            writer.Write(d.Warning is { } w ? (int)w : -1);
            writer.Write(d.WarningText);
        }
        bool skip = version >= 2 && Data.SkipsConstraintBlockOnReset;
        if (version >= 2)
        {
            writer.Write(skip);
        }
        Data.WriteRaw(writer, skip);
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidDataException">The snapshot belongs to another environment or model (name, nq, nv, nu or nbuffer differ), or is damaged.</exception>
    /// <remarks>The checks run before anything is changed; a snapshot that ends early leaves the simulation state unspecified (call Reset).</remarks>
    public void LoadSnapshot(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ObjectDisposedException.ThrowIf(_disposed, this);
        int version = SnapshotBlock.ReadHeader(reader, SnapshotTag, 1, SnapshotVersion);
        try
        {
            SnapshotBlock.ExpectString(reader, Id, "the model name", Model.Name);
            SnapshotBlock.ExpectInt32(reader, Id, "the model's nq", Model.Nq);
            SnapshotBlock.ExpectInt32(reader, Id, "the model's nv", Model.Nv);
            SnapshotBlock.ExpectInt32(reader, Id, "the model's nu", Model.Nu);
            SnapshotBlock.ExpectInt32(reader, Id, "the mjData size nbuffer (bytes)", Data.BufferBytes);
            RngState rng = SnapshotBlock.ReadRng(reader);
            bool needsReset = reader.ReadBoolean();
            long episodeStep = reader.ReadInt64();
            long diverged = reader.ReadInt64();
            bool lastStepDiverged = reader.ReadBoolean();
            MuJoCoDivergence? divergence = null;
            if (reader.ReadBoolean())
            {
                string envId = reader.ReadString();
                long step = reader.ReadInt64();
                int warning = reader.ReadInt32();
                string text = reader.ReadString();
                if (warning < -1 || warning > (int)MjWarning.BadCtrl)
                {
                    throw new InvalidDataException($"{Id}: snapshot holds MuJoCo warning code {warning}; valid codes are 0..{(int)MjWarning.BadCtrl} or -1 for none. The snapshot is damaged.");
                }
                divergence = new MuJoCoDivergence(envId, step, warning < 0 ? null : (MjWarning)warning, text);
            }
            if (episodeStep < 0 || diverged < 0)
            {
                throw new InvalidDataException($"{Id}: snapshot holds negative counters (episode step {episodeStep}, diverged episodes {diverged}); it is damaged.");
            }
            bool skip = version >= 2 && reader.ReadBoolean();
            if (skip && !Data.SkipsConstraintBlockOnReset)
            {
                throw new InvalidDataException($"{Id}: the snapshot leaves out MuJoCo's contact and constraint-row block, but this build's mjData layout does not have that block where the snapshot's writer had it; it was written by a differently built stack.");
            }
            Data.ReadRaw(reader, skip);
            _rng.SetState(rng);
            _needsReset = needsReset;
            _episodeStep = episodeStep;
            DivergedEpisodes = diverged;
            LastStepDiverged = lastStepDiverged;
            LastDivergence = divergence;
        }
        catch (EndOfStreamException ex)
        {
            throw SnapshotBlock.Truncated(SnapshotTag, ex);
        }
    }

    /// <summary>Adds the reset noise in place: <paramref name="qpos"/> holds qpos0 and <paramref name="qvel"/> zeros on entry.</summary>
    protected abstract void SampleInitialState(Rng rng, Span<double> qpos, Span<double> qvel);

    /// <summary>Reads what the reward needs from the state before the physics of a step (e.g. the torso position).</summary>
    protected abstract void BeforePhysics();

    /// <summary>Computes the observation, reward and termination from the state after the physics of a step.</summary>
    protected abstract (double Reward, bool Terminated) Evaluate(ReadOnlySpan<double> action, Span<double> observation);

    /// <summary>Writes the observation of the current state.</summary>
    protected abstract void WriteObservation(Span<double> observation);

    /// <summary>Frees this environment's simulation state (not the shared model).</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees the simulation state.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (!_disposed && disposing)
        {
            Data.Dispose();
        }
        _disposed = true;
    }

    private void AddResetTime(long ticks)
    {
        _physicsTicks += ticks;
        MuJoCoTiming.AddReset(ticks);
    }

    private void BeginEpisode(Span<double> observation)
    {
        _episodeStep = 0;
        _needsReset = false;
        LastStepDiverged = false;
        WriteObservation(observation);
    }

    private void RecordDivergence(MjWarning? warning, Span<double> observation)
    {
        string text = MuJoCoRuntime.TakeLastWarning()
            ?? (warning is { } w
                ? $"MuJoCo counted warning {w} (its text was reported earlier in this episode)."
                : $"the state became non-finite at time {Data.Time.ToString("R", CultureInfo.InvariantCulture)} without a MuJoCo warning.");
        LastDivergence = new MuJoCoDivergence(Id, _episodeStep, warning, text);
        LastStepDiverged = true;
        DivergedEpisodes++;
        for (int i = 0; i < observation.Length; i++)
        {
            if (!double.IsFinite(observation[i]))
            {
                observation[i] = 0.0;
            }
        }
    }

    private static bool IsFinite(ReadOnlySpan<double> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                return false;
            }
        }
        return true;
    }

    private void CheckObservation(Span<double> observation)
    {
        if (observation.Length != ObservationSpace.FlatSize)
        {
            ThrowObservationLength(observation.Length, nameof(observation));
        }
    }

    [DoesNotReturn]
    private void ThrowNeedsReset() =>
        throw new InvalidOperationException(_episodeStep == 0
            ? $"{Id}: call Reset before Step."
            : $"{Id}: the episode terminated at step {_episodeStep}; call Reset before stepping again.");

    [DoesNotReturn]
    private void ThrowActionLength(int length, string paramName) =>
        throw new ArgumentException($"{Id}: action has length {length}; expected ActionSpace.Shape[0] = {_action.Length} (nu).", paramName);

    [DoesNotReturn]
    private void ThrowActionValue(int index, double value, string paramName) =>
        throw new ArgumentException($"{Id}: action[{index}] is {value.ToString(CultureInfo.InvariantCulture)} at episode step {_episodeStep + 1}; every entry must be a finite number (bounds {((Box)ActionSpace).Low[index]}..{((Box)ActionSpace).High[index]}).", paramName);

    [DoesNotReturn]
    private void ThrowObservationLength(int length, string paramName) =>
        throw new ArgumentException($"{Id}: observation buffer has length {length}; expected ObservationSpace.FlatSize = {ObservationSpace.FlatSize}.", paramName);
}
