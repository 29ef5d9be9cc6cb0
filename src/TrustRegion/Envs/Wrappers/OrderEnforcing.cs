namespace TrustRegion.Envs.Wrappers;

/// <summary>
/// Refuses <see cref="Step"/> before the first <see cref="Reset"/> (Gymnasium's <c>OrderEnforcing</c>) and checks every action
/// at the boundary: length, finiteness and, for integer spaces, membership. Messages name the environment, the action and the space.
/// </summary>
/// <remarks>Stepping on after an episode has ended is allowed, as in Gymnasium; the vectorized layer never does it.</remarks>
public sealed class OrderEnforcing : EnvWrapper
{
    private readonly bool _checkActions;
    private bool _hasReset;

    /// <summary>Wraps <paramref name="inner"/>; <paramref name="name"/> (e.g. the registry id) is used in messages.</summary>
    public OrderEnforcing(IEnv inner, string? name = null)
        : base(inner)
    {
        Name = name ?? inner.GetType().Name;
        _checkActions = inner is not IValidatesActions; // the built-in environments check their actions with the same messages
    }

    /// <summary>The name used in messages.</summary>
    public string Name { get; }

    /// <summary>True once <see cref="Reset"/> has been called.</summary>
    public bool HasReset => _hasReset;

    /// <inheritdoc/>
    protected override bool SupportsSnapshot => true;

    /// <inheritdoc/>
    /// <remarks>Writes <see cref="HasReset"/>; the name is only used in messages and is not part of the state.</remarks>
    protected override void SaveState(BinaryWriter writer) => writer.Write(_hasReset);

    /// <inheritdoc/>
    protected override void LoadState(BinaryReader reader) => _hasReset = reader.ReadBoolean();

    /// <inheritdoc/>
    public override void Reset(ulong? seed, Span<double> observation)
    {
        EnvGuard.ObservationBuffer(Name, ObservationSpace, observation);
        Inner.Reset(seed, observation);
        _hasReset = true;
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">Reset was never called.</exception>
    /// <exception cref="ArgumentException">The action has the wrong length, is not finite, or is not in an integer action space.</exception>
    public override StepResult Step(ReadOnlySpan<double> action, Span<double> observation)
    {
        if (!_hasReset)
        {
            EnvGuard.ThrowNotReset(Name);
        }
        if (_checkActions)
        {
            EnvGuard.Action(Name, ActionSpace, action);
            EnvGuard.ObservationBuffer(Name, ObservationSpace, observation);
        }
        return Inner.Step(action, observation);
    }
}
