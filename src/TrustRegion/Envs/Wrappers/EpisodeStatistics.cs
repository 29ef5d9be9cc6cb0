namespace TrustRegion.Envs.Wrappers;

/// <summary>
/// Records the return (sum of rewards) and length of every episode, for logging (Gymnasium's <c>RecordEpisodeStatistics</c>).
/// </summary>
/// <remarks>
/// The running totals start at zero on <see cref="Reset"/>. On a step that sets <c>Terminated</c> or <c>Truncated</c> the totals
/// become <see cref="LastEpisodeReturn"/> and <see cref="LastEpisodeLength"/> and <see cref="CompletedEpisodes"/> grows by one.
/// Steps taken after an episode end without a reset start new totals.
/// </remarks>
public sealed class EpisodeStatistics : EnvWrapper
{
    private double _return;
    private int _length;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public EpisodeStatistics(IEnv inner)
        : base(inner)
    {
    }

    /// <summary>Sum of rewards of the episode in progress.</summary>
    public double CurrentReturn => _return;

    /// <summary>Steps of the episode in progress.</summary>
    public int CurrentLength => _length;

    /// <summary>Return of the most recently completed episode (NaN before the first one).</summary>
    public double LastEpisodeReturn { get; private set; } = double.NaN;

    /// <summary>Length of the most recently completed episode (0 before the first one).</summary>
    public int LastEpisodeLength { get; private set; }

    /// <summary>Number of episodes completed since construction.</summary>
    public long CompletedEpisodes { get; private set; }

    /// <inheritdoc/>
    protected override bool SupportsSnapshot => true;

    /// <inheritdoc/>
    /// <remarks>Writes the running totals, the last completed episode and the episode count.</remarks>
    protected override void SaveState(BinaryWriter writer)
    {
        writer.Write(_return);
        writer.Write(_length);
        writer.Write(LastEpisodeReturn);
        writer.Write(LastEpisodeLength);
        writer.Write(CompletedEpisodes);
    }

    /// <inheritdoc/>
    protected override void LoadState(BinaryReader reader)
    {
        double currentReturn = reader.ReadDouble();
        int currentLength = reader.ReadInt32();
        double lastReturn = reader.ReadDouble();
        int lastLength = reader.ReadInt32();
        long completed = reader.ReadInt64();
        if (currentLength < 0 || lastLength < 0 || completed < 0)
        {
            throw new InvalidDataException($"Snapshot of {nameof(EpisodeStatistics)} holds negative counters (current length {currentLength}, last length {lastLength}, completed {completed}); it is damaged.");
        }
        (_return, _length, LastEpisodeReturn, LastEpisodeLength, CompletedEpisodes) = (currentReturn, currentLength, lastReturn, lastLength, completed);
    }

    /// <inheritdoc/>
    public override void Reset(ulong? seed, Span<double> observation)
    {
        Inner.Reset(seed, observation);
        _return = 0;
        _length = 0;
    }

    /// <inheritdoc/>
    public override StepResult Step(ReadOnlySpan<double> action, Span<double> observation)
    {
        StepResult r = Inner.Step(action, observation);
        _return += r.Reward;
        _length++;
        if (r.Terminated || r.Truncated)
        {
            LastEpisodeReturn = _return;
            LastEpisodeLength = _length;
            CompletedEpisodes++;
            _return = 0;
            _length = 0;
        }
        return r;
    }
}
