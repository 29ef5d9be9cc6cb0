using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.ExceptionServices;
using TrustRegion.Numerics;

namespace TrustRegion.Envs;

/// <summary>
/// E independent copies of an environment stepped as one batch, sequentially or on worker threads, with identical results
/// in both modes. Autoreset is "same-step" (Gymnasium's <c>AutoresetMode.SAME_STEP</c>, Stable-Baselines3's <c>DummyVecEnv</c>).
/// </summary>
/// <remarks>
/// <para><b>Autoreset.</b> When copy i terminates or is truncated in a step, its final observation goes to
/// <see cref="VectorStepBuffers.FinalObservations"/> row i, its flags and reward are reported as usual, the copy is reset at once
/// (without a seed: it continues its own generator), and <see cref="VectorStepBuffers.Observations"/> row i holds the first
/// observation of the next episode. A copy is therefore never stepped past the end of an episode.</para>
/// <para><b>Episodes.</b> For every ended episode the raw return and length go to <see cref="VectorStepBuffers.EpisodeReturns"/> and
/// <see cref="VectorStepBuffers.EpisodeLengths"/> (valid where a flag is set), and <see cref="VectorStepBuffers.EpisodesEnded"/> counts them.</para>
/// <para><b>Seeding.</b> <see cref="Reset"/> seeds copy i with <see cref="CopySeed"/>(seed, i), derived with <see cref="Rng.Split"/>,
/// so copy i's stream depends only on the run seed and i, never on E or the thread count.</para>
/// <para><b>Checks.</b> A NaN or infinite observation or reward from any copy throws <see cref="InvalidOperationException"/>
/// naming the copy, the environment and the step, before it reaches the learner. After any exception thrown by Step, call
/// Reset before stepping again.</para>
/// <para><b>Threads.</b> Parallel mode splits the copies into contiguous groups, one per thread, run as the chunks of a
/// <see cref="ComputePool"/> of its own: the caller's thread and long-lived background threads take groups as they come (no
/// allocation per step). Between steps the workers spin for a short while before sleeping, so the hand-off of a step that
/// follows the policy's inference right away costs well under a microsecond instead of a thread wake-up. <see cref="VectorMode.Auto"/> times the
/// first steps sequentially and switches to parallel only when one batch costs more than about 20 µs, so cheap environments
/// such as CartPole stay sequential. Step and Reset must be called from one thread at a time.</para>
/// <para><b>Snapshots.</b> <see cref="SaveSnapshot"/> writes the number of copies and the space sizes (checked on load), whether
/// Reset has been called, the step counter, each copy's running episode return and length, then every copy's own snapshot in
/// order. Every copy must implement <see cref="ISnapshotable"/> (the built-in environments and wrappers do). The mode and the
/// Auto calibration are not saved: they never change results, so a snapshot taken in one mode may be loaded in another.</para>
/// </remarks>
public sealed class VectorEnv : IVectorEnv, ISnapshotable
{
    private const int CalibrationSkip = 4;        // steps ignored while JIT and caches warm up
    private const int CalibrationSteps = 32;      // steps timed before Auto decides
    private const double ParallelThresholdSeconds = 20e-6; // a parallel hand-off costs a few µs; stay sequential below ~20 µs per batch
    private const string SnapshotTag = "TrustRegion.Envs.VectorEnv";
    private const int SnapshotVersion = 1;

    private readonly IEnv[] _envs;
    private readonly int _obsSize;
    private readonly int _actSize;
    private readonly double[] _actions;
    private readonly double[] _episodeReturn;
    private readonly int[] _episodeLength;
    private readonly Exception?[] _errors;    // per parallel chunk
    private readonly int[] _chunkEnded;       // per parallel chunk: episodes ended in the last step
    private readonly int _threads;
    private readonly StepJob _stepJob;
    private ComputePool? _pool;
    private VectorStepBuffers? _current;
    private bool _ready;
    private bool _parallel;
    private long _step;
    private int _calibrated;
    private long _calibrationTicks;

    /// <summary>Creates <paramref name="numEnvs"/> copies with <paramref name="factory"/>(i), which must return a new instance each time.</summary>
    /// <exception cref="ArgumentException">The factory returned null, the same instance twice, or copies whose spaces differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numEnvs"/> or <see cref="VectorEnvOptions.Threads"/> is not positive.</exception>
    public VectorEnv(Func<int, IEnv> factory, int numEnvs, VectorEnvOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numEnvs);
        options ??= new VectorEnvOptions();
        if (options.Threads is { } t)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(t, "options.Threads");
        }
        _envs = new IEnv[numEnvs];
        for (int i = 0; i < numEnvs; i++)
        {
            IEnv env = factory(i) ?? throw new ArgumentException($"The environment factory returned null for copy {i}.", nameof(factory));
            for (int j = 0; j < i; j++)
            {
                if (ReferenceEquals(_envs[j], env))
                {
                    throw new ArgumentException($"The environment factory returned the same instance for copies {j} and {i}; it must create a new environment on every call (e.g. `i => registry.Make(id)`, not `_ => env`).", nameof(factory));
                }
            }
            _envs[i] = env;
        }
        Name = options.Name ?? _envs[0].GetType().Name;
        ObservationSpace = _envs[0].ObservationSpace;
        ActionSpace = _envs[0].ActionSpace;
        for (int i = 1; i < numEnvs; i++)
        {
            if (!SameShape(_envs[i].ObservationSpace, ObservationSpace) || !SameShape(_envs[i].ActionSpace, ActionSpace))
            {
                throw new ArgumentException($"{Name}: copy {i} has spaces {_envs[i].ObservationSpace} / {_envs[i].ActionSpace}; copy 0 has {ObservationSpace} / {ActionSpace}. All copies must agree.", nameof(factory));
            }
        }
        _obsSize = ObservationSpace.FlatSize;
        _actSize = ActionSpace.FlatSize;
        _actions = new double[numEnvs * _actSize];
        _episodeReturn = new double[numEnvs];
        _episodeLength = new int[numEnvs];
        Mode = options.Mode;
        _threads = Math.Min(options.Threads ?? Environment.ProcessorCount, numEnvs);
        _errors = new Exception?[_threads];
        _chunkEnded = new int[_threads];
        _stepJob = new StepJob(this);
        if (Mode == VectorMode.Parallel)
        {
            EnableParallel();
        }
    }

    /// <summary>Creates <paramref name="numEnvs"/> copies of a registered id, each made by <see cref="EnvRegistry.Make"/> (time limit included).</summary>
    /// <exception cref="ArgumentException">The id is unknown.</exception>
    public static VectorEnv Make(string id, int numEnvs, VectorEnvOptions? options = null, EnvRegistry? registry = null)
    {
        registry ??= EnvRegistry.Default;
        registry.GetSpec(id); // unknown ids fail here, with suggestions, before anything is built
        options ??= new VectorEnvOptions();
        return new VectorEnv(_ => registry.Make(id), numEnvs, options with { Name = options.Name ?? id });
    }

    /// <summary>The seed copy <paramref name="index"/> receives from a run seed: <c>new Rng(runSeed).Split(index).NextUInt64()</c>.</summary>
    public static ulong CopySeed(ulong runSeed, int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return new Rng(runSeed).Split((ulong)index).NextUInt64();
    }

    /// <summary>Name used in messages (normally the environment id).</summary>
    public string Name { get; }

    /// <inheritdoc/>
    public int NumEnvs => _envs.Length;

    /// <inheritdoc/>
    public Space ObservationSpace { get; }

    /// <inheritdoc/>
    public Space ActionSpace { get; }

    /// <summary>The requested mode.</summary>
    public VectorMode Mode { get; }

    /// <summary>True while steps run on worker threads (in Auto mode, once the measured cost made it worthwhile).</summary>
    public bool IsParallel => _parallel;

    /// <summary>Threads used in parallel mode, the caller's included.</summary>
    public int Threads => _threads;

    /// <summary>Steps taken since the last <see cref="Reset"/>.</summary>
    public long StepCount => _step;

    /// <summary>Copy <paramref name="index"/> (for inspection, e.g. its state; do not step it directly).</summary>
    public IEnv GetEnv(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _envs.Length);
        return _envs[index];
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="observations"/> does not hold E rows.</exception>
    /// <exception cref="InvalidOperationException">A copy returned a non-finite observation.</exception>
    public void Reset(ulong seed, Span<double> observations)
    {
        if (observations.Length != _envs.Length * _obsSize)
        {
            throw new ArgumentException($"{Name}: observations has length {observations.Length}; expected NumEnvs × ObservationSpace.FlatSize = {_envs.Length} × {_obsSize} = {_envs.Length * _obsSize}.", nameof(observations));
        }
        _ready = false;
        var root = new Rng(seed);
        for (int i = 0; i < _envs.Length; i++)
        {
            Span<double> row = observations.Slice(i * _obsSize, _obsSize);
            _envs[i].Reset(root.Split((ulong)i).NextUInt64(), row);
            if (!AllFinite(row))
            {
                ThrowNonFiniteObservation(i, row, "Reset", _episodeLength[i] + 1);
            }
            _episodeReturn[i] = 0;
            _episodeLength[i] = 0;
        }
        _step = 0;
        _ready = true;
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">Reset was not called (or a previous step failed), or a copy returned a NaN or infinite observation or reward.</exception>
    /// <exception cref="ArgumentException">The actions or the buffers have the wrong size, or a copy rejected its action.</exception>
    public void Step(ReadOnlySpan<double> actions, VectorStepBuffers result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (!_ready)
        {
            ThrowNotReady();
        }
        if (actions.Length != _envs.Length * _actSize)
        {
            ThrowActionsLength(actions);
        }
        if (result.NumEnvs != _envs.Length || result.ObsSize != _obsSize)
        {
            ThrowResultShape(result);
        }
        _step++;
        _ready = false; // stays false when anything below throws: a failed step requires Reset
        int ended;
        if (_parallel)
        {
            actions.CopyTo(_actions);
            _current = result;
            _pool!.Run(_stepJob, _threads);
            _current = null;
            ThrowFirstError();
            ended = 0;
            foreach (int count in _chunkEnded)
            {
                ended += count;
            }
        }
        else
        {
            bool timing = Mode == VectorMode.Auto && _calibrated < CalibrationSkip + CalibrationSteps;
            long start = timing ? Stopwatch.GetTimestamp() : 0;
            int progress = 0;
            try
            {
                ended = StepRange(actions, result, 0, _envs.Length, ref progress);
            }
            catch
            {
                ReplayStepped(result, 0, progress);
                throw;
            }
            if (timing)
            {
                Calibrate(Stopwatch.GetTimestamp() - start);
            }
        }
        _ready = true;
        result.EpisodesEnded = ended;
    }

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">A copy (or an environment it wraps) does not implement <see cref="ISnapshotable"/>; nothing is written.</exception>
    public void SaveSnapshot(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ISnapshotable[] copies = SnapshotableCopies();
        SnapshotBlock.WriteHeader(writer, SnapshotTag, SnapshotVersion);
        writer.Write(_envs.Length);
        writer.Write(_obsSize);
        writer.Write(_actSize);
        writer.Write(_ready);
        writer.Write(_step);
        for (int i = 0; i < _envs.Length; i++)
        {
            writer.Write(_episodeReturn[i]);
            writer.Write(_episodeLength[i]);
        }
        for (int i = 0; i < copies.Length; i++)
        {
            copies[i].SaveSnapshot(writer);
        }
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidDataException">The snapshot has another number of copies, other space sizes, another stack of wrappers or environments, or is damaged.</exception>
    /// <exception cref="NotSupportedException">A copy does not implement <see cref="ISnapshotable"/>.</exception>
    /// <remarks>When loading fails part-way the copies are in an unspecified state; the vector environment then requires Reset before Step.</remarks>
    public void LoadSnapshot(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ISnapshotable[] copies = SnapshotableCopies();
        SnapshotBlock.ReadHeader(reader, SnapshotTag, SnapshotVersion);
        _ready = false;
        bool ready;
        long step;
        try
        {
            SnapshotBlock.ExpectInt32(reader, Name, nameof(NumEnvs), _envs.Length);
            SnapshotBlock.ExpectInt32(reader, Name, "ObservationSpace.FlatSize", _obsSize);
            SnapshotBlock.ExpectInt32(reader, Name, "ActionSpace.FlatSize", _actSize);
            ready = reader.ReadBoolean();
            step = reader.ReadInt64();
            for (int i = 0; i < _envs.Length; i++)
            {
                _episodeReturn[i] = reader.ReadDouble();
                _episodeLength[i] = reader.ReadInt32();
            }
        }
        catch (EndOfStreamException ex)
        {
            throw SnapshotBlock.Truncated(SnapshotTag, ex);
        }
        for (int i = 0; i < copies.Length; i++)
        {
            try
            {
                copies[i].LoadSnapshot(reader);
            }
            catch (InvalidDataException ex)
            {
                throw new InvalidDataException($"{Name}: copy {i}: {ex.Message}", ex);
            }
            catch (EndOfStreamException ex)
            {
                throw new InvalidDataException($"{Name}: the snapshot ended inside copy {i}; it is truncated or was written by a differently built stack.", ex);
            }
        }
        _step = step;
        _ready = ready;
    }

    /// <summary>Stops the worker threads and disposes every copy.</summary>
    public void Dispose()
    {
        _pool?.Dispose();
        _pool = null;
        foreach (IEnv env in _envs)
        {
            env.Dispose();
        }
    }

    private ISnapshotable[] SnapshotableCopies()
    {
        var copies = new ISnapshotable[_envs.Length];
        for (int i = 0; i < _envs.Length; i++)
        {
            copies[i] = _envs[i] as ISnapshotable ?? throw SnapshotBlock.NotSupported(_envs[i].GetType(), $"{Name}: copy {i}");
            // Look down the wrapper chain too, so an unsupported inner environment is reported before anything is written.
            for (IEnv env = _envs[i]; env is IEnvWrapper wrapper; env = wrapper.Inner)
            {
                if (wrapper is Wrappers.EnvWrapper { CanSnapshot: false })
                {
                    throw SnapshotBlock.NotSupported(wrapper.GetType(), $"{Name}: copy {i}");
                }
                if (wrapper.Inner is not ISnapshotable)
                {
                    throw SnapshotBlock.NotSupported(wrapper.Inner.GetType(), $"{Name}: copy {i}");
                }
            }
        }
        return copies;
    }

    /// <summary>
    /// Steps copies [<paramref name="from"/>, <paramref name="to"/>) with their rows of <paramref name="actions"/> (all E rows) and
    /// returns how many ended an episode. Fast path: step every copy, writing its reward and flags and adding them to its running
    /// episode as it goes, and summing 0·reward to tell whether every reward is finite; check all observations in one vectorised
    /// pass; then record the ended episodes and autoreset those copies. The copies are independent, so this gives exactly what
    /// stepping, checking and bookkeeping one copy after another gives. When a value is not finite, <see cref="FinishInOrder"/>
    /// replays the copy-by-copy order over the copies, so the error reported is the one that order meets first; when a copy's
    /// Step throws, <paramref name="progress"/> is one past the last copy whose step returned and the caller replays those
    /// (<see cref="ReplayStepped"/>). There is no exception handler here, so the stepping loop keeps its values in registers
    /// around each copy's Step (the former loop inside a handler, over seven spans, kept them on the stack).
    /// </summary>
    private int StepRange(ReadOnlySpan<double> actions, VectorStepBuffers result, int from, int to, ref int progress)
    {
        int obsSize = _obsSize, actSize = _actSize;
        IEnv[] envs = _envs;
        double[] observations = result.Observations, rewards = result.Rewards, episodeReturn = _episodeReturn;
        bool[] terminated = result.Terminated, truncated = result.Truncated;
        int[] episodeLength = _episodeLength;
        int ended = 0;
        double probe = 0.0; // sum of 0·reward: 0 exactly when every reward is finite (0·NaN and 0·±∞ are NaN, and NaN sticks)
        progress = from;
        for (int i = from; i < to; i++)
        {
            StepResult r = envs[i].Step(actions.Slice(i * actSize, actSize), observations.AsSpan(i * obsSize, obsSize));
            probe += r.Reward * 0.0;
            rewards[i] = r.Reward;
            terminated[i] = r.Terminated;
            truncated[i] = r.Truncated;
            episodeReturn[i] += r.Reward;
            episodeLength[i]++;
            ended += r.Terminated | r.Truncated ? 1 : 0;
            progress = i + 1;
        }
        progress = -1; // every copy stepped: what throws from here on is reported as it is
        if (probe != 0.0 || !AllFinite(observations.AsSpan(from * obsSize, (to - from) * obsSize)))
        {
            FinishInOrder(result, from, to);
            throw new UnreachableException("A non-finite value was found but not reported.");
        }
        if (ended > 0)
        {
            for (int i = from; i < to; i++)
            {
                if (terminated[i] | truncated[i])
                {
                    EndEpisode(i, result);
                }
            }
        }
        return ended;
    }

    /// <summary>After a copy's Step threw in <see cref="StepRange"/>: the copy-by-copy order over the copies stepped before it.</summary>
    private void ReplayStepped(VectorStepBuffers result, int from, int progress)
    {
        if (progress >= 0)
        {
            FinishInOrder(result, from, progress); // throws instead when an earlier copy's values or autoreset fail
        }
    }

    /// <summary>
    /// The copy-by-copy order over stepped copies [from, to), whose rewards and steps are already in their running episodes:
    /// check copy i's values, then record its episode end and autoreset it.
    /// </summary>
    private void FinishInOrder(VectorStepBuffers result, int from, int to)
    {
        for (int i = from; i < to; i++)
        {
            ReadOnlySpan<double> row = result.Observations.AsSpan(i * _obsSize, _obsSize);
            double reward = result.Rewards[i];
            if (!AllFinite(row) || !double.IsFinite(reward))
            {
                ThrowNonFiniteStep(i, row, reward, _episodeLength[i]);
            }
            if (result.Terminated[i] | result.Truncated[i])
            {
                EndEpisode(i, result);
            }
        }
    }

    /// <summary>Records copy i's ended episode (its return and length already include this step), keeps its final observation, and autoresets it.</summary>
    private void EndEpisode(int i, VectorStepBuffers result)
    {
        int length = _episodeLength[i];
        Span<double> row = result.Observations.AsSpan(i * _obsSize, _obsSize);
        row.CopyTo(result.FinalObservations.AsSpan(i * _obsSize, _obsSize));
        result.EpisodeReturns[i] = _episodeReturn[i];
        result.EpisodeLengths[i] = length;
        _episodeReturn[i] = 0;
        _episodeLength[i] = 0;
        _envs[i].Reset(null, row);
        if (!AllFinite(row))
        {
            ThrowNonFiniteObservation(i, row, "autoreset", length);
        }
    }

    /// <summary>
    /// True when every value is finite. 0·x is 0 for finite x and NaN for NaN or ±∞, and a sum with a NaN in it stays NaN: the
    /// sum of the products is 0 exactly when every value is finite. One branch for the whole span, vectorised.
    /// </summary>
    internal static bool AllFinite(ReadOnlySpan<double> values)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<double>.Count)
        {
            Vector<double> probe = Vector<double>.Zero;
            ref double start = ref MemoryMarshal.GetReference(values);
            for (; i <= values.Length - Vector<double>.Count; i += Vector<double>.Count)
            {
                probe += Vector.LoadUnsafe(ref start, (nuint)i) * Vector<double>.Zero;
            }
            if (!Vector.EqualsAll(probe, Vector<double>.Zero))
            {
                return false;
            }
        }
        double tail = 0.0;
        for (; i < values.Length; i++)
        {
            tail += values[i] * 0.0;
        }
        return tail == 0.0;
    }

    [DoesNotReturn]
    private void ThrowNotReady() =>
        throw new InvalidOperationException($"{Name}: Step was called before Reset (or after a failed step). Call Reset(seed, observations) first.");

    [DoesNotReturn]
    private void ThrowActionsLength(ReadOnlySpan<double> actions) =>
        throw new ArgumentException($"{Name}: actions has length {actions.Length}; expected NumEnvs × ActionSpace.FlatSize = {_envs.Length} × {_actSize} = {_envs.Length * _actSize}.", nameof(actions));

    [DoesNotReturn]
    private void ThrowResultShape(VectorStepBuffers result) =>
        throw new ArgumentException($"{Name}: result buffers are for {result.NumEnvs} copies × {result.ObsSize} observation values; expected {_envs.Length} × {_obsSize}.", nameof(result));

    [DoesNotReturn]
    private void ThrowNonFiniteObservation(int copy, ReadOnlySpan<double> row, string phase, int episodeStep)
    {
        int j = 0;
        while (double.IsFinite(row[j]))
        {
            j++;
        }
        ThrowNonFinite(copy, $"observation from {phase}", row[j], j, episodeStep);
    }

    [DoesNotReturn]
    private void ThrowNonFiniteStep(int copy, ReadOnlySpan<double> row, double reward, int episodeStep)
    {
        for (int j = 0; j < row.Length; j++)
        {
            if (!double.IsFinite(row[j]))
            {
                ThrowNonFinite(copy, "observation", row[j], j, episodeStep);
            }
        }
        ThrowNonFinite(copy, "reward", reward, -1, episodeStep);
    }

    [DoesNotReturn]
    private void ThrowNonFinite(int copy, string what, double value, int element, int episodeStep)
    {
        string at = element >= 0 ? $" element {element}" : "";
        throw new InvalidOperationException(
            $"{Name}: environment copy {copy} returned a non-finite {what}{at} = {value} at vector step {_step} (step {episodeStep} of its episode). NaN and infinite values are stopped here before they reach the learner; check the environment's dynamics and action handling.");
    }

    /// <summary>One vector step's chunk job (a group of copies), allocated once.</summary>
    private sealed class StepJob(VectorEnv owner) : IChunkJob
    {
        public void Execute(int chunk) => owner.RunChunk(chunk);
    }

    private void RunChunk(int chunk)
    {
        int n = _envs.Length;
        int from = (int)((long)chunk * n / _threads), to = (int)((long)(chunk + 1) * n / _threads);
        int progress = from;
        try
        {
            try
            {
                _chunkEnded[chunk] = StepRange(_actions, _current!, from, to, ref progress);
            }
            catch
            {
                ReplayStepped(_current!, from, progress);
                throw;
            }
        }
#pragma warning disable CA1031 // exceptions on worker threads are carried to the caller's thread and rethrown there
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _errors[chunk] = ex;
        }
    }

    private void ThrowFirstError()
    {
        for (int i = 0; i < _errors.Length; i++)
        {
            if (_errors[i] is { } ex)
            {
                Array.Clear(_errors);
                _ready = false;
                ExceptionDispatchInfo.Throw(ex);
            }
        }
    }

    private void Calibrate(long ticks)
    {
        _calibrated++;
        if (_calibrated <= CalibrationSkip)
        {
            return;
        }
        _calibrationTicks += ticks;
        if (_calibrated == CalibrationSkip + CalibrationSteps)
        {
            double seconds = (double)_calibrationTicks / Stopwatch.Frequency / CalibrationSteps;
            if (seconds >= ParallelThresholdSeconds && _threads > 1)
            {
                EnableParallel();
            }
        }
    }

    private void EnableParallel()
    {
        if (_threads > 1)
        {
            _pool ??= new ComputePool(_threads);
            _parallel = true;
        }
    }

    private static bool SameShape(Space a, Space b) =>
        a.GetType() == b.GetType() && a.FlatSize == b.FlatSize && a.ElementType == b.ElementType;
}
