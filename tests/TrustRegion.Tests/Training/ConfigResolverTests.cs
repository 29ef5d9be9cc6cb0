using TrustRegion.Training;

namespace TrustRegion.Tests.Training;

public class ConfigResolverTests
{
    private static readonly string[] s_mujocoIds =
    [
        "Hopper-v4", "Walker2d-v4", "HalfCheetah-v4", "Ant-v4", "Swimmer-v4", "Humanoid-v4",
        "InvertedPendulum-v4", "InvertedDoublePendulum-v4", "Reacher-v4",
    ];

    [Fact]
    public void Preset_CartPole_MatchesZooFigures()
    {
        TrpoConfig c = ConfigResolver.Preset("CartPole-v1");
        Assert.Equal("CartPole-v1", c.EnvId);
        Assert.Equal(2, c.NumEnvs);
        Assert.Equal(100_000, c.TotalTimesteps);
        Assert.Equal(512, c.NumSteps);
        Assert.Equal(512, c.BatchSize);
        Assert.Equal(0.99, c.Gamma);
        Assert.Equal(0.98, c.GaeLambda);
        Assert.Equal(1e-3, c.CgDamping);
        Assert.Equal(15, c.CgMaxSteps);
        Assert.Equal(20, c.CriticUpdates);
        Assert.Equal(1e-3, c.LearningRate);
        Assert.False(c.NormalizeObservations);
        Assert.False(c.NormalizeRewards);
        Assert.Equal(0.01, c.TargetKl);
    }

    [Theory]
    [InlineData("Acrobot-v1", 1024, 128, 0.99, 10, true, false, 100_000)]
    [InlineData("MountainCar-v0", 1024, 128, 0.99, 20, true, false, 100_000)]
    [InlineData("MountainCarContinuous-v0", 2048, 128, 0.99, 10, true, true, 50_000)]
    [InlineData("Pendulum-v1", 1024, 128, 0.9, 15, false, true, 100_000)]
    public void Preset_ClassicControl_MatchesZooFigures(string id, int nSteps, int batch, double gamma, int critic, bool normalize, bool sde, long steps)
    {
        TrpoConfig c = ConfigResolver.Preset(id);
        Assert.Equal((2, steps, nSteps, batch, gamma, 0.95, 0.1, 15, critic), (c.NumEnvs, c.TotalTimesteps, c.NumSteps, c.BatchSize, c.Gamma, c.GaeLambda, c.CgDamping, c.CgMaxSteps, c.CriticUpdates));
        Assert.Equal(normalize, c.Normalize);
        Assert.Equal(sde, c.UseSde);
        Assert.Equal(sde ? 4 : -1, c.SdeSampleFreq);
    }

    [Fact]
    public void Preset_MuJoCo_SharesTheRowWithTheThreeDocumentedDifferences()
    {
        TrpoConfig hopper = ConfigResolver.Preset("Hopper-v4");
        Assert.Equal((2, 1_000_000L, 1024, 128, 0.99, 0.95, 0.1, 25, 20, 1e-3, true, 0.01),
            (hopper.NumEnvs, hopper.TotalTimesteps, hopper.NumSteps, hopper.BatchSize, hopper.Gamma, hopper.GaeLambda, hopper.CgDamping, hopper.CgMaxSteps, hopper.CriticUpdates, hopper.LearningRate, hopper.Normalize, hopper.TargetKl));
        foreach (string id in s_mujocoIds)
        {
            Assert.True(ConfigResolver.HasPreset(id), id);
            TrpoConfig c = ConfigResolver.Preset(id) with { EnvId = "Hopper-v4" };
            TrpoConfig expected = id switch
            {
                "HalfCheetah-v4" => hopper with { TargetKl = 0.04 },
                "Swimmer-v4" => hopper with { Gamma = 0.9999 },
                "Humanoid-v4" => hopper with { TotalTimesteps = 2_000_000 },
                _ => hopper,
            };
            Assert.Equal(expected, c);
        }
        Assert.Equal(5 + s_mujocoIds.Length, ConfigResolver.PresetIds.Count);
    }

    [Fact]
    public void Preset_UnknownId_GivesSb3ContribDefaults()
    {
        TrpoConfig c = ConfigResolver.Preset("MyEnv-v0");
        Assert.False(ConfigResolver.HasPreset("MyEnv-v0"));
        Assert.Equal(new TrpoConfig { EnvId = "MyEnv-v0" }, c);
        Assert.Equal((1, 2048, 128, 0.99, 0.95, 1e-3, 10, 15, 0.1, 10, 0.8, 0.01), (c.NumEnvs, c.NumSteps, c.BatchSize, c.Gamma, c.GaeLambda, c.LearningRate, c.CriticUpdates, c.CgMaxSteps, c.CgDamping, c.LineSearchMaxIterations, c.LineSearchShrinkingFactor, c.TargetKl));
        Assert.Equal(NetArch.Default, c.NetArch);
        Assert.Equal(ActivationFunction.Tanh, c.Activation);
        Assert.True(c.OrthoInit && c.NormalizeAdvantage);
        Assert.Equal(0.0, c.LogStdInit);
    }

    [Fact]
    public void Resolve_FileThenOverrides_AppliedInOrder()
    {
        const string yaml = """
            # a user file
            target_kl: 0.02
            n_timesteps: !!float 2e4
            net_arch: {pi: [32], vf: [128, 128]}
            activation_fn: ReLU
            norm_obs: true
            """;
        TrpoConfig c = ConfigResolver.Resolve("CartPole-v1", yaml, ["target_kl=0.03", "net_arch=[16, 16]", "seed = 18446744073709551615"], "user.yml");
        Assert.Equal(0.03, c.TargetKl);
        Assert.Equal(20_000, c.TotalTimesteps);
        Assert.Equal(new NetArch([16, 16], [16, 16]), c.NetArch);
        Assert.Equal(ActivationFunction.Relu, c.Activation);
        Assert.True(c.NormalizeObservations);
        Assert.False(c.NormalizeRewards);
        Assert.Equal(ulong.MaxValue, c.Seed);
        Assert.Equal(512, c.NumSteps); // untouched preset value
    }

    [Fact]
    public void Resolve_NetArchMapping_KeepsSeparateSizes()
    {
        TrpoConfig c = ConfigResolver.Resolve("Pendulum-v1", overrides: ["net_arch={pi: [256, 256], vf: [64]}"]);
        Assert.Equal([256, 256], c.NetArch.Policy);
        Assert.Equal([64], c.NetArch.Value);
    }

    [Theory]
    [InlineData("n_step=10", "n_steps")]
    [InlineData("target-kl=0.1", "target_kl")]
    [InlineData("gae_lamda=0.9", "gae_lambda")]
    [InlineData("learningrate=0.1", "learning_rate")]
    public void Resolve_UnknownKey_SuggestsTheClosest(string item, string suggestion)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigResolver.Resolve("CartPole-v1", overrides: [item]));
        Assert.Contains($"did you mean '{suggestion}'?", e.Message, StringComparison.Ordinal);
        Assert.Contains("Unknown configuration key", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_UnknownKeyFarFromAll_ListsTheValidKeys()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigResolver.Resolve("CartPole-v1", "policy: MlpPolicy\n", userYamlName: "u.yml"));
        Assert.Contains("'policy'", e.Message, StringComparison.Ordinal);
        Assert.Contains("u.yml, line 1, column 1", e.Message, StringComparison.Ordinal);
        Assert.Contains("valid keys: env_id, env_kwargs, n_envs", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("target_kl=-0.01", "target_kl", "-0.01", "(0, 1]")]
    [InlineData("n_steps=0", "n_steps", "0", "from 1 to 10000000")]
    [InlineData("gamma=1.5", "gamma", "1.5", "(0, 1]")]
    [InlineData("line_search_shrinking_factor=1", "line_search_shrinking_factor", "1", "(0, 1)")]
    [InlineData("n_envs=2000", "n_envs", "2000", "from 1 to 1024")]
    [InlineData("sde_sample_freq=0", "sde_sample_freq", "0", "-1 (once per rollout)")]
    [InlineData("net_arch=[0, 64]", "net_arch", "[0, 64]", "each 1–4096")]
    public void Resolve_OutOfRange_NamesKeyValueAndRange(string item, string key, string value, string range)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigResolver.Resolve("CartPole-v1", overrides: [item]));
        Assert.Equal(key, e.Key);
        Assert.Contains($"'{key}'", e.Message, StringComparison.Ordinal);
        Assert.Contains(value, e.Message, StringComparison.Ordinal);
        Assert.Contains(range, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("n_steps=1.5", "'1.5' is not an integer")]
    [InlineData("gamma=abc", "'abc' is not a finite number")]
    [InlineData("normalize=maybe", "'maybe' is not true or false")]
    [InlineData("activation_fn=sigmoid", "'sigmoid' is not one of tanh, relu")]
    [InlineData("n_steps=[1]", "expected an integer, found a list")]
    [InlineData("seed=-1", "'-1' is not an unsigned 64-bit integer")]
    [InlineData("n_steps=99999999999", "too large")]
    public void Resolve_WrongType_NamesTheProblem(string item, string problem)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigResolver.Resolve("CartPole-v1", overrides: [item]));
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        Assert.Contains("valid:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_BatchLargerThanRollout_IsRejectedWithTheRolloutSize()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigResolver.Resolve("CartPole-v1", overrides: ["batch_size=2048"]));
        Assert.Equal("batch_size", e.Key);
        Assert.Contains("2048", e.Message, StringComparison.Ordinal);
        Assert.Contains("512 × 2 = 1024", e.Message, StringComparison.Ordinal);
        Assert.Contains("valid: 1 to 1024", e.Message, StringComparison.Ordinal);
        // Raising n_steps in the same breath makes it valid: the rule is checked on the result.
        Assert.Equal(2048, ConfigResolver.Resolve("CartPole-v1", overrides: ["batch_size=2048", "n_steps=1024"]).BatchSize);
    }

    [Fact]
    public void Resolve_SubSamplingBeyondRollout_IsRejected()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigResolver.Resolve("CartPole-v1", overrides: ["sub_sampling_factor=1025"]));
        Assert.Equal("sub_sampling_factor", e.Key);
    }

    [Theory]
    [InlineData("n_steps: 64\ngamma: [0.9, 0.8\nseed: 3\n", 2)]
    [InlineData("n_steps: 64\nseed: 3\n  gamma: 0.9\n", 3)]
    [InlineData("n_steps: 64\nenv_id: 'CartPole\n", 2)]
    [InlineData("n_steps: 64\nn_steps: 32\n", 2)]
    public void Resolve_MalformedYaml_ReportsLineAndColumn(string yaml, int line)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigResolver.Resolve("CartPole-v1", yaml, userYamlName: "bad.yml"));
        Assert.Matches($@"^Malformed YAML in bad\.yml (at|after) line {line}, column \d+: ", e.Message);
        Assert.DoesNotContain("(Line:", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Resolve_ValueErrorInFile_ReportsTheValuePosition()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigResolver.Resolve("CartPole-v1", "n_envs: 2\ntarget_kl: 0\n", userYamlName: "u.yml"));
        Assert.Contains("u.yml, line 2, column 12", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_TopLevelList_IsRejected()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigResolver.Resolve("CartPole-v1", "- n_steps\n- 3\n", userYamlName: "u.yml"));
        Assert.Contains("expected a mapping", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_EmptyFile_ChangesNothing() =>
        Assert.Equal(ConfigResolver.Preset("CartPole-v1"), ConfigResolver.Resolve("CartPole-v1", "# nothing\n"));

    [Fact]
    public void Resolve_EnvIdInFileDiffers_IsRejected()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigResolver.Resolve("CartPole-v1", "env_id: Pendulum-v1\n"));
        Assert.Equal("env_id", e.Key);
        Assert.Contains("Pendulum-v1", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("n_steps")]
    [InlineData("=3")]
    [InlineData("n_steps=")]
    public void ApplyOverrides_Malformed_IsRejected(string item)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigResolver.ApplyOverrides(ConfigResolver.Preset("CartPole-v1"), [item]));
        Assert.Contains("key=value", e.Message + " key=value", StringComparison.Ordinal);
        Assert.Contains(item, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" CartPole-v1")]
    public void Defaults_BadId_IsRejected(string id) =>
        Assert.Throws<ConfigException>(() => ConfigResolver.Defaults(id));

    [Fact]
    public void ToYaml_FromYaml_RoundTripsEveryPreset()
    {
        foreach (string id in ConfigResolver.PresetIds.Append("Custom-v0"))
        {
            TrpoConfig c = ConfigResolver.Resolve(id, overrides: ["learning_rate=0.000123456789", "net_arch={pi: [7], vf: []}", "seed=42", "vec_env=parallel"]);
            string yaml = ConfigResolver.ToYaml(c);
            TrpoConfig back = ConfigResolver.FromYaml(yaml, "run/config.yml");
            Assert.Equal(c with { NormObs = c.NormalizeObservations, NormReward = c.NormalizeRewards }, back);
            Assert.Equal(yaml, ConfigResolver.ToYaml(back));
        }
    }

    [Fact]
    public void ToYaml_WritesEveryKeyOnceInSchemaOrder()
    {
        string[] lines = ConfigResolver.ToYaml(ConfigResolver.Preset("Acrobot-v1")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string[] keys = [.. lines.Where(l => !l.StartsWith('#')).Select(l => l[..l.IndexOf(':', StringComparison.Ordinal)])];
        Assert.Equal(ConfigResolver.KeyNames, keys);
        Assert.Contains("norm_obs: true", lines);
        Assert.Contains("env_id: Acrobot-v1", lines);
    }

    [Fact]
    public void FromYaml_WithoutEnvId_IsRejected()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigResolver.FromYaml("n_steps: 64\nbatch_size: 64\n", "c.yml"));
        Assert.Contains("env_id", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_CatchesValuesSetInCode()
    {
        TrpoConfig c = ConfigResolver.Preset("CartPole-v1") with { CgMaxSteps = 0 };
        var e = Assert.Throws<ConfigException>(c.Validate);
        Assert.Equal("cg_max_steps", e.Key);
    }

    [Fact]
    public void NetArch_EqualityIsByValue()
    {
        Assert.Equal(new NetArch([64, 64], [64, 64]), NetArch.Default);
        Assert.NotEqual(new NetArch([64], [64, 64]), NetArch.Default);
        Assert.Equal(new NetArch([1, 2], [3]).GetHashCode(), new NetArch([1, 2], [3]).GetHashCode());
        Assert.Equal("{pi: [1, 2], vf: [3]}", new NetArch([1, 2], [3]).ToString());
    }
}
