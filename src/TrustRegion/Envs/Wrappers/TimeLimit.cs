namespace TrustRegion.Envs.Wrappers;

/// <summary>
/// Ends episodes by truncation after a fixed number of steps, with Gymnasium's <c>TimeLimit</c> counter semantics.
/// </summary>
/// <remarks>
/// <see cref="Reset"/> sets the counter to 0. Each <see cref="Step"/> first steps the inner environment, then increments the
/// counter, then sets <c>Truncated</c> when the counter is at least <see cref="MaxEpisodeSteps"/>: the N-th step after a reset
/// is the first truncated one, it may also be terminated, and stepping on without a reset keeps every later step truncated.
/// The inner environment's own truncation flag is kept (logical or).
/// </remarks>
public sealed class TimeLimit : EnvWrapper
{
    /// <summary>Wraps <paramref name="inner"/> with a limit of <paramref name="maxEpisodeSteps"/> steps per episode.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxEpisodeSteps"/> is not positive.</exception>
    public TimeLimit(IEnv inner, int maxEpisodeSteps)
        : base(inner)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEpisodeSteps);
        MaxEpisodeSteps = maxEpisodeSteps;
    }

    /// <summary>The limit N.</summary>
    public int MaxEpisodeSteps { get; }

    /// <summary>Steps taken since the last reset.</summary>
    public int ElapsedSteps { get; private set; }

    /// <inheritdoc/>
    protected override bool SupportsSnapshot => true;

    /// <inheritdoc/>
    /// <remarks>Writes <see cref="MaxEpisodeSteps"/> (checked on load) and <see cref="ElapsedSteps"/>.</remarks>
    protected override void SaveState(BinaryWriter writer)
    {
        writer.Write(MaxEpisodeSteps);
        writer.Write(ElapsedSteps);
    }

    /// <inheritdoc/>
    protected override void LoadState(BinaryReader reader)
    {
        SnapshotBlock.ExpectInt32(reader, nameof(TimeLimit), nameof(MaxEpisodeSteps), MaxEpisodeSteps);
        int elapsed = reader.ReadInt32();
        if (elapsed < 0)
        {
            throw new InvalidDataException($"Snapshot of {nameof(TimeLimit)} holds ElapsedSteps = {elapsed}; it must be >= 0.");
        }
        ElapsedSteps = elapsed;
    }

    /// <inheritdoc/>
    public override void Reset(ulong? seed, Span<double> observation)
    {
        Inner.Reset(seed, observation);
        ElapsedSteps = 0;
    }

    /// <inheritdoc/>
    public override StepResult Step(ReadOnlySpan<double> action, Span<double> observation)
    {
        StepResult r = Inner.Step(action, observation);
        ElapsedSteps++;
        return ElapsedSteps >= MaxEpisodeSteps ? r with { Truncated = true } : r;
    }
}
