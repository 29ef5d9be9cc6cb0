using TrustRegion.Envs;

namespace TrustRegion.MuJoCo.Envs;

/// <summary>Adds the MuJoCo catalog (<see cref="MuJoCoEnvironments.All"/>) to an <see cref="EnvRegistry"/>.</summary>
public static class MuJoCoRegistration
{
    /// <summary>
    /// Registers every MuJoCo environment id with its Gymnasium v4 time limit and reward threshold. Nothing native is loaded
    /// until an environment is made, so registration works on a machine without libmujoco.
    /// </summary>
    /// <exception cref="ArgumentException">An id is already registered.</exception>
    public static EnvRegistry Register(EnvRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        foreach (MuJoCoEnvSpec spec in MuJoCoEnvironments.All)
        {
            Func<MuJoCoEnv> create = spec.Create;
            Func<EnvArguments, MuJoCoEnv>? createWith = spec.CreateWithArguments;
            registry.Register(new EnvSpec(spec.Id, () => create(), spec.MaxEpisodeSteps, spec.RewardThreshold,
                $"MuJoCo {spec.Id[..spec.Id.IndexOf("-v", StringComparison.Ordinal)]} (Gymnasium v4 dynamics, libmujoco 2.2.2).")
            {
                Parameters = spec.Parameters,
                ArgumentFactory = createWith is null ? null : a => createWith(a),
            });
        }
        return registry;
    }
}
