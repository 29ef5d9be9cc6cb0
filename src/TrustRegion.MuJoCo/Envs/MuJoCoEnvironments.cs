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
        new("Swimmer-v4", 1000, 360.0, static () => new SwimmerEnv())
        {
            Parameters = SwimmerOptions.Parameters.List,
            CreateWithArguments = static a => new SwimmerEnv(SwimmerOptions.Parameters.Bind(a)),
        },
        new("Hopper-v4", 1000, 3800.0, static () => new HopperEnv())
        {
            Parameters = HopperOptions.Parameters.List,
            CreateWithArguments = static a => new HopperEnv(HopperOptions.Parameters.Bind(a)),
        },
        new("Walker2d-v4", 1000, null, static () => new Walker2dEnv())
        {
            Parameters = Walker2dOptions.Parameters.List,
            CreateWithArguments = static a => new Walker2dEnv(Walker2dOptions.Parameters.Bind(a)),
        },
        new("HalfCheetah-v4", 1000, 4800.0, static () => new HalfCheetahEnv())
        {
            Parameters = HalfCheetahOptions.Parameters.List,
            CreateWithArguments = static a => new HalfCheetahEnv(HalfCheetahOptions.Parameters.Bind(a)),
        },
        new("Ant-v4", 1000, 6000.0, static () => new AntEnv())
        {
            Parameters = AntOptions.Parameters.List,
            CreateWithArguments = static a => new AntEnv(AntOptions.Parameters.Bind(a)),
        },
        new("Humanoid-v4", 1000, null, static () => new HumanoidEnv())
        {
            Parameters = HumanoidOptions.Parameters.List,
            CreateWithArguments = static a => new HumanoidEnv(HumanoidOptions.Parameters.Bind(a)),
        },
    ];

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
