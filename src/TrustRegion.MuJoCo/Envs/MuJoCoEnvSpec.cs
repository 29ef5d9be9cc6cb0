using TrustRegion.Envs;

namespace TrustRegion.MuJoCo.Envs;

/// <summary>Registration data of one MuJoCo environment, in the shape of a Gymnasium registry entry.</summary>
/// <param name="Id">Environment id, e.g. <c>Hopper-v4</c>.</param>
/// <param name="MaxEpisodeSteps">Time limit the registry's TimeLimit wrapper applies (the raw environment never truncates).</param>
/// <param name="RewardThreshold">Gymnasium's "solved" return, or null where Gymnasium defines none.</param>
/// <param name="Create">Creates a new copy with its own simulation state on the shared compiled model, with Gymnasium's default arguments.</param>
public sealed record MuJoCoEnvSpec(string Id, int MaxEpisodeSteps, double? RewardThreshold, Func<MuJoCoEnv> Create)
{
    /// <summary>The constructor arguments the environment accepts (Gymnasium v4's), empty when it takes none.</summary>
    public IReadOnlyList<EnvParameter> Parameters { get; init; } = [];

    /// <summary>Creates a new copy with the given arguments; null when <see cref="Parameters"/> is empty.</summary>
    public Func<EnvArguments, MuJoCoEnv>? CreateWithArguments { get; init; }
}
