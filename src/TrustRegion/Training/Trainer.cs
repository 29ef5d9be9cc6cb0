using System.Diagnostics;
using TrustRegion.Envs;
using TrustRegion.Envs.Wrappers;
using TrustRegion.Numerics;
using TrustRegion.Trpo;

namespace TrustRegion.Training;

/// <summary>
/// The TRPO training loop over a vectorized environment, in Spinning Up's order: collect <c>n_steps × n_envs</c> transitions,
/// GAE, policy step, value fit, evaluation when due, metrics, callback, checkpoint when due.
/// </summary>
/// <remarks>
/// <para><b>Randomness.</b> Every stream is split off the one run seed (<see cref="TrpoConfig.Seed"/>): policy initialisation
/// (stream 1), value initialisation (2), action sampling (3), value-fit minibatch shuffling (4), the environment copies' seeds (5),
/// evaluation episodes (6). No result depends on the number of threads stepping the environments.</para>
/// <para><b>Evaluation</b> runs before the iteration's metrics row and checkpoint, so that both include it: a run killed at any
/// moment and resumed from its latest checkpoint repeats whole iterations only, evaluations included. Each evaluation's episodes
/// are seeded from the run seed and the step count, so an evaluation never changes the training state.</para>
/// <para><b>Checkpoints</b> hold the complete state (see docs/checkpoints.md): parameters, Adam moments, normalisation statistics,
/// generator states, counters, the current observations and, when the environment implements <see cref="ISnapshotable"/>, its
/// exact state, so that a resumed run ends bit for bit where the uninterrupted run ends.</para>
/// </remarks>
public sealed class Trainer : IDisposable
{
    private const ulong PolicyInitStream = 1, ValueInitStream = 2, SamplingStream = 3, MinibatchStream = 4, EnvStream = 5, EvalStream = 6;

    private readonly Func<IEnv> _envFactory;
    private readonly VectorEnv _vector;
    private readonly VecNormalize? _normalize;
    private readonly IVectorEnv _envs;
    private readonly TrpoUpdater _updater;
    private readonly RolloutBuffer _buffer;
    private readonly RolloutCollector _collector;
    private readonly ValueFitOptions _fitOptions;
    private readonly EpisodeLog _episodes = new();
    private readonly double[] _normalized;
    private readonly int[] _subsampleOrder; // sub_sampling_factor > 1: a permutation of the rollout's rows, else empty
    private readonly double[] _subObservations, _subActions, _subAdvantages;
    private int _policyBatch;
    private readonly Metric[] _metrics = new Metric[MetricKeys.ProgressColumns.Count];
    private readonly Func<object?, (double Loss, long Ticks)> _fitAction = FitValue;
    private int _fitCount;
    private readonly ThreadReservation _fitThread = new();
    private EvaluationSlot[] _evalSlots = [];
    private double[] _evalReturns = [];
    private long[] _evalLengths = [];
    private EvaluationJob? _evalJob;

    /// <summary>Creates a trainer for a registered environment id (<see cref="TrpoConfig.EnvId"/>).</summary>
    /// <param name="config">The run's configuration; validated here.</param>
    /// <param name="registry">Where the id is looked up; <see cref="EnvRegistry.Default"/> when null.</param>
    /// <exception cref="ConfigException">The configuration is invalid.</exception>
    /// <exception cref="ArgumentException">The environment id is unknown.</exception>
    /// <exception cref="NotSupportedException">The configuration asks for something this build does not implement (<c>ortho_init: false</c>, <c>use_sde</c> with a non-Box action space), or the observation space is not a Box.</exception>
    public Trainer(TrpoConfig config, EnvRegistry? registry = null)
        : this(MakeFactory(config, registry ?? EnvRegistry.Default))
    {
    }

    private Trainer((TrpoConfig Config, Func<IEnv> Factory) setup)
        : this(setup.Config, setup.Factory, kwargsApplied: true)
    {
    }

    /// <summary>Creates a trainer for environments built by <paramref name="envFactory"/> (a new instance on every call).</summary>
    /// <param name="config">The run's configuration; validated here. Its <see cref="TrpoConfig.EnvId"/> names the environment in files and messages.</param>
    /// <param name="envFactory">Builds one environment copy (with its time limit, if any).</param>
    /// <exception cref="ConfigException">The configuration is invalid, or sets <c>env_kwargs</c>: the factory builds the environments
    /// itself, so give it the arguments instead.</exception>
    /// <exception cref="NotSupportedException">See <see cref="Trainer(TrpoConfig, EnvRegistry?)"/>.</exception>
    public Trainer(TrpoConfig config, Func<IEnv> envFactory)
        : this(config, envFactory, kwargsApplied: false)
    {
    }

    private Trainer(TrpoConfig config, Func<IEnv> envFactory, bool kwargsApplied)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(envFactory);
        config.Validate();
        if (!kwargsApplied && !config.EnvKwargs.IsEmpty)
        {
            // The factory builds the environments itself, so the arguments would be silently ignored.
            throw new ConfigException(
                $"env_kwargs is {config.EnvKwargs}, but the trainer was given an environment factory, which does not take them. Build the environment with those arguments inside the factory and remove env_kwargs, or create the trainer from a registry.",
                "env_kwargs");
        }
        if (!config.OrthoInit)
        {
            throw new NotSupportedException("ortho_init is false, but the policy and value networks always use orthogonal initialisation; remove the key or set ortho_init: true.");
        }
        Config = config;
        _envFactory = envFactory;
        var mode = config.VecEnv switch
        {
            VecEnvMode.Sequential => VectorMode.Sequential,
            VecEnvMode.Parallel => VectorMode.Parallel,
            _ => VectorMode.Auto,
        };
        _vector = new VectorEnv(_ => envFactory(), config.NumEnvs, new VectorEnvOptions { Mode = mode, Name = config.EnvId });
        try
        {
            if (config.UseSde && _vector.ActionSpace is not Box)
            {
                throw new NotSupportedException($"use_sde is true, but {config.EnvId} has the action space {_vector.ActionSpace}; gSDE explores continuous (Box) actions only. Set use_sde: false.");
            }
            if (_vector.ObservationSpace is not Box)
            {
                throw new NotSupportedException($"{config.EnvId}: the observation space is {_vector.ObservationSpace}; the MLP policy needs a Box observation space.");
            }
            if (config.NormalizeObservations || config.NormalizeRewards)
            {
                _normalize = new VecNormalize(_vector, new NormalizationOptions
                {
                    NormalizeObservations = config.NormalizeObservations,
                    NormalizeRewards = config.NormalizeRewards,
                    ClipObservations = config.ClipObs,
                    ClipRewards = config.ClipReward,
                    Gamma = config.Gamma,
                });
            }
            _envs = (IVectorEnv?)_normalize ?? _vector;
            int obsSize = _vector.ObservationSpace.FlatSize;
            Activation activation = config.Activation == ActivationFunction.Relu ? Activation.ReLU : Activation.Tanh;
            var root = new Rng(config.Seed);
            Policy = new Policy(_vector.ActionSpace, obsSize, config.NetArch.Policy, activation, config.LogStdInit, root.Split(PolicyInitStream), config.UseSde, config.Precision);
            Value = new ValueFunction(obsSize, config.NetArch.Value, activation, root.Split(ValueInitStream), config.Precision);
            Sampling = root.Split(SamplingStream);
            Minibatch = root.Split(MinibatchStream);
            _buffer = new RolloutBuffer(config.NumSteps, config.NumEnvs, obsSize, Policy.ActionSize);
            _updater = new TrpoUpdater(Policy, _buffer.Count, new TrpoOptions
            {
                MaxKl = config.TargetKl,
                CgIterations = config.CgMaxSteps,
                CgDamping = config.CgDamping,
                LineSearchSteps = config.LineSearchMaxIterations,
                LineSearchBacktrack = config.LineSearchShrinkingFactor,
                NormalizeAdvantage = config.NormalizeAdvantage,
                FisherSubsampling = 1, // sub_sampling_factor subsamples the whole policy step (SelectPolicyBatch), as sb3-contrib
                EntropyCoefficient = config.EntCoef,
                KlPerActionDimension = config.KlPerActionDim,
            });
            _fitOptions = new ValueFitOptions { LearningRate = config.LearningRate, Epochs = config.CriticUpdates, MinibatchSize = config.BatchSize };
            _collector = new RolloutCollector(_envs, Policy, Value, config.SdeSampleFreq);
            _normalized = new double[obsSize];
            int k = config.SubSamplingFactor, subCount = k > 1 ? ((_buffer.Count - 1) / k) + 1 : 0;
            _subsampleOrder = k > 1 ? new int[_buffer.Count] : [];
            _subObservations = new double[subCount * obsSize];
            _subActions = new double[subCount * Policy.ActionSize];
            _subAdvantages = new double[subCount];
            _collector.Reset(root.Split(EnvStream).NextUInt64());
        }
        catch
        {
            _vector.Dispose();
            throw;
        }
    }

    /// <summary>The run's configuration.</summary>
    public TrpoConfig Config { get; }

    /// <summary>The policy being trained.</summary>
    public Policy Policy { get; }

    /// <summary>The value function being fitted.</summary>
    public ValueFunction Value { get; }

    /// <summary>The environment copies (normalised when the configuration asks for it).</summary>
    public IVectorEnv Environments => _envs;

    /// <summary>The observation and reward normaliser, or null when the configuration normalises nothing.</summary>
    public VecNormalize? Normalizer => _normalize;

    /// <summary>Environment steps taken so far, over all copies.</summary>
    public long TotalSteps { get; internal set; }

    /// <summary>Iterations completed so far.</summary>
    public long Iterations { get; internal set; }

    /// <summary>
    /// The fingerprint of the data that defines the environment beyond its id and arguments (<see cref="IEnvFingerprint"/>,
    /// e.g. a MuJoCo model's MJCF document), or null when the environment reports none. Checkpoints record it.
    /// </summary>
    public string? EnvironmentFingerprint => _vector.GetEnv(0).Find<IEnvFingerprint>()?.Fingerprint;

    /// <summary>The <see cref="EnvironmentFingerprint"/> recorded in the checkpoint this trainer was loaded from; null for a new
    /// trainer or a checkpoint that holds none.</summary>
    public string? CheckpointEnvironmentFingerprint { get; internal set; }

    /// <summary>
    /// True when this trainer was loaded from a checkpoint whose environment fingerprint differs from the environment's now:
    /// the configuration rebuilt the same id and arguments, but the data behind them (a model file) has changed since the
    /// checkpoint was written. Resuming would then train on another environment, and evaluating measures the policy on it.
    /// </summary>
    public bool EnvironmentChangedSinceCheckpoint =>
        CheckpointEnvironmentFingerprint is { } recorded && EnvironmentFingerprint is { } current && recorded != current;

    /// <summary>Best evaluation mean return seen so far (−∞ before the first evaluation).</summary>
    public double BestEvaluationMean { get; internal set; } = double.NegativeInfinity;

    /// <summary>Wall time spent training this run, in seconds, over all sessions (resumed runs included).</summary>
    public double ElapsedSeconds => ElapsedBefore;

    /// <summary>
    /// Where the wall time of the latest <see cref="Train"/> call went, phase by phase (the final checkpoint, the wait for background
    /// checkpoint writes and the sinks' flush count as output). Not part of the training state: not saved in checkpoints.
    /// </summary>
    public IterationTimings SessionTimings { get; private set; }

    /// <summary>Wall time of earlier sessions of this run (restored from a checkpoint).</summary>
    internal double ElapsedBefore { get; set; }

    internal Rng Sampling { get; }

    internal Rng Minibatch { get; }

    internal EpisodeLog Episodes => _episodes;

    internal double[] CurrentObservations => _collector.Observations;

    internal IVectorEnv OutermostEnv => _envs;

    /// <summary>
    /// Trains until <see cref="TotalSteps"/> reaches <paramref name="totalSteps"/> (the last iteration may pass it by less than one
    /// rollout), the callback returns false, or <paramref name="cancellation"/> is triggered (checked between iterations).
    /// </summary>
    /// <returns>Why training stopped.</returns>
    /// <remarks>
    /// The periodic and best-model checkpoints are serialized on the training thread when due and written to disk on a background
    /// thread (<see cref="CheckpointFiles"/>); every such write has landed before this method returns or throws. The final
    /// checkpoint is written afterwards, synchronously.
    /// </remarks>
    /// <exception cref="TrainingDivergedException">A loss, gradient or KL became non-finite.</exception>
    /// <exception cref="IOException">A checkpoint could not be written (the exception of the write, naming the file), unless
    /// training itself failed first: then training's exception propagates.</exception>
    public TrainingStop Train(long totalSteps, TrainerOutputs? outputs = null, CancellationToken cancellation = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(totalSteps);
        try
        {
            return TrainLoop(totalSteps, outputs ?? new TrainerOutputs(), cancellation);
        }
        finally
        {
            // Normally already drained by the loop (a no-op here). When training throws (divergence, a sink, the callback, a failed
            // write), the handed-over writes still land before Train returns, and a write failure found now is dropped so that
            // the original error surfaces.
            CheckpointFiles.DrainAndTakeFailure();
        }
    }

    /// <summary>
    /// Writes the periodic and best-model checkpoints of <see cref="Train"/> off the training thread; drained before Train returns.
    /// Tests may replace it (between training sessions) to observe or delay the writes.
    /// </summary>
    internal BackgroundFileWriter CheckpointFiles { get; set; } = new();

    /// <summary>
    /// Takes the complete training state now, on the training thread: every section is copied into the checkpoint as it is added,
    /// so the state may change as soon as this returns. <see cref="CheckpointFiles"/> then assembles the file (the bytes
    /// <see cref="Save"/> would write: <see cref="CheckpointWriter.ToArray"/> is a pure function of the sections) and writes it
    /// atomically while training goes on.
    /// </summary>
    private void SaveInBackground(string path) => CheckpointFiles.Enqueue(path, TrainingCheckpoint.Write(this).ToArray);

    private TrainingStop TrainLoop(long totalSteps, TrainerOutputs outputs, CancellationToken cancellation)
    {
        long sessionStartSteps = TotalSteps;
        double elapsedAtStart = ElapsedBefore;
        long clockStart = Stopwatch.GetTimestamp();
        TrainingStop stop = TrainingStop.Completed;
        int n = _buffer.Count;
        SessionTimings = default;
        long outputTicks = 0; // the previous iteration's metrics, callback and checkpoint
        while (TotalSteps < totalSteps)
        {
            if (cancellation.IsCancellationRequested)
            {
                stop = TrainingStop.Cancelled;
                break;
            }
            long before = TotalSteps;
            _collector.Collect(_buffer, Sampling, _episodes);
            TotalSteps += n;
            Iterations++;
            long t0 = Stopwatch.GetTimestamp();
            Gae.Compute(_buffer, Config.Gamma, Config.GaeLambda);
            double explained = Gae.ExplainedVariance(_buffer.Values, _buffer.Returns);
            long t1 = Stopwatch.GetTimestamp();
            SelectPolicyBatch();
            (TrpoDiagnostics step, double valueLoss, long policyTicks, long valueTicks) = UpdateLearners(n);
            long t3 = Stopwatch.GetTimestamp();

            EvaluationResult? evaluation = null;
            if (Config.EvalFreq > 0 && TotalSteps / Config.EvalFreq > before / Config.EvalFreq)
            {
                evaluation = Evaluate(Config.EvalEpisodes, deterministic: true, EvaluationSeed(TotalSteps));
                if (evaluation.Value.ReturnMean > BestEvaluationMean)
                {
                    BestEvaluationMean = evaluation.Value.ReturnMean;
                    if (outputs.BestModelPath is { } best)
                    {
                        SaveInBackground(best);
                    }
                }
            }
            long t4 = Stopwatch.GetTimestamp();
            var timings = new IterationTimings(
                Seconds(_collector.EnvTicks), Seconds(_collector.InferenceTicks),
                Seconds(_collector.TotalTicks - _collector.EnvTicks - _collector.InferenceTicks),
                Seconds(t1 - t0), Seconds(policyTicks), Seconds(valueTicks), Seconds(t4 - t3), Seconds(outputTicks));
            SessionTimings += timings;

            double session = Stopwatch.GetElapsedTime(clockStart).TotalSeconds;
            ElapsedBefore = elapsedAtStart + session;
            var report = new IterationReport(Iterations, TotalSteps, totalSteps, ElapsedBefore,
                session > 0 ? (TotalSteps - sessionStartSteps) / session : 0, _episodes.MeanReturn, _episodes.MeanLength,
                step, explained, valueLoss, evaluation, timings);
            WriteMetrics(report, outputs.Sinks);
            bool keepGoing = outputs.Callback?.Invoke(report) ?? true;
            if (outputs.CheckpointPath is { } path && Config.CheckpointFreq > 0 && TotalSteps / Config.CheckpointFreq > before / Config.CheckpointFreq)
            {
                SaveInBackground(path);
            }
            outputTicks = Stopwatch.GetTimestamp() - t4;
            if (!keepGoing)
            {
                stop = TrainingStop.StoppedByCallback;
                break;
            }
        }
        long finalOutput = Stopwatch.GetTimestamp();
        CheckpointFiles.Drain(); // the background writes land (a failed one is rethrown here) before the final, synchronous one
        ElapsedBefore = elapsedAtStart + Stopwatch.GetElapsedTime(clockStart).TotalSeconds;
        if (outputs.CheckpointPath is { } final)
        {
            Save(final);
        }
        foreach (IMetricSink sink in outputs.Sinks)
        {
            sink.Flush();
        }
        SessionTimings += new IterationTimings { OutputSeconds = Seconds(outputTicks + (Stopwatch.GetTimestamp() - finalOutput)) };
        return stop;
    }

    /// <summary>
    /// Whether the policy step and the value fit of an iteration run at the same time on two threads (default: when the machine
    /// has more than one logical processor). They share no mutable state (the policy step reads the rollout's observations,
    /// actions and advantages and writes the policy; the fit reads observations and returns, writes the value network and draws
    /// from its own minibatch stream), so the results are bit for bit those of running them one after the other.
    /// </summary>
    public bool OverlapLearners { get; set; } = Environment.ProcessorCount > 1;

    /// <summary>The policy step and the value fit, overlapped when <see cref="OverlapLearners"/>; with each one's own duration in ticks.</summary>
    private (TrpoDiagnostics Step, double ValueLoss, long PolicyTicks, long ValueTicks) UpdateLearners(int n)
    {
        if (!OverlapLearners)
        {
            long a = Stopwatch.GetTimestamp();
            TrpoDiagnostics step = UpdatePolicy();
            long b = Stopwatch.GetTimestamp();
            double loss = Value.Fit(_buffer.Observations, _buffer.Returns, n, _fitOptions, Minibatch);
            return (step, loss, b - a, Stopwatch.GetTimestamp() - b);
        }
        _fitCount = n;
        // While both run, the fit keeps one core to itself: the policy step's passes run on one thread fewer (on two cores: on
        // this thread alone) instead of three threads time-slicing two cores. Whichever finishes first hands the thread back.
        _fitThread.Take(_updater.Workers);
        Task<(double Loss, long Ticks)> fit;
        try
        {
            fit = Task.Factory.StartNew(_fitAction, this, CancellationToken.None, TaskCreationOptions.None, TaskScheduler.Default);
        }
        catch
        {
            _fitThread.Release();
            throw;
        }
        TrpoDiagnostics result;
        long policyTicks;
        try
        {
            long start = Stopwatch.GetTimestamp();
            result = UpdatePolicy();
            policyTicks = Stopwatch.GetTimestamp() - start;
        }
        finally
        {
            _fitThread.Release();
            // Never leave the fit running past this call, even when the policy step throws.
            try
            {
                fit.Wait();
            }
            catch (AggregateException)
            {
                // Rethrown below when the policy step succeeded; otherwise the policy step's exception wins, as run in sequence.
            }
        }
        (double valueLoss, long valueTicks) = fit.GetAwaiter().GetResult(); // rethrows the fit's own exception, unwrapped
        return (result, valueLoss, policyTicks, valueTicks);
    }

    /// <summary>The policy step on the batch chosen by <see cref="SelectPolicyBatch"/>.</summary>
    private TrpoDiagnostics UpdatePolicy() => _subsampleOrder.Length == 0
        ? _updater.Update(_buffer.Observations, _buffer.Actions, _buffer.Advantages, _buffer.Count)
        : _updater.Update(_subObservations, _subActions, _subAdvantages, _policyBatch);

    /// <summary>
    /// Chooses the policy step's batch, as sb3-contrib's <c>sub_sampling_factor</c> k: with k = 1 the whole rollout; with k &gt; 1 the
    /// rollout's rows in a random order drawn from the sampling stream, then every k-th of them (⌈T·E / k⌉ rows), copied with their
    /// actions and advantages. The whole policy step (advantage normalisation, surrogate, gradient, Fisher products, line search)
    /// then uses that subset; the value fit always uses the whole rollout. Returns the batch size.
    /// </summary>
    internal int SelectPolicyBatch()
    {
        int n = _buffer.Count;
        if (_subsampleOrder.Length == 0)
        {
            return _policyBatch = n;
        }
        int k = Config.SubSamplingFactor, obs = _buffer.ObservationSize, act = _buffer.ActionSize;
        Span<int> order = _subsampleOrder;
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
        }
        Sampling.Shuffle(order);
        int m = 0;
        for (int i = 0; i < n; i += k, m++)
        {
            int row = order[i];
            _buffer.Observations.AsSpan(row * obs, obs).CopyTo(_subObservations.AsSpan(m * obs, obs));
            _buffer.Actions.AsSpan(row * act, act).CopyTo(_subActions.AsSpan(m * act, act));
            _subAdvantages[m] = _buffer.Advantages[row];
        }
        return _policyBatch = m;
    }

    /// <summary>The policy step's batch chosen by the last <see cref="SelectPolicyBatch"/>: observations, actions, advantages.</summary>
    internal (double[] Observations, double[] Actions, double[] Advantages) SubsampledPolicyBatch => (_subObservations, _subActions, _subAdvantages);

    internal RolloutBuffer Buffer => _buffer;

    private static (double Loss, long Ticks) FitValue(object? state)
    {
        var t = (Trainer)state!;
        try
        {
            long start = Stopwatch.GetTimestamp();
            double loss = t.Value.Fit(t._buffer.Observations, t._buffer.Returns, t._fitCount, t._fitOptions, t.Minibatch);
            return (loss, Stopwatch.GetTimestamp() - start);
        }
        finally
        {
            t._fitThread.Release();
        }
    }

    /// <summary>The seed of the evaluation run at <paramref name="totalSteps"/>: stream 6 of the run seed, split by the step count.</summary>
    public ulong EvaluationSeed(long totalSteps) => new Rng(Config.Seed).Split(EvalStream).Split((ulong)totalSteps).NextUInt64();

    /// <summary>
    /// Runs <paramref name="episodes"/> whole episodes on environment instances of its own with the current policy and the
    /// frozen normalisation statistics, reporting raw returns. Episode i is reset with <c>new Rng(seed).Split(i)</c>; stochastic
    /// actions are sampled from <c>new Rng(seed).Split(2⁶⁴ − 1)</c> (gSDE: a noise matrix drawn from it at each episode start and
    /// every <c>sde_sample_freq</c> steps, the training noise being restored afterwards). The training state is not touched.
    /// </summary>
    /// <remarks>
    /// A deterministic evaluation of a policy without gSDE runs its episodes in parallel, one environment copy per thread of
    /// <see cref="ComputePool.Shared"/>, unless <c>vec_env</c> is <c>sequential</c>. An episode depends only on its own reset seed
    /// and the policy, and the returns are summed in episode order, so the result is bit for bit the same on any number of
    /// threads. Stochastic evaluations draw every action from one stream in episode order, so they run on the calling thread.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="episodes"/> is not positive.</exception>
    public EvaluationResult Evaluate(int episodes, bool deterministic = true, ulong seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(episodes);
        var root = new Rng(seed);
        ComputePool pool = ComputePool.Shared;
        bool parallel = deterministic && !Policy.UsesSde && Config.VecEnv != VecEnvMode.Sequential && pool.Threads > 1 && episodes > 1;
        EnsureEvaluationSlots(parallel ? Math.Min(pool.Threads, episodes) : 1);
        if (_evalReturns.Length < episodes)
        {
            _evalReturns = new double[episodes];
            _evalLengths = new long[episodes];
        }
        if (parallel)
        {
            _evalJob ??= new EvaluationJob(this);
            _evalJob.Root = root;
            pool.Run(_evalJob, episodes);
        }
        else
        {
            EvaluateSequentially(episodes, deterministic, root);
        }
        double sumR = 0, sumR2 = 0, sumL = 0, sumL2 = 0;
        for (int i = 0; i < episodes; i++)
        {
            double episodeReturn = _evalReturns[i];
            long length = _evalLengths[i];
            sumR += episodeReturn;
            sumR2 += episodeReturn * episodeReturn;
            sumL += length;
            sumL2 += (double)length * length;
        }
        double meanR = sumR / episodes, meanL = sumL / episodes;
        return new EvaluationResult(episodes, meanR, Math.Sqrt(Math.Max(0, (sumR2 / episodes) - (meanR * meanR))),
            meanL, Math.Sqrt(Math.Max(0, (sumL2 / episodes) - (meanL * meanL))));
    }

    /// <summary>Environment copies made for evaluations so far: one per thread that has run an episode of one evaluation at once.</summary>
    internal int EvaluationCopies => _evalSlots.Length;

    private void EvaluateSequentially(int episodes, bool deterministic, Rng root)
    {
        Rng? sampling = deterministic ? null : root.Split(ulong.MaxValue);
        // gSDE sampling uses the policy's noise matrices: keep the training ones aside, draw the evaluation's from its own stream.
        double[]? savedNoise = !deterministic && Policy.UsesSde ? Policy.Noise.ToArray() : null;
        try
        {
            for (int i = 0; i < episodes; i++)
            {
                RunEpisode(i, root, _evalSlots[0], sampling);
            }
        }
        finally
        {
            if (savedNoise is { Length: > 0 })
            {
                Policy.RestoreNoise(savedNoise);
            }
        }
    }

    /// <summary>
    /// Runs evaluation episode <paramref name="episode"/> on <paramref name="slot"/>: deterministic actions computed in the
    /// slot's own buffers when <paramref name="sampling"/> is null and the policy has no gSDE head (safe on any thread, one
    /// slot per thread), else through <see cref="Act(ReadOnlySpan{double}, Span{double}, bool, Rng?)"/> (the calling thread
    /// only), sampling from <paramref name="sampling"/>.
    /// </summary>
    private void RunEpisode(int episode, Rng root, EvaluationSlot slot, Rng? sampling = null)
    {
        slot.Env.Reset(root.Split((ulong)episode).NextUInt64(), slot.Observation);
        Span<double> action = slot.Action;
        int actionSize = slot.Env.ActionSpace.FlatSize;
        bool sde = sampling is not null && Policy.UsesSde, ownBuffers = sampling is null && !Policy.UsesSde;
        double episodeReturn = 0;
        long length = 0;
        while (true)
        {
            if (sde && (length == 0 || (Config.SdeSampleFreq > 0 && length % Config.SdeSampleFreq == 0)))
            {
                Policy.ResampleNoise(sampling!, 1);
            }
            if (ownBuffers)
            {
                Act(slot.Observation, action, slot.Normalized, slot.Acting);
            }
            else
            {
                Act(slot.Observation, action, deterministic: sampling is null, sampling);
            }
            StepResult r = slot.Env.Step(action[..actionSize], slot.Observation);
            episodeReturn += r.Reward;
            length++;
            if (r.Terminated || r.Truncated)
            {
                break;
            }
        }
        _evalReturns[episode] = episodeReturn;
        _evalLengths[episode] = length;
    }

    private void EnsureEvaluationSlots(int count)
    {
        if (_evalSlots.Length >= count)
        {
            return;
        }
        var slots = new EvaluationSlot[count];
        _evalSlots.CopyTo(slots, 0);
        for (int i = _evalSlots.Length; i < count; i++)
        {
            slots[i] = new EvaluationSlot(_envFactory(), Policy);
        }
        _evalSlots = slots;
    }

    /// <summary>One thread's means of running evaluation episodes: an environment copy and buffers for acting on one observation.</summary>
    private sealed class EvaluationSlot(IEnv env, Policy policy)
    {
        public readonly IEnv Env = env;
        public readonly double[] Observation = new double[policy.ObservationSize];
        public readonly double[] Normalized = new double[policy.ObservationSize];
        public readonly double[] Action = new double[Math.Max(policy.ActionSize, env.ActionSpace.FlatSize)];
        public readonly Policy.ActingBuffers Acting = new(policy);
        public int Busy;
    }

    /// <summary>Chunk i runs evaluation episode i on whichever slot is free (at most one chunk per pool thread runs at a time).</summary>
    private sealed class EvaluationJob(Trainer owner) : IChunkJob
    {
        public Rng Root = new(0);

        public void Execute(int chunk)
        {
            EvaluationSlot[] slots = owner._evalSlots;
            int s = 0;
            while (Interlocked.CompareExchange(ref slots[s].Busy, 1, 0) != 0)
            {
                s = (s + 1) % slots.Length;
            }
            try
            {
                owner.RunEpisode(chunk, Root, slots[s]);
            }
            finally
            {
                Volatile.Write(ref slots[s].Busy, 0);
            }
        }
    }

    /// <summary>
    /// Chooses the action for one raw observation: normalised with the frozen statistics, then the policy's mode (or a sample
    /// from <paramref name="rng"/>; gSDE: with the current noise matrix 0), clipped to a Box action space's bounds.
    /// </summary>
    internal void Act(ReadOnlySpan<double> observation, Span<double> action, bool deterministic, Rng? rng)
    {
        ReadOnlySpan<double> input = Normalized(observation, _normalized);
        if (!deterministic && rng is not null && Policy.UsesSde && Policy.NoiseEnvCount == 0)
        {
            Policy.ResampleNoise(rng, 1); // a gSDE sample before any rollout: draw a first noise matrix
        }
        Policy.Predict(input, action, deterministic, rng);
        ClipToBox(action);
    }

    /// <summary>
    /// The deterministic action of <see cref="Act(ReadOnlySpan{double}, Span{double}, bool, Rng?)"/>, computed in a caller's own buffers (<paramref name="normalized"/>,
    /// <paramref name="buffers"/>), so that several threads can act at once; not for gSDE policies.
    /// </summary>
    private void Act(ReadOnlySpan<double> observation, Span<double> action, Span<double> normalized, Policy.ActingBuffers buffers)
    {
        Policy.PredictMode(Normalized(observation, normalized), action, buffers);
        ClipToBox(action);
    }

    /// <summary>The observation normalised with the frozen statistics into <paramref name="destination"/>, or itself without normalisation.</summary>
    private ReadOnlySpan<double> Normalized(ReadOnlySpan<double> observation, Span<double> destination)
    {
        if (_normalize is not { Options.NormalizeObservations: true })
        {
            return observation;
        }
        _normalize.NormalizeObservations(observation, destination);
        return destination;
    }

    private void ClipToBox(Span<double> action)
    {
        if (_vector.ActionSpace is Box box)
        {
            box.Clip(action[..box.FlatSize]);
        }
    }

    /// <summary>Writes the complete training state to <paramref name="path"/> atomically (format in docs/checkpoints.md).</summary>
    public void Save(string path) => TrainingCheckpoint.Write(this).Save(path);

    /// <summary>
    /// Rebuilds a trainer from a checkpoint: the configuration stored in it (with <paramref name="totalTimesteps"/> replacing
    /// n_timesteps when given), environments from <paramref name="registry"/>, every parameter, statistic, generator, counter and,
    /// when present, the environments' exact state.
    /// </summary>
    /// <exception cref="CheckpointException">A section is missing or does not match the environment or the networks (named in the message).</exception>
    public static Trainer Load(Checkpoint checkpoint, EnvRegistry? registry = null, long? totalTimesteps = null) =>
        TrainingCheckpoint.Restore(checkpoint, config => new Trainer(config, registry), totalTimesteps);

    /// <summary>As <see cref="Load(Checkpoint, EnvRegistry?, long?)"/>, with environments built by <paramref name="envFactory"/>.</summary>
    /// <exception cref="CheckpointException">A section is missing or does not match the environment or the networks.</exception>
    public static Trainer Load(Checkpoint checkpoint, Func<IEnv> envFactory, long? totalTimesteps = null) =>
        TrainingCheckpoint.Restore(checkpoint, config => new Trainer(config, envFactory), totalTimesteps);

    /// <summary>SHA-256 (lowercase hex) of the policy parameters then the value parameters, as little-endian binary64 bytes.</summary>
    public string ParameterHash()
    {
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        AppendLittleEndian(sha, Policy.Parameters);
        AppendLittleEndian(sha, Value.Parameters);
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>Disposes the environments.</summary>
    public void Dispose()
    {
        _envs.Dispose();
        foreach (EvaluationSlot slot in _evalSlots)
        {
            slot.Env.Dispose();
        }
    }

    /// <summary>Resets the environment copies with a seed derived from the run seed and the iteration (used when a checkpoint holds no environment snapshot).</summary>
    internal void ResetEnvironments(ulong salt) => _collector.Reset(new Rng(Config.Seed).Split(EnvStream).Split(salt).NextUInt64());

    private static double Seconds(long ticks) => (double)ticks / Stopwatch.Frequency;

    private static void AppendLittleEndian(System.Security.Cryptography.IncrementalHash sha, ReadOnlySpan<double> values)
    {
        Span<byte> bytes = stackalloc byte[8];
        foreach (double v in values)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteDoubleLittleEndian(bytes, v);
            sha.AppendData(bytes);
        }
    }

    /// <summary>
    /// Checks, without building anything, that <paramref name="config"/>'s environment id is registered and that its
    /// <c>env_kwargs</c> are arguments the environment accepts, with values it can read: what building a trainer would
    /// report, found before any run starts (a benchmark of several environments checks them all first).
    /// </summary>
    /// <exception cref="ArgumentException">The environment id is not registered.</exception>
    /// <exception cref="ConfigException"><c>env_kwargs</c> names an argument the environment does not take, or a value it cannot read.</exception>
    public static void CheckEnvironment(TrpoConfig config, EnvRegistry? registry = null) => MakeFactory(config, registry ?? EnvRegistry.Default);

    /// <summary>
    /// The factory of a registered id, and the configuration with its <c>env_kwargs</c> in canonical form
    /// (<see cref="EnvArguments.ToKwargs"/>: the values as the environment reads them, a relative model path made absolute),
    /// so that checkpoints and config.yml rebuild the same environment wherever they are used.
    /// </summary>
    private static (TrpoConfig Config, Func<IEnv> Factory) MakeFactory(TrpoConfig config, EnvRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(config);
        registry.GetSpec(config.EnvId); // unknown ids fail here with suggestions
        EnvKwargs kwargs = config.EnvKwargs;
        if (!kwargs.IsEmpty)
        {
            try
            {
                kwargs = registry.BindArguments(config.EnvId, kwargs).ToKwargs();
            }
            catch (ArgumentException e)
            {
                throw new ConfigException($"Invalid value for 'env_kwargs': {e.Message}", "env_kwargs", e);
            }
            config = config with { EnvKwargs = kwargs };
        }
        return (config, () => registry.Make(config.EnvId, kwargs: kwargs));
    }

    private void WriteMetrics(in IterationReport r, IReadOnlyList<IMetricSink> sinks)
    {
        if (sinks.Count == 0)
        {
            return;
        }
        int k = 0;
        void Put(string key, double value)
        {
            if (!double.IsNaN(value))
            {
                _metrics[k++] = new Metric(key, value);
            }
        }
        Put(MetricKeys.Iterations, r.Iteration);
        Put(MetricKeys.Fps, r.StepsPerSecond);
        Put(MetricKeys.ElapsedSeconds, r.ElapsedSeconds);
        Put(MetricKeys.EpisodeReturnMean, r.EpisodeReturnMean);
        Put(MetricKeys.EpisodeLengthMean, r.EpisodeLengthMean);
        Put(MetricKeys.Kl, r.Policy.Kl);
        Put(MetricKeys.SurrogateImprovement, r.Policy.ActualImprovement);
        Put(MetricKeys.LineSearchAccepted, r.Policy.Outcome == LineSearchOutcome.Accepted ? 1 : 0);
        Put(MetricKeys.LineSearchSteps, r.Policy.LineSearchSteps);
        Put(MetricKeys.CgResidual, r.Policy.CgResidual);
        Put(MetricKeys.ExplainedVariance, r.ExplainedVariance);
        Put(MetricKeys.ValueLoss, r.ValueLoss);
        Put(MetricKeys.Entropy, r.Policy.Entropy);
        Put(MetricKeys.Std, r.Policy.MeanStd);
        if (r.Evaluation is { } e)
        {
            Put(MetricKeys.EvalReturnMean, e.ReturnMean);
            Put(MetricKeys.EvalReturnStd, e.ReturnStd);
        }
        IterationTimings time = r.Timings;
        Put(MetricKeys.EnvSeconds, time.EnvSeconds);
        Put(MetricKeys.InferenceSeconds, time.InferenceSeconds);
        Put(MetricKeys.RolloutOtherSeconds, time.RolloutOtherSeconds);
        Put(MetricKeys.GaeSeconds, time.GaeSeconds);
        Put(MetricKeys.PolicyUpdateSeconds, time.PolicyUpdateSeconds);
        Put(MetricKeys.ValueFitSeconds, time.ValueFitSeconds);
        Put(MetricKeys.EvaluationSeconds, time.EvaluationSeconds);
        Put(MetricKeys.OutputSeconds, time.OutputSeconds);
        foreach (IMetricSink sink in sinks)
        {
            sink.Write(r.TotalSteps, _metrics.AsSpan(0, k));
        }
    }
}
