using TrustRegion.Envs;

namespace TrustRegion.MuJoCo.Envs;

/// <summary>The catalog of MuJoCo environments this assembly provides, for registration in the shared registry.</summary>
public static class MuJoCoEnvironments
{
    /// <summary>Every environment with its Gymnasium v4 time limit and reward threshold (spec 1.5) and its constructor arguments.</summary>
    public static IReadOnlyList<MuJoCoEnvSpec> All { get; } =
    [
        new("InvertedPendulum-v4", 1000, 950.0, static () => new InvertedPendulumEnv()),
        new("InvertedDoublePendulum-v4", 1000, 9100.0, static () => new InvertedDoublePendulumEnv()),
        new("Reacher-v4", 50, -3.75, static () => new ReacherEnv()),
        WithArguments("Swimmer-v4", 1000, 360.0, SwimmerOptions.Parameters, static o => new SwimmerEnv(o)),
        WithArguments("Hopper-v4", 1000, 3800.0, HopperOptions.Parameters, static o => new HopperEnv(o)),
        WithArguments("Walker2d-v4", 1000, null, Walker2dOptions.Parameters, static o => new Walker2dEnv(o)),
        WithArguments("HalfCheetah-v4", 1000, 4800.0, HalfCheetahOptions.Parameters, static o => new HalfCheetahEnv(o)),
        WithArguments("Ant-v4", 1000, 6000.0, AntOptions.Parameters, static o => new AntEnv(o)),
        WithArguments("Humanoid-v4", 1000, null, HumanoidOptions.Parameters, static o => new HumanoidEnv(o)),
    ];

    private static MuJoCoEnvSpec WithArguments<TOptions>(string id, int maxEpisodeSteps, double? rewardThreshold, EnvParameters<TOptions> parameters, Func<TOptions, MuJoCoEnv> create)
        where TOptions : class, new() =>
        new(id, maxEpisodeSteps, rewardThreshold, () => create(new TOptions()))
        {
            Parameters = parameters.List,
            CreateWithArguments = a => create(parameters.Bind(a)),
        };

    /// <summary>The entry with the given id.</summary>
    /// <exception cref="ArgumentException">No MuJoCo environment has that id.</exception>
    public static MuJoCoEnvSpec Get(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        foreach (MuJoCoEnvSpec spec in All)
        {
            if (spec.Id == id)
            {
                return spec;
            }
        }
        throw new ArgumentException($"No MuJoCo environment is named '{id}'; available: {string.Join(", ", All.Select(s => s.Id))}.", nameof(id));
    }
}
