namespace TrustRegion.Envs.Wrappers;

/// <summary>
/// Clips continuous actions into the <see cref="Box"/> bounds of the action space before they reach the environment
/// (<c>a[i] = min(max(a[i], low[i]), high[i])</c>). NaN passes through unchanged so that the environment rejects it.
/// </summary>
/// <remarks>The action space stays the inner one, so policies still see the meaningful bounds; any finite action is accepted.</remarks>
public sealed class ClipAction : EnvWrapper
{
    private readonly Box _box;
    private readonly double[] _clipped;

    /// <summary>Wraps <paramref name="inner"/>, whose action space must be a <see cref="Box"/>.</summary>
    /// <exception cref="ArgumentException">The action space is not a Box.</exception>
    public ClipAction(IEnv inner)
        : base(inner)
    {
        _box = inner.ActionSpace as Box
            ?? throw new ArgumentException($"ClipAction needs a Box action space; found {inner.ActionSpace}.", nameof(inner));
        _clipped = new double[_box.FlatSize];
    }

    /// <inheritdoc/>
    /// <remarks>Stateless: the block holds only the header (the clip buffer is scratch, rewritten every step).</remarks>
    protected override bool SupportsSnapshot => true;

    /// <inheritdoc/>
    public override StepResult Step(ReadOnlySpan<double> action, Span<double> observation)
    {
        if (action.Length != _clipped.Length)
        {
            EnvGuard.ThrowWrongLength(nameof(ClipAction), nameof(action), action, _box);
        }
        action.CopyTo(_clipped);
        _box.Clip(_clipped);
        return Inner.Step(_clipped, observation);
    }
}
