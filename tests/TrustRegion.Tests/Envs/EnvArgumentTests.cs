using TrustRegion.Envs;
using TrustRegion.Envs.ClassicControl;
using TrustRegion.Training;

namespace TrustRegion.Tests.Envs;

/// <summary>Environment keyword arguments (config key <c>env_kwargs</c>): reading, validation, the registry and the configuration file.</summary>
public class EnvArgumentTests
{
    private sealed record PendulumLikeOptions
    {
        public double Gravity { get; init; } = 10.0;

        public bool Flag { get; init; } = true;

        public (double Low, double High) Window { get; init; } = (0.5, double.PositiveInfinity);

        public string File { get; init; } = "model.xml";
    }

    private static readonly EnvParameters<PendulumLikeOptions> s_parameters = new EnvParameters<PendulumLikeOptions>()
        .Real("g", o => o.Gravity, (o, v) => o with { Gravity = v }, "gravity", nonNegative: true)
        .Boolean("flag", o => o.Flag, (o, v) => o with { Flag = v }, "a switch")
        .Range("window", o => o.Window, (o, v) => o with { Window = v }, "an interval")
        .Text("file", o => o.File, (o, v) => o with { File = v }, "a file");

    private static EnvKwargs Kw(params (string Name, string Value)[] items) => EnvKwargs.From(items.Select(i => new KeyValuePair<string, string>(i.Name, i.Value)));

    [Fact]
    public void Parameters_TakeTheirDefaultsFromTheOptionsRecord()
    {
        Assert.Equal(["g", "flag", "window", "file"], s_parameters.List.Select(p => p.Name));
        Assert.Equal(["10", "true", "[0.5, .inf]", "model.xml"], s_parameters.List.Select(p => p.Default));
        Assert.Equal(new PendulumLikeOptions(), s_parameters.Bind(EnvArguments.Bind("X-v0", s_parameters.List, EnvKwargs.Empty)));
    }

    [Fact]
    public void Bind_AppliesTheGivenArgumentsOnly()
    {
        EnvArguments a = EnvArguments.Bind("X-v0", s_parameters.List, Kw(("window", "(-.inf, 3)"), ("g", "9.81"), ("file", " ./my model.xml ")));
        Assert.True(a.IsGiven("g"));
        Assert.False(a.IsGiven("flag"));
        Assert.Equal(new PendulumLikeOptions { Gravity = 9.81, Window = (double.NegativeInfinity, 3), File = "./my model.xml" }, s_parameters.Bind(a));
        Assert.True(a.Boolean("flag"));
        Assert.Throws<ArgumentException>(() => a.Real("flag"));
        Assert.Throws<ArgumentException>(() => a.Real("nothing"));
    }

    [Theory]
    [InlineData("g", "-1")]
    [InlineData("g", "inf")]
    [InlineData("g", "1,5")]
    [InlineData("flag", "1")]
    [InlineData("window", "[1, 1]")]
    [InlineData("window", "[1, 2, 3]")]
    [InlineData("window", "[nan, 2]")]
    [InlineData("window", "[1, 2")]
    public void Bind_RejectsMalformedValues_NamingTheEnvironmentArgumentAndValue(string name, string value)
    {
        var e = Assert.Throws<ArgumentException>(() => EnvArguments.Bind("X-v0", s_parameters.List, Kw((name, value))));
        Assert.StartsWith($"X-v0: invalid value '{value}' for the argument '{name}'; expected ", e.Message);
        Assert.Contains("(default ", e.Message);
    }

    [Fact]
    public void Bind_AcceptsTheUsualSpellingsOfBooleansAndInfinities()
    {
        Assert.False(EnvArguments.Bind("X-v0", s_parameters.List, Kw(("flag", "False"))).Boolean("flag"));
        foreach (string text in new[] { "[0, .inf]", "[0, inf]", "[0, +Infinity]", "(0, .Inf)" })
        {
            Assert.Equal((0.0, double.PositiveInfinity), EnvArguments.Bind("X-v0", s_parameters.List, Kw(("window", text))).Range("window"));
        }
    }

    [Fact]
    public void Kwargs_AreOrderedByName_ComparedByContent_AndRejectDuplicates()
    {
        EnvKwargs a = Kw(("b", "1"), ("a", " 2 "));
        Assert.Equal("{a: 2, b: 1}", a.ToString());
        Assert.Equal(a, Kw(("a", "2"), ("b", "1")));
        Assert.Equal(a.GetHashCode(), Kw(("a", "2"), ("b", "1")).GetHashCode());
        Assert.NotEqual(a, Kw(("a", "2"), ("b", "1.0")));
        Assert.Same(EnvKwargs.Empty, Kw());
        Assert.Throws<ArgumentException>(() => Kw(("a", "1"), ("a", "2")));
        Assert.Throws<ArgumentException>(() => Kw(("a", " ")));
        Assert.Equal("{a: 3, b: 1, c: 4}", a.Merge(Kw(("c", "4"), ("a", "3"))).ToString());
        Assert.Same(a, a.Merge(EnvKwargs.Empty));
    }

    [Fact]
    public void Registry_BuildsWithArguments_AndRefusesThemWhereNoneAreDeclared()
    {
        var registry = new EnvRegistry();
        registry.Register(new EnvSpec("Pole-v9", () => new CartPoleEnv(), 50, null, "test")
        {
            Parameters = s_parameters.List,
            ArgumentFactory = a => new ThresholdedCartPole(s_parameters.Bind(a).Gravity),
        });
        using IEnv made = registry.Make("Pole-v9", kwargs: Kw(("g", "3")));
        Assert.Equal(3.0, Assert.IsType<ThresholdedCartPole>(((IEnvWrapper)((IEnvWrapper)made).Inner).Inner).Setting);
        var none = Assert.Throws<ArgumentException>(() => EnvRegistry.Default.Make("Acrobot-v1", kwargs: Kw(("g", "3"))));
        Assert.Equal("Acrobot-v1 takes no arguments, but env_kwargs gives 'g'; remove env_kwargs.", none.Message);
        Assert.Throws<ArgumentException>(() => registry.Register(new EnvSpec("Half-v0", () => new CartPoleEnv(), 50, null, "test") { Parameters = s_parameters.List }));
    }

    private sealed class ThresholdedCartPole(double setting) : TrustRegion.Envs.Wrappers.EnvWrapper(new CartPoleEnv())
    {
        public double Setting { get; } = setting;
    }

    [Fact]
    public void Config_EnvKwargs_RoundTripsThroughTheResolvedFile()
    {
        TrpoConfig c = ConfigResolver.Resolve("CartPole-v1", overrides:
            ["env_kwargs={healthy_z_range: [0.7, .inf], ctrl_cost_weight: 1e-3, terminate_when_unhealthy: False, \"odd name\": \"a: b\"}"]);
        Assert.Equal(Kw(("healthy_z_range", "[0.7, .inf]"), ("ctrl_cost_weight", "1e-3"), ("terminate_when_unhealthy", "False"), ("odd name", "a: b")), c.EnvKwargs);
        string yaml = ConfigResolver.ToYaml(c);
        Assert.Contains("env_kwargs: {ctrl_cost_weight: 1e-3, healthy_z_range: [0.7, .inf], \"odd name\": \"a: b\", terminate_when_unhealthy: False}\n", yaml);
        TrpoConfig back = ConfigResolver.FromYaml(yaml);
        Assert.Equal(c.EnvKwargs, back.EnvKwargs);
        Assert.Equal(yaml, ConfigResolver.ToYaml(back));
        Assert.Contains("env_kwargs: {}\n", ConfigResolver.ToYaml(ConfigResolver.Preset("CartPole-v1")));
    }

    [Theory]
    [InlineData("env_kwargs=[1, 2]", "expected a mapping")]
    [InlineData("env_kwargs=0.5", "expected a mapping")]
    [InlineData("env_kwargs={a: {b: 1}}", "must be a value or a list of values")]
    [InlineData("env_kwargs={a: }", "has no value")]
    public void Config_MalformedEnvKwargs_AreConfigurationErrors(string overrideText, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigResolver.Resolve("CartPole-v1", overrides: [overrideText]));
        Assert.Equal("env_kwargs", e.Key);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Trainer_WithArgumentsForAnEnvironmentThatTakesNone_IsAConfigurationError()
    {
        TrpoConfig c = ConfigResolver.Resolve("Acrobot-v1", overrides: ["env_kwargs={sutton_barto_reward: true}"]);
        var e = Assert.Throws<ConfigException>(() => new Trainer(c));
        Assert.Equal("env_kwargs", e.Key);
        Assert.Equal("Invalid value for 'env_kwargs': Acrobot-v1 takes no arguments, but env_kwargs gives 'sutton_barto_reward'; remove env_kwargs.", e.Message);
    }

    [Fact]
    public void Trainer_FromAFactory_RefusesEnvKwargsRatherThanIgnoringThem()
    {
        TrpoConfig c = ConfigResolver.Resolve("CartPole-v1", overrides: ["env_kwargs={g: 3}"]);
        var e = Assert.Throws<ConfigException>(() => new Trainer(c, () => new CartPoleEnv()));
        Assert.Equal("env_kwargs", e.Key);
        Assert.Contains("does not take them", e.Message);
    }

    private static IEnv Unwrap(IEnv env) => env is IEnvWrapper w ? Unwrap(w.Inner) : env;

    [Fact]
    public void CartPole_SuttonBartoReward_PaysNothingPerStepAndMinusOneFromTheFall()
    {
        using IEnv env = EnvRegistry.Default.Make("CartPole-v1", maxEpisodeSteps: 1000, kwargs: Kw(("sutton_barto_reward", "true")));
        var o = new double[4];
        env.Reset(3, o);
        var rewards = new List<double>();
        StepResult r;
        do
        {
            r = env.Step([0.0], o);
            rewards.Add(r.Reward);
        }
        while (!r.Terminated);
        Assert.All(rewards[..^1], x => Assert.Equal(0.0, x));
        Assert.Equal(-1.0, rewards[^1]);
        Assert.True(Assert.IsType<CartPoleEnv>(Unwrap(env)).SuttonBartoReward);
    }

    [Fact]
    public void Pendulum_G_SetsGravity_AndMountainCar_GoalVelocity_TheExitSpeed()
    {
        using IEnv weightless = EnvRegistry.Default.Make("Pendulum-v1", kwargs: Kw(("g", "0")));
        var o = new double[3];
        weightless.Reset(4, o);
        double speed = o[2];
        for (int t = 0; t < 5; t++)
        {
            weightless.Step([0.0], o);
            Assert.Equal(speed, o[2]); // no gravity, no torque: the angular velocity stays
        }
        using IEnv pendulum = EnvRegistry.Default.Make("Pendulum-v1");
        pendulum.Reset(4, o);
        pendulum.Step([0.0], o);
        Assert.NotEqual(speed, o[2]);
        using IEnv car = EnvRegistry.Default.Make("MountainCarContinuous-v0", kwargs: Kw(("goal_velocity", "0.05")));
        Assert.Equal(0.05, Assert.IsType<MountainCarContinuousEnv>(Unwrap(car)).GoalVelocity);
        Assert.Equal(10.0, Assert.IsType<PendulumEnv>(Unwrap(pendulum)).Gravity);
    }
}
