namespace TrustRegion.Envs;

/// <summary>A registered environment: how to build it and Gymnasium's registry metadata.</summary>
/// <param name="Id">The id, e.g. <c>"CartPole-v1"</c>; case-sensitive, without whitespace.</param>
/// <param name="Factory">Creates a new, independent, unwrapped instance on every call, with the default arguments.</param>
/// <param name="MaxEpisodeSteps">The time limit <see cref="EnvRegistry.Make"/> applies, or null for none.</param>
/// <param name="RewardThreshold">The return at which the task counts as solved, or null when none is defined (Pendulum).</param>
/// <param name="Description">One line describing the task.</param>
public sealed record EnvSpec(string Id, Func<IEnv> Factory, int? MaxEpisodeSteps, double? RewardThreshold, string Description)
{
    /// <summary>
    /// The keyword arguments the environment accepts (Gymnasium's constructor arguments; config key <c>env_kwargs</c>); empty
    /// when it takes none. Set together with <see cref="ArgumentFactory"/>.
    /// </summary>
    public IReadOnlyList<EnvParameter> Parameters { get; init; } = [];

    /// <summary>Creates a new, independent, unwrapped instance with the given arguments (null when <see cref="Parameters"/> is empty).</summary>
    public Func<EnvArguments, IEnv>? ArgumentFactory { get; init; }
}
