using TrustRegion.Envs;
using TrustRegion.MuJoCo.Envs;
using TrustRegion.Training;

namespace TrustRegion.MuJoCo.Tests;

/// <summary>
/// The Gymnasium v4 constructor arguments (env_kwargs): each one changes what Gymnasium's does, nothing else, and the defaults
/// leave the environments as they are (the parity tests run on those).
/// </summary>
public sealed class MuJoCoEnvArgumentTests
{
    private static readonly EnvRegistry s_registry = MuJoCoRegistration.Register(new EnvRegistry());

    private static IEnv Make(string id, params (string Name, string Value)[] kwargs) =>
        s_registry.Make(id, kwargs: EnvKwargs.From(kwargs.Select(k => new KeyValuePair<string, string>(k.Name, k.Value))));

    /// <summary>Runs <paramref name="steps"/> steps of a fixed pseudo-random action sequence; returns every observation and result.</summary>
    private static (List<double[]> Observations, List<StepResult> Results) Roll(IEnv env, ulong seed, int steps)
    {
        var o = new double[env.ObservationSpace.FlatSize];
        env.Reset(seed, o);
        var observations = new List<double[]> { (double[])o.Clone() };
        var results = new List<StepResult>();
        var rng = new Numerics.Rng(seed + 100);
        var a = new double[env.ActionSpace.FlatSize];
        for (int t = 0; t < steps; t++)
        {
            for (int i = 0; i < a.Length; i++)
            {
                a[i] = rng.NextDouble(-1, 1) * ((Box)env.ActionSpace).High[i];
            }
            StepResult r = env.Step(a, o);
            observations.Add((double[])o.Clone());
            results.Add(r);
            if (r.Terminated || r.Truncated)
            {
                break;
            }
        }
        return (observations, results);
    }

    public static TheoryData<string> IdsWithArguments => ["Swimmer-v4", "Hopper-v4", "Walker2d-v4", "HalfCheetah-v4", "Ant-v4", "Humanoid-v4"];

    [Theory]
    [MemberData(nameof(IdsWithArguments))]
    public void EveryDefault_GivenExplicitly_ReproducesTheDefaultEnvironmentBitForBit(string id)
    {
        EnvSpec spec = s_registry.GetSpec(id);
        Assert.NotEmpty(spec.Parameters);
        using IEnv plain = s_registry.Make(id);
        using IEnv explicitDefaults = Make(id, [.. spec.Parameters.Select(p => (p.Name, p.Default))]);
        var (po, pr) = Roll(plain, 5, 300);
        var (eo, er) = Roll(explicitDefaults, 5, 300);
        Assert.Equal(po.Count, eo.Count);
        for (int t = 0; t < po.Count; t++)
        {
            Assert.Equal(po[t], eo[t]);
        }
        Assert.Equal(pr, er);
    }

    [Theory]
    [InlineData("Hopper-v4", 1)]
    [InlineData("Walker2d-v4", 1)]
    [InlineData("HalfCheetah-v4", 1)]
    [InlineData("Swimmer-v4", 2)]
    [InlineData("Ant-v4", 2)]
    [InlineData("Humanoid-v4", 2)]
    public void IncludingThePositions_PrependsTheExcludedQposEntries(string id, int excluded)
    {
        using IEnv plain = s_registry.Make(id);
        using IEnv full = Make(id, ("exclude_current_positions_from_observation", "false"));
        Assert.Equal(plain.ObservationSpace.FlatSize + excluded, full.ObservationSpace.FlatSize);
        var (po, pr) = Roll(plain, 9, 40);
        var (fo, fr) = Roll(full, 9, 40);
        Assert.Equal(pr, fr);
        var unwrapped = (MuJoCoEnv)((IEnvWrapper)((IEnvWrapper)full).Inner).Inner;
        for (int t = 0; t < po.Count; t++)
        {
            Assert.Equal(po[t], fo[t][excluded..]);
        }
        Assert.Equal(unwrapped.Data.Qpos[..excluded].ToArray(), fo[^1][..excluded]);
        Assert.NotEqual(0.0, fo[^1][0]); // the robot has moved along x
    }

    [Theory]
    [InlineData("HalfCheetah-v4", 0.1)]
    [InlineData("Swimmer-v4", 1e-4)]
    [InlineData("Hopper-v4", 1e-3)]
    [InlineData("Ant-v4", 0.5)]
    public void CtrlCostWeight_ScalesTheControlCost(string id, double defaultWeight)
    {
        using IEnv plain = s_registry.Make(id);
        using IEnv free = Make(id, ("ctrl_cost_weight", "0"));
        var o = new double[plain.ObservationSpace.FlatSize];
        plain.Reset(2, o);
        free.Reset(2, o);
        var a = new double[plain.ActionSpace.FlatSize];
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = 0.25 + (0.1 * i);
        }
        double squares = a.Sum(x => (double)(float)x * (float)x);
        for (int t = 0; t < 5; t++)
        {
            StepResult p = plain.Step(a, o);
            StepResult f = free.Step(a, o);
            Assert.Equal(defaultWeight * squares, f.Reward - p.Reward, 1e-9);
        }
    }

    [Theory]
    [InlineData("HalfCheetah-v4")]
    [InlineData("Swimmer-v4")]
    [InlineData("Hopper-v4")]
    [InlineData("Walker2d-v4")]
    [InlineData("Humanoid-v4")]
    public void ForwardRewardWeight_ScalesTheVelocityTerm(string id)
    {
        using IEnv plain = s_registry.Make(id);
        using IEnv none = Make(id, ("forward_reward_weight", "0"));
        using IEnv doubled = Make(id, ("forward_reward_weight", id == "Humanoid-v4" ? "2.5" : "2"));
        var (_, pr) = Roll(plain, 4, 20);
        var (_, nr) = Roll(none, 4, 20);
        var (_, dr) = Roll(doubled, 4, 20);
        for (int t = 0; t < Math.Min(pr.Count, dr.Count); t++)
        {
            double velocityTerm = pr[t].Reward - nr[t].Reward;
            Assert.Equal(2 * velocityTerm, dr[t].Reward - nr[t].Reward, 1e-9);
        }
        Assert.Contains(pr, r => Math.Abs(r.Reward - nr[pr.IndexOf(r)].Reward) > 1e-3);
    }

    [Theory]
    [InlineData("Hopper-v4", 1.0)]
    [InlineData("Walker2d-v4", 1.0)]
    [InlineData("Ant-v4", 1.0)]
    [InlineData("Humanoid-v4", 5.0)]
    public void WithoutTerminationWhenUnhealthy_TheEpisodeGoesOnAndTheBonusStops(string id, double bonus)
    {
        using IEnv plain = s_registry.Make(id);
        using IEnv goOn = Make(id, ("terminate_when_unhealthy", "false"));
        var (_, pr) = Roll(plain, 1, 1000);
        Assert.True(pr[^1].Terminated, $"{id} did not fall under random actions within {pr.Count} steps");
        var (_, gr) = Roll(goOn, 1, pr.Count + 30);
        Assert.Equal(pr.Count + 30, gr.Count);
        Assert.All(gr, r => Assert.False(r.Terminated));
        for (int t = 0; t < pr.Count - 1; t++)
        {
            Assert.Equal(pr[t].Reward, gr[t].Reward); // healthy: the same bonus
        }
        // The step that falls: the terminating episode is still paid the bonus (Gymnasium), the continuing one is not.
        Assert.Equal(pr[^1].Reward - bonus, gr[pr.Count - 1].Reward, 1e-9);
    }

    [Fact]
    public void HealthyZRange_DecidesTermination()
    {
        using IEnv strict = Make("Hopper-v4", ("healthy_z_range", "[1.3, .inf]")); // starts at 1.25
        var o = new double[11];
        strict.Reset(0, o);
        Assert.True(strict.Step(new double[3], o).Terminated);
        using IEnv lax = Make("Hopper-v4", ("healthy_z_range", "[-.inf, .inf]"), ("healthy_angle_range", "[-10, 10]"), ("healthy_state_range", "[-1e6, 1e6]"));
        var (_, r) = Roll(lax, 1, 400);
        Assert.Equal(400, r.Count);
    }

    [Fact]
    public void ResetNoiseScale_Zero_StartsExactlyAtTheModelsInitialState()
    {
        using IEnv a = Make("HalfCheetah-v4", ("reset_noise_scale", "0"));
        var o1 = new double[17];
        var o2 = new double[17];
        a.Reset(1, o1);
        a.Reset(2, o2);
        Assert.Equal(o1, o2);
        Assert.All(o1, x => Assert.Equal(0.0, x));
    }

    [Fact]
    public void Ant_ContactForcesWithPositions_ClipToTheGivenRangeAndCost()
    {
        using IEnv env = Make("Ant-v4", ("use_contact_forces", "true"), ("exclude_current_positions_from_observation", "false"),
            ("contact_force_range", "[-0.5, 0.5]"), ("contact_cost_weight", "0"));
        using IEnv charged = Make("Ant-v4", ("use_contact_forces", "true"), ("exclude_current_positions_from_observation", "false"),
            ("contact_force_range", "[-0.5, 0.5]"), ("contact_cost_weight", "0.01"));
        Assert.Equal(113, env.ObservationSpace.FlatSize);
        var (o, r) = Roll(env, 3, 60);
        var (_, cr) = Roll(charged, 3, 60);
        Assert.Equal(r.Count, cr.Count);
        Assert.All(o, obs => Assert.All(obs[29..], x => Assert.InRange(x, -0.5, 0.5)));
        int touching = o.FindIndex(obs => obs[29..].Any(x => Math.Abs(x) == 0.5)); // the forces reach beyond the range in some step
        Assert.True(touching > 0);
        double[] forces = o[touching][29..];
        Assert.Equal(0.01 * forces.Sum(x => x * x), r[touching - 1].Reward - cr[touching - 1].Reward, 1e-9);
    }

    [Theory]
    [InlineData("Hopper-v4", "hopper.xml")]
    [InlineData("Walker2d-v4", "walker2d.xml")]
    [InlineData("HalfCheetah-v4", "half_cheetah.xml")]
    [InlineData("Swimmer-v4", "swimmer.xml")]
    [InlineData("Humanoid-v4", "humanoid.xml")]
    public void XmlFile_ACopyOfTheEmbeddedModel_GivesTheSameEnvironment(string id, string embedded)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"trpo-xml-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string copy = Path.Combine(dir, "copy.xml");
            File.WriteAllText(copy, MuJoCoModels.GetMjcf(embedded));
            using IEnv plain = s_registry.Make(id);
            using IEnv fromFile = Make(id, ("xml_file", copy));
            var (po, pr) = Roll(plain, 8, 30);
            var (fo, fr) = Roll(fromFile, 8, 30);
            Assert.Equal(pr, fr);
            Assert.Equal(po[^1], fo[^1]);
            Assert.NotSame(((MuJoCoEnv)Unwrap(plain)).Model, ((MuJoCoEnv)Unwrap(fromFile)).Model);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static IEnv Unwrap(IEnv env) => env is IEnvWrapper w ? Unwrap(w.Inner) : env;

    [Fact]
    public void Ant_XmlFile_LoadsTheModelFromAFile()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"trpo-xml-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string copy = Path.Combine(dir, "ant_copy.xml");
            File.WriteAllText(copy, MuJoCoModels.GetMjcf("ant.xml"));
            string weak = Path.Combine(dir, "ant_weak.xml");
            File.WriteAllText(weak, MuJoCoModels.GetMjcf("ant.xml").Replace("gear=\"150\"", "gear=\"60\"", StringComparison.Ordinal));
            using IEnv plain = s_registry.Make("Ant-v4");
            using IEnv fromCopy = Make("Ant-v4", ("xml_file", copy));
            using IEnv fromWeak = Make("Ant-v4", ("xml_file", weak));
            var (po, pr) = Roll(plain, 6, 25);
            var (co, cr) = Roll(fromCopy, 6, 25);
            var (wo, _) = Roll(fromWeak, 6, 25);
            Assert.Equal(pr, cr);
            Assert.Equal(po[^1], co[^1]);
            Assert.Equal(po[0], wo[0]); // same start state
            Assert.NotEqual(po[^1], wo[^1]); // weaker motors, another motion

            string hopper = Path.Combine(dir, "hopper.xml");
            File.WriteAllText(hopper, MuJoCoModels.GetMjcf("hopper.xml"));
            var sizes = Assert.Throws<ArgumentException>(() => Make("Ant-v4", ("xml_file", hopper)));
            Assert.Contains("Ant-v4 needs a model with nq = 15, nv = 14, nu = 8", sizes.Message);
            string missing = Path.Combine(dir, "nothing.xml");
            var none = Assert.Throws<FileNotFoundException>(() => Make("Ant-v4", ("xml_file", missing)));
            Assert.Contains($"'{missing}' (xml_file) does not exist", none.Message);
            var plainName = Assert.Throws<ArgumentException>(() => Make("Ant-v4", ("xml_file", "ant_v5.xml")));
            Assert.Contains("invalid value 'ant_v5.xml' for the argument 'xml_file': no embedded MuJoCo model is named 'ant_v5.xml'", plainName.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void XmlFile_AnEditedFile_IsCompiledAnew_AndChangesTheFingerprint()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"trpo-xml-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string path = Path.Combine(dir, "swimmer.xml");
            string text = MuJoCoModels.GetMjcf("swimmer.xml");
            File.WriteAllText(path, text);
            string sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));
            using IEnv first = Make("Swimmer-v4", ("xml_file", path));
            using IEnv again = Make("Swimmer-v4", ("xml_file", path));
            var env = (MuJoCoEnv)Unwrap(first);
            Assert.Same(env.Model, ((MuJoCoEnv)Unwrap(again)).Model); // same content: compiled once
            Assert.Equal(sha, env.Model.SourceSha256);
            Assert.Equal("mjcf-sha256:" + sha, env.Fingerprint);
            // The embedded model has the same text, hence the same fingerprint.
            using IEnv embedded = s_registry.Make("Swimmer-v4");
            Assert.Equal(env.Fingerprint, ((MuJoCoEnv)Unwrap(embedded)).Fingerprint);
            Assert.Equal(env.Fingerprint, first.Find<IEnvFingerprint>()!.Fingerprint);

            File.WriteAllText(path, text + "<!-- edited -->\n");
            using IEnv edited = Make("Swimmer-v4", ("xml_file", path));
            var editedEnv = (MuJoCoEnv)Unwrap(edited);
            Assert.NotSame(env.Model, editedEnv.Model);
            Assert.NotEqual(env.Fingerprint, editedEnv.Fingerprint);
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path))), editedEnv.Model.SourceSha256);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void SourceSha256_IsThatOfTheDocumentsBytes()
    {
        const string mjcf = "<mujoco><worldbody><body><joint type=\"slide\"/><geom size=\"0.1\"/></body></worldbody></mujoco>";
        using MuJoCoModel model = MuJoCoModel.FromXml(mjcf, "tiny.xml");
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(mjcf))), model.SourceSha256);
    }

    [Theory]
    [InlineData("Hopper-v4", "ctrl_cost_weigth", "Hopper-v4 has no argument 'ctrl_cost_weigth'. Did you mean ctrl_cost_weight?")]
    [InlineData("Reacher-v4", "ctrl_cost_weight", "Reacher-v4 takes no arguments")]
    [InlineData("InvertedPendulum-v4", "reset_noise_scale", "InvertedPendulum-v4 takes no arguments")]
    public void UnknownArguments_AreNamed(string id, string name, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => Make(id, (name, "0.5")));
        Assert.StartsWith(expected, e.Message);
    }

    [Theory]
    [InlineData("ctrl_cost_weight", "fast", "a finite number")]
    [InlineData("ctrl_cost_weight", ".nan", "a finite number")]
    [InlineData("reset_noise_scale", "-0.1", "zero or more")]
    [InlineData("terminate_when_unhealthy", "maybe", "true or false")]
    [InlineData("healthy_z_range", "[2.0, 0.5]", "low < high")]
    [InlineData("healthy_z_range", "0.7", "low < high")]
    public void MalformedValues_AreNamedWithWhatIsExpected(string name, string value, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => Make("Hopper-v4", (name, value)));
        Assert.Contains($"'{value}'", e.Message);
        Assert.Contains($"'{name}'", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Training_UsesTheArguments_AndACheckpointResumesWithThem()
    {
        TrpoConfig config = ConfigResolver.Resolve("Hopper-v4", overrides:
            ["n_steps=128", "n_critic_updates=2", "env_kwargs={exclude_current_positions_from_observation: false, terminate_when_unhealthy: false}"]);
        Assert.Equal(2, config.EnvKwargs.Count);
        using var trainer = new Trainer(config, s_registry);
        Assert.Equal(12, trainer.Environments.ObservationSpace.FlatSize);
        trainer.Train(256, new TrainerOutputs());
        string path = Path.Combine(Path.GetTempPath(), $"trpo-kwargs-{Guid.NewGuid():N}.ckpt");
        try
        {
            trainer.Save(path);
            using Trainer resumed = Trainer.Load(Checkpoint.Load(path), s_registry);
            Assert.Equal(config.EnvKwargs, resumed.Config.EnvKwargs);
            Assert.Equal(12, resumed.Environments.ObservationSpace.FlatSize);
            trainer.Train(512, new TrainerOutputs());
            resumed.Train(512, new TrainerOutputs());
            Assert.Equal(trainer.ParameterHash(), resumed.ParameterHash());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void XmlFile_IsKeptAsAnAbsolutePath_SoThatResumeAndEvalElsewhereReadTheSameFile()
    {
        Assert.Equal("walker2d.xml", MuJoCoModels.NormalizeXmlFile(" walker2d.xml "));
        Assert.Equal(Path.GetFullPath("./models/my.xml"), MuJoCoModels.NormalizeXmlFile("./models/my.xml"));
        Assert.Equal(Path.Join(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), "m/h.xml"), MuJoCoModels.NormalizeXmlFile("~/m/h.xml"));
        Assert.Throws<ArgumentException>(() => MuJoCoModels.NormalizeXmlFile("walker.xml"));

        string name = $"trpo-relative-{Guid.NewGuid():N}.xml"; // in the current directory, named relatively
        File.WriteAllText(name, MuJoCoModels.GetMjcf("hopper.xml"));
        try
        {
            TrpoConfig config = ConfigResolver.Resolve("Hopper-v4", overrides: [$"env_kwargs={{xml_file: ./{name}, ctrl_cost_weight: 1e-3, healthy_z_range: \"(0.7, inf)\"}}"]);
            using var trainer = new Trainer(config, s_registry);
            Assert.Equal(Path.GetFullPath(name), trainer.Config.EnvKwargs.Get("xml_file"));
            Assert.Equal("0.001", trainer.Config.EnvKwargs.Get("ctrl_cost_weight"));
            Assert.Equal("[0.7, .inf]", trainer.Config.EnvKwargs.Get("healthy_z_range"));
            using var again = new Trainer(trainer.Config, s_registry);
            Assert.Equal(trainer.Config.EnvKwargs, again.Config.EnvKwargs); // the canonical form is a fixed point
        }
        finally
        {
            File.Delete(name);
        }
    }

    [Fact]
    public void Training_WithAnUnknownArgument_FailsAsAConfigurationError()
    {
        TrpoConfig config = ConfigResolver.Resolve("Walker2d-v4", overrides: ["env_kwargs={healthy_y_range: [0, 1]}"]);
        var e = Assert.Throws<ConfigException>(() => new Trainer(config, s_registry));
        Assert.Equal("env_kwargs", e.Key);
        Assert.Contains("Walker2d-v4 has no argument 'healthy_y_range'. Did you mean healthy_z_range", e.Message);
    }
}
