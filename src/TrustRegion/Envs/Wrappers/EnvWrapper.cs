namespace TrustRegion.Envs.Wrappers;

/// <summary>
/// Base of the single-environment wrappers: forwards everything to <see cref="Inner"/>; a wrapper overrides what it changes.
/// Disposing the wrapper disposes the inner environment.
/// </summary>
/// <remarks>
/// <para>Snapshots (<see cref="ISnapshotable"/>): a wrapper writes a block tagged with its type's full name and
/// <see cref="SnapshotVersion"/>, then its own fields (<see cref="SaveState"/>), then the inner environment's snapshot.
/// A derived wrapper takes part only when it overrides <see cref="SupportsSnapshot"/> to return true, declaring that
/// <see cref="SaveState"/> and <see cref="LoadState"/> cover every field that affects its future (the default writes
/// nothing, which is right for a stateless wrapper). Otherwise, and when the inner environment is not
/// <see cref="ISnapshotable"/>, <see cref="SaveSnapshot"/> throws <see cref="NotSupportedException"/> naming the type.</para>
/// </remarks>
public abstract class EnvWrapper : IEnvWrapper, ISnapshotable
{
    /// <summary>Wraps <paramref name="inner"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="inner"/> is null.</exception>
    protected EnvWrapper(IEnv inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        Inner = inner;
    }

    /// <inheritdoc/>
    public IEnv Inner { get; }

    /// <inheritdoc/>
    public virtual Space ObservationSpace => Inner.ObservationSpace;

    /// <inheritdoc/>
    public virtual Space ActionSpace => Inner.ActionSpace;

    /// <inheritdoc/>
    public virtual void Reset(ulong? seed, Span<double> observation) => Inner.Reset(seed, observation);

    /// <inheritdoc/>
    public virtual StepResult Step(ReadOnlySpan<double> action, Span<double> observation) => Inner.Step(action, observation);

    /// <summary>True when this wrapper's <see cref="SaveState"/>/<see cref="LoadState"/> capture all of its dynamic state; false by default.</summary>
    protected virtual bool SupportsSnapshot => false;

    /// <summary>What <see cref="SupportsSnapshot"/> says, for callers that check a whole stack before writing.</summary>
    internal bool CanSnapshot => SupportsSnapshot;

    /// <summary>Format version of this wrapper's own fields, written in its block header; raise it when <see cref="SaveState"/> changes.</summary>
    protected virtual int SnapshotVersion => 1;

    /// <summary>Writes this wrapper's block, then the inner environment's snapshot.</summary>
    /// <exception cref="NotSupportedException">This wrapper or an environment it wraps does not support snapshots.</exception>
    public void SaveSnapshot(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ISnapshotable inner = CheckSnapshotable();
        SnapshotBlock.WriteHeader(writer, GetType().FullName!, SnapshotVersion);
        SaveState(writer);
        inner.SaveSnapshot(writer);
    }

    /// <summary>Reads this wrapper's block, then lets the inner environment read its own.</summary>
    /// <exception cref="InvalidDataException">The snapshot was written by another wrapper, configuration or version, or is damaged.</exception>
    /// <exception cref="NotSupportedException">This wrapper or an environment it wraps does not support snapshots.</exception>
    /// <remarks>When loading fails part-way, the stack is left in an unspecified state: rebuild it before use.</remarks>
    public void LoadSnapshot(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ISnapshotable inner = CheckSnapshotable();
        string tag = GetType().FullName!;
        SnapshotBlock.ReadHeader(reader, tag, SnapshotVersion);
        try
        {
            LoadState(reader);
        }
        catch (EndOfStreamException ex)
        {
            throw SnapshotBlock.Truncated(tag, ex);
        }
        inner.LoadSnapshot(reader);
    }

    /// <summary>Writes this wrapper's own dynamic fields (and any configuration <see cref="LoadState"/> checks); the default writes nothing.</summary>
    protected virtual void SaveState(BinaryWriter writer)
    {
    }

    /// <summary>Reads what <see cref="SaveState"/> wrote; throws <see cref="InvalidDataException"/> on a configuration mismatch.</summary>
    protected virtual void LoadState(BinaryReader reader)
    {
    }

    /// <summary>Disposes the inner environment.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Disposes the inner environment when <paramref name="disposing"/> is true.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            Inner.Dispose();
        }
    }

    private ISnapshotable CheckSnapshotable()
    {
        if (!SupportsSnapshot)
        {
            throw SnapshotBlock.NotSupported(GetType(), "Snapshot");
        }
        return Inner as ISnapshotable ?? throw SnapshotBlock.NotSupported(Inner.GetType(), $"Snapshot of {GetType().Name}");
    }
}
