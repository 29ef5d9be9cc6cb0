using System.Xml.Linq;
using TrustRegion.Cli;
using TrustRegion.Training;

namespace TrustRegion.Cli.Tests;

public sealed class CliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("trpo-cli-").FullName;
    private readonly RecordingBackend _backend = new();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private (int Code, string Out, string Err) Run(params string[] args) => RunWith(_backend, args);

    private static (int Code, string Out, string Err) RunWith(ICliBackend backend, string[] args, CancellationToken cancellation = default)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = TrpoCli.Run(args, stdout, stderr, backend, new FixedTime(new DateTimeOffset(2026, 11, 21, 14, 30, 5, TimeSpan.Zero)), cancellation);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Bad input: a non-zero code and exactly one line on stderr, without a stack trace.</summary>
    private static string AssertOneLineError((int Code, string Out, string Err) result, int code, params string[] fragments)
    {
        Assert.Equal(code, result.Code);
        string[] lines = result.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.DoesNotContain("   at ", result.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", result.Err, StringComparison.Ordinal);
        foreach (string fragment in fragments)
        {
            Assert.Contains(fragment, lines[0], StringComparison.Ordinal);
        }
        return lines[0];
    }

    [Fact]
    public void Help_ListsEveryCommand()
    {
        (int code, string output, string err) = Run("--help");
        Assert.Equal(0, code);
        Assert.Empty(err);
        foreach (string command in new[] { "train", "resume", "eval", "envs", "plot", "bench" })
        {
            Assert.Contains(command, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TrainHelp_DescribesEveryOption()
    {
        (int code, string output, _) = Run("train", "--help");
        Assert.Equal(0, code);
        foreach (string option in new[] { "ENV_ID", "--config", "--set", "--steps", "--seed", "--envs", "--out", "--quiet" })
        {
            Assert.Contains(option, output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(new string[0], "trpo:")]
    [InlineData(new[] { "trian" }, "trian")]
    [InlineData(new[] { "train" }, "trpo train:")]
    [InlineData(new[] { "train", "CartPole-v1", "--steps", "abc" }, "--steps must be a whole number from 1 to 1000000000000, got 'abc'")]
    [InlineData(new[] { "train", "CartPole-v1", "--steps", "0" }, "--steps must be a whole number from 1 to")]
    [InlineData(new[] { "train", "CartPole-v1", "--envs", "0" }, "--envs must be a whole number from 1 to 1024, got '0'")]
    [InlineData(new[] { "train", "CartPole-v1", "--seed", "-3" }, "--seed must be a whole number from 0 to 18446744073709551615, got '-3'")]
    [InlineData(new[] { "train", "CartPole-v1", "--bogus" }, "--bogus")]
    [InlineData(new[] { "eval", "m.ckpt", "--episodes", "0" }, "--episodes must be a whole number from 1 to 100000")]
    [InlineData(new[] { "resume" }, "trpo resume:")]
    public void UsageErrors_ExitWith2AndOneLine(string[] args, string fragment)
    {
        string line = AssertOneLineError(Run(args), ExitCodes.Usage, fragment);
        Assert.Contains("--help' for usage.", line, StringComparison.Ordinal);
        Assert.Equal(0, _backend.Calls);
    }

    [Fact]
    public void Train_ResolvesPresetFileSetsAndFlagsInThatOrder()
    {
        string file = Path.Combine(_dir, "user.yml");
        File.WriteAllText(file, "target_kl: 0.02\nn_timesteps: 5000\ngamma: 0.95\n");
        string outDir = Path.Combine(_dir, "run");
        (int code, _, string err) = Run("train", "CartPole-v1", "--config", file, "--set", "gamma=0.97", "--set", "n_timesteps=6000",
            "--steps", "7000", "--seed", "5", "--envs", "4", "--out", outDir, "--quiet");
        Assert.Equal(RecordingBackend.Code, code);
        Assert.Empty(err);
        TrainRequest request = Assert.IsType<TrainRequest>(_backend.Last);
        TrpoConfig c = request.Config;
        Assert.Equal(("CartPole-v1", 0.02, 0.97, 7000L, 5UL, 4), (c.EnvId, c.TargetKl, c.Gamma, c.TotalTimesteps, c.Seed, c.NumEnvs));
        Assert.Equal(512, c.NumSteps); // from the preset
        Assert.Equal(outDir, request.Run.Path);
        Assert.True(request.Quiet);
    }

    [Fact]
    public void Train_DefaultRunDirectory_IsNamedByEnvSeedAndTime()
    {
        Assert.Equal(RecordingBackend.Code, Run("train", "CartPole-v1", "--seed", "3").Code);
        TrainRequest request = Assert.IsType<TrainRequest>(_backend.Last);
        Assert.Equal(Path.Combine("runs", "CartPole-v1__3__20261121-143005"), request.Run.Path);
        Assert.False(request.Quiet);
    }

    [Fact]
    public void Train_EnvKwargs_MergeOverTheConfiguration()
    {
        string outDir = Path.Combine(_dir, "kw");
        Assert.Equal(RecordingBackend.Code, Run("train", "Pendulum-v1", "--set", "env_kwargs={g: 9.81}", "--env-kwargs", "g:3.7", "other: [0.5, .inf]", "--out", outDir).Code);
        TrainRequest request = Assert.IsType<TrainRequest>(_backend.Last);
        Assert.Equal("{g: 3.7, other: [0.5, .inf]}", request.Config.EnvKwargs.ToString());
        string outDir2 = Path.Combine(_dir, "kw2");
        Assert.Equal(RecordingBackend.Code, Run("train", "Pendulum-v1", "--set", "env_kwargs={a: 1}", "--env-kwargs", "g:3.7", "--out", outDir2).Code);
        Assert.Equal("{a: 1, g: 3.7}", Assert.IsType<TrainRequest>(_backend.Last).Config.EnvKwargs.ToString());
    }

    [Theory]
    [InlineData("g")]
    [InlineData("g:")]
    [InlineData(":3")]
    public void Train_MalformedEnvKwargs_AreNamed(string pair)
    {
        (int code, string output, string err) = Run("train", "Pendulum-v1", "--env-kwargs", pair, "--out", Path.Combine(_dir, "bad"));
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains($"--env-kwargs '{pair}': expected name:value", err);
        Assert.Empty(output);
    }

    [Fact]
    public void Train_UnknownKey_SuggestsTheFix() =>
        AssertOneLineError(Run("train", "CartPole-v1", "--set", "n_step=64"), ExitCodes.InvalidInput, "trpo train:", "'n_step'", "did you mean 'n_steps'?");

    [Fact]
    public void Train_BatchLargerThanRollout_NamesKeyValueAndRange() =>
        AssertOneLineError(Run("train", "CartPole-v1", "--set", "batch_size=4096"), ExitCodes.InvalidInput, "'batch_size'", "4096", "valid: 1 to 1024");

    [Fact]
    public void Train_NegativeDelta_NamesKeyValueAndRange() =>
        AssertOneLineError(Run("train", "CartPole-v1", "--set", "target_kl=-0.01"), ExitCodes.InvalidInput, "'target_kl'", "-0.01", "(0, 1]");

    [Fact]
    public void Train_TooManyEnvsForTheRolloutRule_IsCheckedAfterFlags()
    {
        // batch_size 512 of the preset needs n_steps × n_envs ≥ 512: one env with n_steps 256 breaks it.
        AssertOneLineError(Run("train", "CartPole-v1", "--set", "n_steps=256", "--envs", "1"), ExitCodes.InvalidInput, "batch_size", "256 × 1 = 256");
    }

    [Fact]
    public void Train_MissingConfigFile_IsReported() =>
        AssertOneLineError(Run("train", "CartPole-v1", "--config", Path.Combine(_dir, "nope.yml")), ExitCodes.InvalidInput, "nope.yml", "does not exist");

    [Fact]
    public void Train_MalformedConfigFile_ReportsLineAndColumn()
    {
        string file = Path.Combine(_dir, "bad.yml");
        File.WriteAllText(file, "n_steps: 64\ngamma: [0.9, 0.8\nseed: 3\n");
        AssertOneLineError(Run("train", "CartPole-v1", "--config", file), ExitCodes.InvalidInput, "Malformed YAML", "bad.yml", "line 2, column");
    }

    [Fact]
    public void Train_IntoANonEmptyDirectory_PointsToResume()
    {
        string outDir = Path.Combine(_dir, "run");
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "config.yml"), "");
        AssertOneLineError(Run("train", "CartPole-v1", "--out", outDir), ExitCodes.InvalidInput, "already holds files", "trpo resume");
    }

    [Fact]
    public void Train_CancellationToken_ReachesTheBackend()
    {
        using var cts = new CancellationTokenSource();
        RunWith(_backend, ["train", "CartPole-v1", "--out", Path.Combine(_dir, "r")], cts.Token);
        Assert.True(_backend.LastToken.CanBeCanceled);
    }

    [Fact]
    public void Resume_ValidRun_PassesConfigCheckpointAndSteps()
    {
        RunDirectory run = MakeRun(withCheckpoint: true);
        (int code, _, string err) = Run("resume", run.Path, "--steps", "200000");
        Assert.Empty(err);
        Assert.Equal(RecordingBackend.Code, code);
        ResumeRequest request = Assert.IsType<ResumeRequest>(_backend.Last);
        Assert.Equal(200_000, request.Config.TotalTimesteps);
        Assert.Equal("Acrobot-v1", request.Config.EnvId);
        Assert.Equal(4096, request.Checkpoint.GetInt64("counters/steps"));
    }

    [Fact]
    public void Resume_Problems_AreOneLine()
    {
        AssertOneLineError(Run("resume", Path.Combine(_dir, "missing")), ExitCodes.InvalidInput, "does not exist");
        RunDirectory noCheckpoint = MakeRun(withCheckpoint: false);
        AssertOneLineError(Run("resume", noCheckpoint.Path), ExitCodes.InvalidInput, "no checkpoint yet", "trpo train");
        RunDirectory damaged = MakeRun(withCheckpoint: true, name: "damaged");
        byte[] bytes = File.ReadAllBytes(damaged.LatestCheckpointPath);
        bytes[40] ^= 1;
        File.WriteAllBytes(damaged.LatestCheckpointPath, bytes);
        AssertOneLineError(Run("resume", damaged.Path), ExitCodes.InvalidInput, "latest.ckpt", "corrupted", "Use an earlier checkpoint");
        Assert.Equal(0, _backend.Calls);
    }

    [Fact]
    public void Eval_ValidModel_PassesEpisodesAndMode()
    {
        string model = Path.Combine(_dir, "m.ckpt");
        new CheckpointWriter().AddInt64("counters/steps", 1).Save(model);
        Assert.Equal(RecordingBackend.Code, Run("eval", model, "--episodes", "7", "--stochastic").Code);
        EvalRequest request = Assert.IsType<EvalRequest>(_backend.Last);
        Assert.Equal((7, false, model), (request.Episodes, request.Deterministic, request.ModelPath));
        Assert.Equal(RecordingBackend.Code, Run("eval", model).Code);
        Assert.Equal((10, true), (((EvalRequest)_backend.Last!).Episodes, ((EvalRequest)_backend.Last!).Deterministic));
    }

    [Fact]
    public void Eval_ForeignFile_IsRejected()
    {
        string model = Path.Combine(_dir, "model.zip");
        File.WriteAllBytes(model, [0x50, 0x4B, 0x03, 0x04, 0, 0, 0, 0]);
        AssertOneLineError(Run("eval", model), ExitCodes.InvalidInput, "not a TrustRegion checkpoint");
    }

    [Fact]
    public void Envs_And_Bench_CallTheBackend()
    {
        Assert.Equal(RecordingBackend.Code, Run("envs").Code);
        Assert.Equal("envs", _backend.Last);
        Assert.Equal(RecordingBackend.Code, Run("envs", "Hopper-v4").Code);
        Assert.Equal("envs Hopper-v4", _backend.Last);
        string outDir = Path.Combine(_dir, "b");
        Assert.Equal(RecordingBackend.Code, Run("bench", "Pendulum-v1", "Acrobot-v1", "--seeds", "5", "--out", outDir, "--steps", "5000", "--jobs", "2").Code);
        BenchRequest request = Assert.IsType<BenchRequest>(_backend.Last);
        Assert.Equal(["Pendulum-v1", "Acrobot-v1"], request.EnvIds);
        Assert.Equal((5, outDir, 5000L, 2), (request.Seeds, request.OutDir, request.Steps, request.ParallelRuns));
        Assert.Empty(request.Overrides ?? []);
        Assert.Equal(RecordingBackend.Code, Run("bench", "CartPole-v1", "--set", "precision=single", "--set", "n_envs=4", "--out", Path.Combine(_dir, "c")).Code);
        request = Assert.IsType<BenchRequest>(_backend.Last);
        Assert.Equal(["precision=single", "n_envs=4"], request.Overrides);
        Assert.Equal(RecordingBackend.Code, Run("bench", "Hopper-v4", "--env-kwargs", "terminate_when_unhealthy:false", "ctrl_cost_weight:0", "--out", Path.Combine(_dir, "d")).Code);
        request = Assert.IsType<BenchRequest>(_backend.Last);
        Assert.Equal(["terminate_when_unhealthy:false", "ctrl_cost_weight:0"], request.EnvKwargs);
        Assert.Equal(RecordingBackend.Code, Run("bench").Code);
        request = Assert.IsType<BenchRequest>(_backend.Last);
        Assert.Empty(request.EnvIds);
        Assert.Empty(request.EnvKwargs ?? []);
        Assert.Equal((3, (long?)null, 1), (request.Seeds, request.Steps, request.ParallelRuns));
        Assert.StartsWith(Path.Combine("bench", "trpo-bench-"), request.OutDir, StringComparison.Ordinal);
    }

    [Fact]
    public void Bench_BadOptions_AreOneLine()
    {
        AssertOneLineError(Run("bench", "--seeds", "0"), ExitCodes.Usage, "--seeds must be a whole number from 1 to 1000, got '0'");
        AssertOneLineError(Run("bench", "--jobs", "x"), ExitCodes.Usage, "--jobs must be a whole number");
        string outDir = Path.Combine(_dir, "done");
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "bench.json"), "{}");
        AssertOneLineError(Run("bench", "--out", outDir), ExitCodes.InvalidInput, "already holds a benchmark report");
        AssertOneLineError(Run("bench", "Pendulum-v1", "--env-kwargs", "g", "--out", Path.Combine(_dir, "e")), ExitCodes.InvalidInput, "--env-kwargs 'g': expected name:value");
    }

    [Fact]
    public void Bench_EnvKwargsOneEnvironmentDoesNotTake_FailInOneLineBeforeAnyRun()
    {
        // Pendulum-v1 takes g, CartPole-v1 does not: nothing runs, not even Pendulum-v1's seeds.
        string outDir = Path.Combine(_dir, "kw");
        (int code, string output, string err) = RunWith(new TrainingBackend(TrustRegion.Envs.EnvRegistry.CreateWithBuiltIns()),
            ["bench", "Pendulum-v1", "CartPole-v1", "--seeds", "1", "--steps", "2048", "--env-kwargs", "g:9.81", "--out", outDir]);
        AssertOneLineError((code, output, err), ExitCodes.InvalidInput, "trpo bench:", "env_kwargs", "CartPole-v1", "'g'");
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void BackendErrors_BecomeOneLine()
    {
        var failing = new RecordingBackend { Throw = new ArgumentException("unknown environment 'CartPole-v9'; run 'trpo envs' for the list.") };
        AssertOneLineError(RunWith(failing, ["train", "CartPole-v9", "--out", Path.Combine(_dir, "x")]), ExitCodes.InvalidInput, "trpo train: unknown environment 'CartPole-v9'");
    }

    [Fact]
    public void ArgumentErrors_DoNotNameTheCSharpParameter()
    {
        var failing = new RecordingBackend { Throw = new ArgumentException("Unknown environment id 'Hoper-v4'.", "id") };
        (int code, string output, string err) = RunWith(failing, ["envs", "Hoper-v4"]);
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Equal("trpo envs: Unknown environment id 'Hoper-v4'.", err.TrimEnd());
        Assert.Empty(output);
    }

    [Fact]
    public void Bench_UnknownEnvironment_FailsInOneLineBeforeAnyRun() =>
        AssertOneLineError(RunWith(new TrainingBackend(TrustRegion.Envs.EnvRegistry.CreateWithBuiltIns()), ["bench", "CartPole-v1", "CartPole-v9", "--out", Path.Combine(_dir, "x")]),
            ExitCodes.InvalidInput, "trpo bench:", "CartPole-v9");

    [Fact]
    public void Plot_WritesAnSvgFromTheRunDirectory()
    {
        RunDirectory run = MakeRun(withCheckpoint: false);
        File.WriteAllText(run.ProgressPath, "time/total_steps,rollout/ep_return_mean,train/kl\n2048,-500,0.009\n4096,-420.5,0.0071\n6144,-300,0.0102\n");
        (int code, string output, string err) = Run("plot", run.Path);
        Assert.Equal(0, code);
        Assert.Empty(err);
        Assert.Equal($"wrote {run.PlotPath}", output.Trim());
        XDocument svg = XDocument.Load(run.PlotPath);
        Assert.Contains(svg.Descendants().Where(e => e.Name.LocalName == "text"), t => t.Value == "TRPO on Acrobot-v1, seed 9");

        string other = Path.Combine(_dir, "curve.svg");
        Assert.Equal(0, Run("plot", run.ProgressPath, "--out", other).Code);
        Assert.True(File.Exists(other));
    }

    [Fact]
    public void Plot_Problems_AreOneLine()
    {
        AssertOneLineError(Run("plot", Path.Combine(_dir, "none")), ExitCodes.InvalidInput, "does not exist");
        RunDirectory run = MakeRun(withCheckpoint: false);
        AssertOneLineError(Run("plot", run.Path), ExitCodes.InvalidInput, "no progress.csv yet");
        File.WriteAllText(run.ProgressPath, "time/total_steps,a\n");
        AssertOneLineError(Run("plot", run.Path), ExitCodes.InvalidInput, "no rows yet");
        File.WriteAllText(run.ProgressPath, "steps,a\n1,2\n");
        AssertOneLineError(Run("plot", run.Path), ExitCodes.InvalidInput, "not a progress.csv");
    }

    private RunDirectory MakeRun(bool withCheckpoint, string name = "run")
    {
        var run = new RunDirectory(Path.Combine(_dir, name));
        Directory.CreateDirectory(run.CheckpointDirectory);
        TrpoConfig config = ConfigResolver.Resolve("Acrobot-v1", overrides: ["seed=9"]);
        File.WriteAllText(run.ConfigPath, ConfigResolver.ToYaml(config));
        if (withCheckpoint)
        {
            new CheckpointWriter().AddText("config", ConfigResolver.ToYaml(config)).AddInt64("counters/steps", 4096).Save(run.LatestCheckpointPath);
        }
        return run;
    }

    private sealed class RecordingBackend : ICliBackend
    {
        public const int Code = 42;

        public int Calls { get; private set; }

        public object? Last { get; private set; }

        public CancellationToken LastToken { get; private set; }

        public Exception? Throw { get; init; }

        public int Train(TrainRequest request, CliConsole console, CancellationToken cancellation) => Record(request, cancellation);

        public int Resume(ResumeRequest request, CliConsole console, CancellationToken cancellation) => Record(request, cancellation);

        public int Evaluate(EvalRequest request, CliConsole console, CancellationToken cancellation) => Record(request, cancellation);

        public int ListEnvironments(CliConsole console, string? envId = null) => Record(envId is null ? "envs" : "envs " + envId, default);

        public int Bench(BenchRequest request, CliConsole console, CancellationToken cancellation) => Record(request, cancellation);

        private int Record(object request, CancellationToken cancellation)
        {
            Calls++;
            Last = request;
            LastToken = cancellation;
            return Throw is null ? Code : throw Throw;
        }
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
