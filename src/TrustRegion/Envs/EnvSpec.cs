namespace TrustRegion.Envs;

/// <summary>A registered environment: how to build it and Gymnasium's registry metadata.</summary>
/// <param name="Id">The id, e.g. <c>"CartPole-v1"</c>; case-sensitive, without whitespace.</param>
/// <param name="Factory">Creates a new, independent, unwrapped instance on every call.</param>
/// <param name="MaxEpisodeSteps">The time limit <see cref="EnvRegistry.Make"/> applies, or null for none.</param>
/// <param name="RewardThreshold">The return at which the task counts as solved, or null when none is defined (Pendulum).</param>
/// <param name="Description">One line describing the task.</param>
public sealed record EnvSpec(string Id, Func<IEnv> Factory, int? MaxEpisodeSteps, double? RewardThreshold, string Description);
