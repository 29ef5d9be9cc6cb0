namespace TrustRegion.Envs;

/// <summary>
/// Marks environments that check every action themselves (length, finiteness, membership) with messages naming the
/// environment, the action and the space, so that <see cref="Wrappers.OrderEnforcing"/> need not check again.
/// </summary>
internal interface IValidatesActions
{
}
