namespace TrustRegion.Envs.Wrappers;

/// <summary>
/// Base of the single-environment wrappers: forwards everything to <see cref="Inner"/>; a wrapper overrides what it changes.
/// Disposing the wrapper disposes the inner environment.
/// </summary>
public abstract class EnvWrapper : IEnvWrapper
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
}
