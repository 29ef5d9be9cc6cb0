using System.Runtime.Intrinsics;

namespace TrustRegion.Envs.Wrappers;

/// <summary>
/// Observation and reward normalisation over a vectorized environment, with Stable-Baselines3's <c>VecNormalize</c> semantics.
/// </summary>
/// <remarks>
/// <para><b>Observations:</b> <c>clip((o − mean) / sqrt(var + ε), ±ClipObservations)</c>. While <see cref="Training"/>, the statistics
/// are first updated with the batch of observations returned by each Reset and Step (after autoreset, so reset observations
/// count and final observations do not). Final observations are normalised with the same statistics, without updating them.</para>
/// <para><b>Rewards:</b> per copy a discounted return <c>R ← γ·R + r</c> is kept; while training, its running variance is updated
/// with the E returns of each step; the reward becomes <c>clip(r / sqrt(var_R + ε), ±ClipRewards)</c>; R restarts at 0 when the
/// copy's episode ends (either flag) and on Reset.</para>
/// <para><b>Evaluation:</b> set <see cref="Training"/> to false to freeze the statistics; build the evaluation wrapper with
/// <c>NormalizeRewards = false</c> and the training wrapper's <see cref="ExportState"/> to report raw rewards.
/// <see cref="RawObservations"/> and <see cref="RawRewards"/> always hold the unnormalised values of the last call, and
/// <see cref="VectorStepBuffers.EpisodeReturns"/> stays raw.</para>
/// <para><b>Snapshots:</b> <see cref="SaveSnapshot"/> writes the options and sizes (checked on load), <see cref="Training"/>,
/// both statistics, the per-copy discounted returns and the raw observations and rewards of the last call, then the inner
/// vectorized environment's snapshot; the inner environment must implement <see cref="ISnapshotable"/>.</para>
/// </remarks>
public sealed class VecNormalize : IVectorEnv, ISnapshotable
{
    private const string SnapshotTag = "TrustRegion.Envs.Wrappers.VecNormalize";
    private const int SnapshotVersion = 1;

    private readonly IVectorEnv _inner;
    private readonly NormalizationOptions _options;
    private readonly RunningMeanStd _obsStats;
    private readonly RunningMeanStd _returnStats;
    private readonly double[] _returns;
    private readonly double[] _rawObservations;
    private readonly double[] _rawRewards;
    private readonly int _obsSize;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    /// <exception cref="ArgumentException">Observation normalisation is requested for a non-Box observation space.</exception>
    public VecNormalize(IVectorEnv inner, NormalizationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        options ??= new NormalizationOptions();
        options.Validate();
        if (options.NormalizeObservations && inner.ObservationSpace is not Box)
        {
            throw new ArgumentException($"Observation normalisation needs a Box observation space; found {inner.ObservationSpace}. Set NormalizeObservations = false.", nameof(options));
        }
        _inner = inner;
        _options = options;
        _obsSize = inner.ObservationSpace.FlatSize;
        _obsStats = new RunningMeanStd(_obsSize);
        _returnStats = new RunningMeanStd(1);
        _returns = new double[inner.NumEnvs];
        _rawObservations = new double[inner.NumEnvs * _obsSize];
        _rawRewards = new double[inner.NumEnvs];
    }

    /// <summary>The wrapped vectorized environment.</summary>
    public IVectorEnv Inner => _inner;

    /// <summary>The settings.</summary>
    public NormalizationOptions Options => _options;

    /// <summary>While true (default), Reset and Step update the statistics; false freezes them (evaluation).</summary>
    public bool Training { get; set; } = true;

    /// <inheritdoc/>
    public int NumEnvs => _inner.NumEnvs;

    /// <inheritdoc/>
    public Space ObservationSpace => _inner.ObservationSpace;

    /// <inheritdoc/>
    public Space ActionSpace => _inner.ActionSpace;

    /// <summary>Observation statistics.</summary>
    public RunningMeanStd ObservationStatistics => _obsStats;

    /// <summary>Statistics of the discounted return.</summary>
    public RunningMeanStd ReturnStatistics => _returnStats;

    /// <summary>Unnormalised observations of the last Reset or Step, [E, ObsSize].</summary>
    public ReadOnlySpan<double> RawObservations => _rawObservations;

    /// <summary>Unnormalised rewards of the last Step, [E].</summary>
    public ReadOnlySpan<double> RawRewards => _rawRewards;

    /// <inheritdoc/>
    public void Reset(ulong seed, Span<double> observations)
    {
        _inner.Reset(seed, observations);
        observations.CopyTo(_rawObservations);
        Array.Clear(_returns);
        Array.Clear(_rawRewards);
        if (_options.NormalizeObservations)
        {
            if (Training)
            {
                _obsStats.Update(observations);
            }
            NormalizeObservations(observations, observations);
        }
    }

    /// <inheritdoc/>
    public void Step(ReadOnlySpan<double> actions, VectorStepBuffers result)
    {
        _inner.Step(actions, result);
        result.Observations.CopyTo(_rawObservations, 0);
        result.Rewards.CopyTo(_rawRewards, 0);
        int e = result.NumEnvs;
        if (_options.NormalizeObservations)
        {
            if (Training)
            {
                _obsStats.Update(result.Observations);
            }
            NormalizeObservations(result.Observations, result.Observations);
            for (int i = 0; i < e; i++)
            {
                if (result.Terminated[i] || result.Truncated[i])
                {
                    Span<double> row = result.FinalObservations.AsSpan(i * _obsSize, _obsSize);
                    NormalizeObservations(row, row);
                }
            }
        }
        if (_options.NormalizeRewards)
        {
            if (Training)
            {
                for (int i = 0; i < e; i++)
                {
                    _returns[i] = (_returns[i] * _options.Gamma) + result.Rewards[i];
                }
                _returnStats.Update(_returns);
            }
            NormalizeRewards(result.Rewards, result.Rewards);
        }
        for (int i = 0; i < e; i++)
        {
            if (result.Terminated[i] || result.Truncated[i])
            {
                _returns[i] = 0;
            }
        }
    }

    /// <summary>
    /// Normalises rows of raw observations with the current statistics, without updating them:
    /// <c>destination[k] = clip((raw[k] − mean[j]) / sqrt(var[j] + ε), ±clip)</c>, j = k mod ObsSize. May run in place.
    /// </summary>
    public void NormalizeObservations(ReadOnlySpan<double> raw, Span<double> destination)
    {
        if (raw.Length % _obsSize != 0 || destination.Length < raw.Length)
        {
            throw new ArgumentException($"raw has length {raw.Length} and destination {destination.Length}; raw must hold whole rows of {_obsSize} and destination at least as many values.", nameof(raw));
        }
        ReadOnlySpan<double> mean = _obsStats.Mean, variance = _obsStats.Variance;
        double clip = _options.ClipObservations, eps = _options.Epsilon;
        // A vector of elements at a time, each with the same operations in the same order as one at a time (IEEE operations round
        // each element alone; Vector512.Max and Min order NaN and ±0 as Math.Max and Math.Min). Nothing is cached between
        // calls: evaluation normalises on several threads at once.
        int size = _obsSize, full = Vector512.IsHardwareAccelerated ? size & ~(Vector512<double>.Count - 1) : 0;
        var hi = Vector512.Create(clip);
        var lo = Vector512.Create(-clip);
        var ve = Vector512.Create(eps);
        for (int r = 0; r < raw.Length; r += size)
        {
            ReadOnlySpan<double> x = raw.Slice(r, size);
            Span<double> y = destination.Slice(r, size);
            for (int j = 0; j < full; j += Vector512<double>.Count)
            {
                var v = (Vector512.Create(x[j..]) - Vector512.Create(mean[j..])) / Vector512.Sqrt(Vector512.Create(variance[j..]) + ve);
                Vector512.Min(Vector512.Max(v, lo), hi).CopyTo(y[j..]);
            }
            for (int j = full; j < size; j++)
            {
                double v = (x[j] - mean[j]) / Math.Sqrt(variance[j] + eps);
                y[j] = Math.Min(Math.Max(v, -clip), clip);
            }
        }
    }

    /// <summary>Scales raw rewards with the current return statistics: <c>clip(r / sqrt(var_R + ε), ±ClipRewards)</c>. May run in place.</summary>
    public void NormalizeRewards(ReadOnlySpan<double> raw, Span<double> destination)
    {
        if (destination.Length < raw.Length)
        {
            throw new ArgumentException($"destination has length {destination.Length}; need at least {raw.Length}.", nameof(destination));
        }
        double scale = Math.Sqrt(_returnStats.Variance[0] + _options.Epsilon), clip = _options.ClipRewards;
        for (int i = 0; i < raw.Length; i++)
        {
            destination[i] = Math.Min(Math.Max(raw[i] / scale, -clip), clip);
        }
    }

    /// <summary>Copies the statistics into plain arrays (for checkpoints).</summary>
    public NormalizationState ExportState() => new(
        _obsStats.Mean.ToArray(), _obsStats.Variance.ToArray(), _obsStats.Count,
        _returnStats.Mean[0], _returnStats.Variance[0], _returnStats.Count);

    /// <summary>Restores statistics saved by <see cref="ExportState"/>.</summary>
    /// <exception cref="ArgumentException">The arrays do not match the observation size or hold invalid values.</exception>
    public void ImportState(NormalizationState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(state.ObservationMean);
        ArgumentNullException.ThrowIfNull(state.ObservationVariance);
        _obsStats.Set(state.ObservationMean, state.ObservationVariance, state.ObservationCount);
        _returnStats.Set([state.ReturnMean], [state.ReturnVariance], state.ReturnCount);
    }

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">The inner vectorized environment (or one of its copies) does not support snapshots.</exception>
    public void SaveSnapshot(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ISnapshotable inner = _inner as ISnapshotable ?? throw SnapshotBlock.NotSupported(_inner.GetType(), nameof(VecNormalize));
        SnapshotBlock.WriteHeader(writer, SnapshotTag, SnapshotVersion);
        writer.Write(NumEnvs);
        writer.Write(_obsSize);
        writer.Write(_options.NormalizeObservations);
        writer.Write(_options.NormalizeRewards);
        writer.Write(_options.ClipObservations);
        writer.Write(_options.ClipRewards);
        writer.Write(_options.Gamma);
        writer.Write(_options.Epsilon);
        writer.Write(Training);
        _obsStats.SaveSnapshot(writer);
        _returnStats.SaveSnapshot(writer);
        for (int i = 0; i < _returns.Length; i++)
        {
            writer.Write(_returns[i]);
            writer.Write(_rawRewards[i]);
        }
        for (int k = 0; k < _rawObservations.Length; k++)
        {
            writer.Write(_rawObservations[k]);
        }
        inner.SaveSnapshot(writer);
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidDataException">The snapshot has other options, sizes or inner stack, or is damaged.</exception>
    /// <exception cref="NotSupportedException">The inner vectorized environment does not support snapshots.</exception>
    /// <remarks>When loading fails part-way the state is unspecified: rebuild the stack or call Reset.</remarks>
    public void LoadSnapshot(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ISnapshotable inner = _inner as ISnapshotable ?? throw SnapshotBlock.NotSupported(_inner.GetType(), nameof(VecNormalize));
        SnapshotBlock.ReadHeader(reader, SnapshotTag, SnapshotVersion);
        try
        {
            const string owner = nameof(VecNormalize);
            SnapshotBlock.ExpectInt32(reader, owner, nameof(NumEnvs), NumEnvs);
            SnapshotBlock.ExpectInt32(reader, owner, "ObservationSpace.FlatSize", _obsSize);
            SnapshotBlock.ExpectBoolean(reader, owner, "Options.NormalizeObservations", _options.NormalizeObservations);
            SnapshotBlock.ExpectBoolean(reader, owner, "Options.NormalizeRewards", _options.NormalizeRewards);
            SnapshotBlock.ExpectDouble(reader, owner, "Options.ClipObservations", _options.ClipObservations);
            SnapshotBlock.ExpectDouble(reader, owner, "Options.ClipRewards", _options.ClipRewards);
            SnapshotBlock.ExpectDouble(reader, owner, "Options.Gamma", _options.Gamma);
            SnapshotBlock.ExpectDouble(reader, owner, "Options.Epsilon", _options.Epsilon);
            bool training = reader.ReadBoolean();
            _obsStats.LoadSnapshot(reader);
            _returnStats.LoadSnapshot(reader);
            for (int i = 0; i < _returns.Length; i++)
            {
                _returns[i] = reader.ReadDouble();
                _rawRewards[i] = reader.ReadDouble();
            }
            for (int k = 0; k < _rawObservations.Length; k++)
            {
                _rawObservations[k] = reader.ReadDouble();
            }
            Training = training;
        }
        catch (EndOfStreamException ex)
        {
            throw SnapshotBlock.Truncated(SnapshotTag, ex);
        }
        inner.LoadSnapshot(reader);
    }

    /// <summary>Disposes the inner vectorized environment.</summary>
    public void Dispose() => _inner.Dispose();
}
