using System.Diagnostics;
using System.Text.Json;
using TrustRegion.Envs;
using TrustRegion.Training;

namespace TrustRegion.Cli.Tests;

/// <summary>The real backend end to end: run directory, determinism, exact resume after Ctrl-C and kill -9, and bad model files.</summary>
public sealed class TrainingBackendTests : IDisposable
{
    // Small runs: 20 iterations of CartPole (checkpoint every iteration), and 8 of Pendulum with normalisation (VecNormalize state).
    private static readonly string[] s_cartPole = ["CartPole-v1", "--steps", "20480", "--seed", "3", "--quiet",
        "--set", "checkpoint_freq=1024", "--set", "eval_freq=5000", "--set", "n_eval_episodes=3"];
    private static readonly string[] s_pendulum = ["Pendulum-v1", "--steps", "8192", "--seed", "5", "--quiet",
        "--set", "use_sde=false", "--set", "normalize=true", "--set", "checkpoint_freq=1024", "--set", "eval_freq=4096", "--set", "n_eval_episodes=2"];

    // The Pendulum-v1 preset as it is: gSDE with a new noise matrix every 4 steps.
    private static readonly string[] s_pendulumSde = ["Pendulum-v1", "--steps", "8192", "--seed", "5", "--quiet",
        "--set", "checkpoint_freq=1024", "--set", "eval_freq=4096", "--set", "n_eval_episodes=2"];

    private readonly string _dir = Directory.CreateTempSubdirectory("trpo-backend-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Run(string[] args, CancellationToken cancellation = default)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = TrpoCli.Run(args, stdout, stderr, new TrainingBackend(EnvRegistry.CreateWithBuiltIns()), cancellation: cancellation);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private string Train(string name, string[] args)
    {
        string dir = Path.Combine(_dir, name);
        (int code, _, string err) = Run(["train", .. args, "--out", dir]);
        Assert.True(code == 0, err);
        return dir;
    }

    private static JsonElement Summary(string dir) => JsonDocument.Parse(File.ReadAllText(new RunDirectory(dir).SummaryPath)).RootElement;

    private static string Hash(string dir) => Summary(dir).GetProperty("params_sha256").GetString()!;

    /// <summary>The command line on the real backend with the MuJoCo environments registered.</summary>
    private static (int Code, string Out, string Err) RunMuJoCo(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = TrpoCli.Run(args, stdout, stderr, new TrainingBackend(MuJoCo.Envs.MuJoCoRegistration.Register(EnvRegistry.CreateWithBuiltIns())));
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The mean returns of the periodic evaluations in a run's progress.csv (the rows that have one).</summary>
    private static IEnumerable<double> Evaluations(string dir)
    {
        string[] lines = File.ReadAllLines(new RunDirectory(dir).ProgressPath);
        int column = Array.IndexOf(lines[0].Split(','), "eval/mean_return");
        Assert.True(column >= 0, "progress.csv has no eval/mean_return column");
        foreach (string line in lines.Skip(1))
        {
            string cell = line.Split(',')[column];
            if (cell.Length > 0)
            {
                yield return double.Parse(cell, System.Globalization.CultureInfo.InvariantCulture);
            }
        }
    }

    [Fact]
    public void Train_WritesTheWholeRunDirectory()
    {
        var run = new RunDirectory(Train("a", s_cartPole));
        foreach (string file in new[] { run.ConfigPath, run.ProgressPath, run.LatestCheckpointPath, run.FinalModelPath, run.BestModelPath, run.SummaryPath, run.PlotPath })
        {
            Assert.True(File.Exists(file), file);
        }
        Assert.Single(Directory.GetFiles(run.TensorBoardDirectory, "events.out.tfevents.*"));
        JsonElement summary = Summary(run.Path);
        Assert.Equal("CartPole-v1", summary.GetProperty("env_id").GetString());
        Assert.Equal(3UL, summary.GetProperty("seed").GetUInt64());
        Assert.Equal(20480, summary.GetProperty("total_steps").GetInt64());
        Assert.True(summary.GetProperty("wall_seconds").GetDouble() > 0);
        Assert.Equal(3, summary.GetProperty("final_eval_episodes").GetInt32());
        Assert.True(summary.GetProperty("final_eval_mean").GetDouble() > 0);
        Assert.True(summary.GetProperty("final_eval_std").GetDouble() >= 0);
        Assert.Matches("^[0-9a-f]{64}$", Hash(run.Path));
        Assert.False(summary.TryGetProperty("simulation_wall_seconds", out _), "no simulator clock for a classic-control task");

        ProgressTable progress = ProgressTable.Load(run.ProgressPath);
        Assert.Equal(20, progress.RowCount);
        foreach (string column in MetricKeys.ProgressColumns.Prepend(MetricKeys.TotalSteps))
        {
            Assert.True(progress.HasColumn(column), column);
        }
        Assert.Equal(20480, progress.Column(MetricKeys.TotalSteps)[^1]);
        Assert.All(progress.Column(MetricKeys.LineSearchAccepted).ToArray(), v => Assert.True(v is 0 or 1));

        TrpoConfig config = ConfigResolver.FromYaml(File.ReadAllText(run.ConfigPath));
        Assert.Equal(1024, config.CheckpointFreq);
        Assert.Equal(20480, config.TotalTimesteps);

        // The final model evaluates through the CLI.
        (int code, string output, string err) = Run(["eval", run.FinalModelPath, "--episodes", "2"]);
        Assert.True(code == 0, err);
        Assert.Contains("return ", output, StringComparison.Ordinal);
        Assert.Contains("length ", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_SameSeed_SameParameters_AndSequentialEqualsParallel()
    {
        string a = Train("seq", [.. s_pendulum, "--set", "vec_env=sequential", "--envs", "4"]);
        string b = Train("par", [.. s_pendulum, "--set", "vec_env=parallel", "--envs", "4"]);
        string c = Train("seq2", [.. s_pendulum, "--set", "vec_env=sequential", "--envs", "4"]);
        Assert.Equal(Hash(a), Hash(c));
        Assert.Equal(Hash(a), Hash(b));
        string other = Train("seed6", [.. s_pendulum.Select(a => a == "5" ? "6" : a), "--set", "vec_env=sequential", "--envs", "4"]);
        Assert.NotEqual(Hash(a), Hash(other));
    }

    [Theory]
    [InlineData("cartpole")]
    [InlineData("pendulum")]
    [InlineData("pendulum-sde")]
    public async Task CtrlC_ThenResume_EndsWithTheUninterruptedParameters(string which)
    {
        string[] args = which switch { "cartpole" => s_cartPole, "pendulum" => s_pendulum, _ => s_pendulumSde };
        string reference = Train("reference", args);

        // Cancel (as Ctrl-C does) from another thread as soon as the first iteration's progress row is on disk, i.e. mid-run
        // (periodic checkpoints land later, written in the background; the interrupted run writes its own on the way out).
        string dir = Path.Combine(_dir, "interrupted");
        using var cts = new CancellationTokenSource();
        string progress = new RunDirectory(dir).ProgressPath;
        // A dedicated thread: the trainer overlaps its value fit on a thread-pool thread, which must not wait behind the watcher.
        Task watcher = Task.Factory.StartNew(() =>
        {
            while (!HasDataRow(progress) && !cts.IsCancellationRequested)
            {
                Thread.Sleep(1);
            }
            cts.Cancel();
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        (int code, _, string err) = Run(["train", .. args, "--out", dir], cts.Token);
        cts.Cancel();
        await watcher;
        Assert.True(code == ExitCodes.Interrupted, $"exit {code}: {err}");
        Assert.Contains("trpo resume", err, StringComparison.Ordinal);
        Assert.False(File.Exists(new RunDirectory(dir).SummaryPath));
        long stoppedAt = Checkpoint.Load(new RunDirectory(dir).LatestCheckpointPath).GetInt64("counters/total_steps");
        Assert.InRange(stoppedAt, 1, (which == "cartpole" ? 20480 : 8192) - 1);
        Assert.Equal(which == "pendulum-sde", Checkpoint.Load(new RunDirectory(dir).LatestCheckpointPath).Contains("policy/sde_noise"));

        (code, _, err) = Run(["resume", dir, "--quiet"]);
        Assert.True(code == 0, err);
        Assert.Equal(Hash(reference), Hash(dir));
        Assert.Equal(ProgressTable.Load(new RunDirectory(reference).ProgressPath).Column(MetricKeys.Kl).ToArray(),
            ProgressTable.Load(new RunDirectory(dir).ProgressPath).Column(MetricKeys.Kl).ToArray());
    }

    /// <summary>Whether the progress CSV exists and holds a header and at least one complete row (rows are flushed whole).</summary>
    private static bool HasDataRow(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            int newlines = 0;
            int b;
            while ((b = stream.ReadByte()) >= 0)
            {
                if (b == '\n' && ++newlines >= 2)
                {
                    return true;
                }
            }
            return false;
        }
        catch (IOException)
        {
            return false; // not created yet
        }
    }

    [Fact]
    public void KillMinus9_ThenResume_EndsWithTheUninterruptedParameters()
    {
        string reference = Train("reference", s_cartPole);
        string trpo = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "trpo.exe" : "trpo");
        Assert.True(File.Exists(trpo), $"{trpo} is missing; the test project references TrustRegion.Cli, whose apphost is copied beside the tests.");
        string dir = Path.Combine(_dir, "killed");
        var start = new ProcessStartInfo(trpo) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in (string[])["train", .. s_cartPole, "--out", dir])
        {
            start.ArgumentList.Add(arg);
        }
        using (Process process = Process.Start(start)!)
        {
            // Kill at an arbitrary moment after the first checkpoint exists (mid-iteration, mid-write or between).
            string latest = new RunDirectory(dir).LatestCheckpointPath;
            var wait = Stopwatch.StartNew();
            while (!File.Exists(latest) && !process.HasExited && wait.Elapsed < TimeSpan.FromSeconds(60))
            {
                Thread.Sleep(5);
            }
            Thread.Sleep(150);
            Assert.False(process.HasExited, "the run finished before it could be killed; make it longer");
            process.Kill(); // SIGKILL: no handler runs
            process.WaitForExit();
        }
        Assert.False(File.Exists(new RunDirectory(dir).SummaryPath));
        (int code, _, string err) = Run(["resume", dir, "--quiet"]);
        Assert.True(code == 0, err);
        Assert.Equal(Hash(reference), Hash(dir));
    }

    [Fact]
    public void Bench_Set_AppliesToEveryPreset_AsTrainSetDoes()
    {
        string outDir = Path.Combine(_dir, "bench-set");
        (int code, string output, string err) = Run(["bench", "CartPole-v1", "--seeds", "1", "--steps", "2048", "--set", "precision=double", "--out", outDir]);
        Assert.True(code == 0, err);
        JsonElement bench = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "bench.json"))).RootElement;
        Assert.Equal($"trpo bench CartPole-v1 --seeds 1 --steps 2048 --set precision=double --out {outDir}", bench.GetProperty("command").GetString());
        JsonElement run = bench.GetProperty("environments")[0].GetProperty("seeds")[0];
        string dbl = Train("set-double", ["CartPole-v1", "--steps", "2048", "--seed", "0", "--set", "precision=double", "--quiet"]);
        string single = Train("set-default", ["CartPole-v1", "--steps", "2048", "--seed", "0", "--quiet"]);
        Assert.Equal(Hash(dbl), run.GetProperty("params_sha256").GetString());
        Assert.NotEqual(Hash(single), run.GetProperty("params_sha256").GetString());

        (code, _, err) = Run(["bench", "CartPole-v1", "--set", "precison=single", "--out", Path.Combine(_dir, "bench-bad")]);
        Assert.NotEqual(0, code);
        Assert.Contains("precison", err, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dir, "bench-bad")), "a rejected bench must not create its output directory");
    }

    [Fact]
    public void Bench_EndsWithTheSameParametersAsTrain_AndWritesBothReports()
    {
        // The preset with a shorter budget (two seeds of CartPole-v1, one of Pendulum-v1 with gSDE), against trpo train.
        string outDir = Path.Combine(_dir, "bench");
        (int code, string output, string err) = Run(["bench", "CartPole-v1", "Pendulum-v1", "--seeds", "2", "--steps", "4096", "--jobs", "2", "--set", "eval_freq=1024", "--out", outDir]);
        Assert.True(code == 0, err);
        Assert.Contains("| CartPole-v1 | 4,096 | 2 |", output, StringComparison.Ordinal);
        JsonElement bench = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "bench.json"))).RootElement;
        Assert.Equal($"trpo bench CartPole-v1 Pendulum-v1 --seeds 2 --steps 4096 --jobs 2 --set eval_freq=1024 --out {outDir}", bench.GetProperty("command").GetString());
        Assert.True(bench.GetProperty("machine").GetProperty("cores").GetInt32() >= 1);
        Assert.Contains(".NET", bench.GetProperty("machine").GetProperty("runtime").GetString()!, StringComparison.Ordinal);
        JsonElement[] envs = [.. bench.GetProperty("environments").EnumerateArray()];
        Assert.Equal(["CartPole-v1", "Pendulum-v1"], envs.Select(e => e.GetProperty("env_id").GetString()));
        Assert.Equal(500.0, envs[0].GetProperty("reference").GetProperty("rl_zoo_return").GetDouble());
        foreach ((JsonElement env, ulong seed) in new[] { (envs[0], 0UL), (envs[0], 1UL), (envs[1], 0UL) })
        {
            JsonElement run = env.GetProperty("seeds")[(int)seed];
            Assert.Equal(seed, run.GetProperty("seed").GetUInt64());
            string id = env.GetProperty("env_id").GetString()!;
            string trained = Train($"{id}-{seed}", [id, "--steps", "4096", "--seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture), "--set", "eval_freq=1024", "--quiet"]);
            Assert.Equal(Hash(trained), run.GetProperty("params_sha256").GetString());
            Assert.Equal(Summary(trained).GetProperty("final_eval_mean").GetDouble(), run.GetProperty("final_eval_mean").GetDouble());
            // The best periodic evaluation is the one trpo train keeps as best_model.ckpt, and it ran at a multiple of eval_freq.
            Assert.Equal(Summary(trained).GetProperty("best_eval_mean").GetDouble(), run.GetProperty("best_eval_mean").GetDouble());
            long bestStep = run.GetProperty("best_eval_step").GetInt64();
            Assert.InRange(bestStep, 1024, 4096);
            Assert.Equal(0, bestStep % 1024);
            Assert.Equal(Summary(trained).GetProperty("best_eval_mean").GetDouble(), Evaluations(trained).Max());
            JsonElement timings = run.GetProperty("timings_seconds");
            Assert.True(timings.GetProperty("env").GetDouble() > 0);
            Assert.True(timings.GetProperty("policy_update").GetDouble() > 0);
            Assert.True(timings.GetProperty("value_fit").GetDouble() > 0);
        }
        string md = File.ReadAllText(Path.Combine(outDir, "bench.md"));
        Assert.Contains("## Where the time goes", md, StringComparison.Ordinal);
        Assert.Contains(bench.GetProperty("command").GetString()!, md, StringComparison.Ordinal);
    }

    [Fact]
    public void Bench_EnvKwargs_BuildTheEnvironmentAsTrainDoes()
    {
        // Pendulum-v1 with Earth's gravity instead of Gymnasium's default g = 10: the same parameters as trpo train with the
        // same argument, other parameters than the default environment, and the argument named in the report's command.
        string outDir = Path.Combine(_dir, "bench-g");
        (int code, _, string err) = Run(["bench", "Pendulum-v1", "--seeds", "1", "--steps", "2048", "--env-kwargs", "g:9.81", "--out", outDir]);
        Assert.True(code == 0, err);
        JsonElement bench = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "bench.json"))).RootElement;
        Assert.EndsWith($"--steps 2048 --env-kwargs g:9.81 --out {outDir}", bench.GetProperty("command").GetString(), StringComparison.Ordinal);
        string hash = bench.GetProperty("environments")[0].GetProperty("seeds")[0].GetProperty("params_sha256").GetString()!;
        Assert.Equal(Hash(Train("g-981", ["Pendulum-v1", "--steps", "2048", "--env-kwargs", "g:9.81", "--quiet"])), hash);
        Assert.NotEqual(Hash(Train("g-default", ["Pendulum-v1", "--steps", "2048", "--quiet"])), hash);
    }

    [Fact]
    public void AModelFileEditedAfterTraining_StopsResume_AndEvalSaysSo()
    {
        string model = Path.Combine(_dir, "robot.xml");
        string text = MuJoCo.MuJoCoModels.GetMjcf("swimmer.xml");
        File.WriteAllText(model, text);
        string dir = Path.Combine(_dir, "robot-run");
        (int code, _, string err) = RunMuJoCo("train", "Swimmer-v4", "--steps", "2048", "--env-kwargs", $"xml_file:{model}", "--quiet", "--out", dir);
        Assert.True(code == 0, err);
        var run = new RunDirectory(dir);
        string sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(model)));
        Assert.Equal("mjcf-sha256:" + sha, Checkpoint.Load(run.FinalModelPath).GetText("env/fingerprint"));
        (code, _, err) = RunMuJoCo("eval", run.FinalModelPath, "--episodes", "1");
        Assert.True(code == 0, err);
        Assert.Empty(err);

        // A comment added to the model: the same id and arguments now build from another document.
        File.WriteAllText(model, text + "<!-- edited -->\n");
        (code, string output, err) = RunMuJoCo("eval", run.FinalModelPath, "--episodes", "1");
        Assert.Equal(0, code);
        Assert.Contains("trpo eval: warning: the environment has changed since", err, StringComparison.Ordinal);
        Assert.Contains($"was then defined by mjcf-sha256:{sha} and is now defined by mjcf-sha256:", err, StringComparison.Ordinal);
        Assert.Contains("return", output, StringComparison.Ordinal);
        string before = File.ReadAllText(run.ProgressPath);
        (code, _, err) = RunMuJoCo("resume", dir, "--steps", "4096", "--quiet");
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("Resuming would continue the run on another environment", err, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(run.ProgressPath)); // nothing of the run was touched

        File.WriteAllText(model, text); // the model it was trained with: resume goes on
        (code, _, err) = RunMuJoCo("resume", dir, "--steps", "4096", "--quiet");
        Assert.True(code == 0, err);
    }

    [Fact]
    public void MuJoCoTrainAndBench_ReportTheTimeInsideTheSimulator_OverTheWallTimeSpan()
    {
        string dir = Path.Combine(_dir, "ip");
        (int code, string output, string err) = RunMuJoCo("train", "InvertedPendulum-v4", "--steps", "4096", "--seed", "0", "--set", "eval_freq=2048", "--out", dir);
        Assert.True(code == 0, err);
        JsonElement summary = Summary(dir);
        double wall = summary.GetProperty("wall_seconds").GetDouble();
        double sim = summary.GetProperty("simulation_wall_seconds").GetDouble();
        Assert.InRange(sim, 1e-4, wall);
        Assert.InRange(summary.GetProperty("simulation_share").GetDouble(), 1e-6, 1.0);
        Assert.Contains("in MuJoCo", output, StringComparison.Ordinal);

        string outDir = Path.Combine(_dir, "bench-ip");
        (code, output, err) = RunMuJoCo("bench", "InvertedPendulum-v4", "--seeds", "1", "--steps", "4096", "--out", outDir);
        Assert.True(code == 0, err);
        JsonElement env = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "bench.json"))).RootElement.GetProperty("environments")[0];
        JsonElement seed = env.GetProperty("seeds")[0];
        Assert.InRange(seed.GetProperty("simulation_seconds").GetDouble(), 1e-4, seed.GetProperty("wall_seconds").GetDouble());
        Assert.Equal(seed.GetProperty("simulation_seconds").GetDouble() / seed.GetProperty("wall_seconds").GetDouble(), seed.GetProperty("simulation_share").GetDouble(), 12);
        Assert.Equal(1, env.GetProperty("seeds_outside_under_half_simulation").GetInt32() + (seed.GetProperty("simulation_share").GetDouble() > 2.0 / 3 ? 0 : 1));
        Assert.Equal(summary.GetProperty("params_sha256").GetString(), seed.GetProperty("params_sha256").GetString());
        Assert.Contains("## Time in the simulator", output, StringComparison.Ordinal);
        Assert.Contains("| InvertedPendulum-v4 |", output, StringComparison.Ordinal);

        // A MuJoCo task with an RL Zoo figure: the Zoo's return beside ours, and no sb3-contrib speed (none measured here).
        string swimmerDir = Path.Combine(_dir, "bench-swimmer");
        (code, output, err) = RunMuJoCo("bench", "Swimmer-v4", "--seeds", "1", "--steps", "2048", "--out", swimmerDir);
        Assert.True(code == 0, err);
        JsonElement reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(swimmerDir, "bench.json"))).RootElement
            .GetProperty("environments")[0].GetProperty("reference");
        Assert.Equal(365.7, reference.GetProperty("rl_zoo_return").GetDouble());
        Assert.Equal(JsonValueKind.Null, reference.GetProperty("sb3_contrib_steps_per_second").ValueKind);
        Assert.Contains("| 365.7 |", output, StringComparison.Ordinal);

        // Two runs at once share the process-wide clock, so nothing is reported for them.
        string parallelDir = Path.Combine(_dir, "bench-ip-2");
        (code, output, err) = RunMuJoCo("bench", "InvertedPendulum-v4", "--seeds", "2", "--steps", "2048", "--jobs", "2", "--out", parallelDir);
        Assert.True(code == 0, err);
        Assert.DoesNotContain("## Time in the simulator", output, StringComparison.Ordinal);
        JsonElement parallel = JsonDocument.Parse(File.ReadAllText(Path.Combine(parallelDir, "bench.json"))).RootElement.GetProperty("environments")[0];
        Assert.False(parallel.TryGetProperty("simulation_seconds_median", out _));
    }

    [Fact]
    public void Resume_WithMoreSteps_ContinuesAndRecordsTheNewTotal()
    {
        string dir = Train("more", s_pendulum);
        (int code, _, string err) = Run(["resume", dir, "--steps", "10240", "--quiet"]);
        Assert.True(code == 0, err);
        Assert.Equal(10240, Summary(dir).GetProperty("total_steps").GetInt64());
        Assert.Equal(10240, ConfigResolver.FromYaml(File.ReadAllText(new RunDirectory(dir).ConfigPath)).TotalTimesteps);
        Assert.Equal(5, ProgressTable.Load(new RunDirectory(dir).ProgressPath).RowCount); // 2 envs × 1024 steps per iteration
    }

    [Fact]
    public void Eval_BadModelFiles_FailInOneLine()
    {
        var run = new RunDirectory(Train("bad", ["CartPole-v1", "--steps", "2048", "--quiet", "--set", "n_eval_episodes=2"]));
        byte[] good = File.ReadAllBytes(run.FinalModelPath);

        string corrupt = Path.Combine(_dir, "corrupt.ckpt");
        byte[] flipped = (byte[])good.Clone();
        flipped[flipped.Length / 2] ^= 0x10;
        File.WriteAllBytes(corrupt, flipped);
        AssertOneLine(Run(["eval", corrupt]), "corrupted");

        string truncated = Path.Combine(_dir, "truncated.ckpt");
        File.WriteAllBytes(truncated, good[..(good.Length - 100)]);
        AssertOneLine(Run(["eval", truncated]), "truncated");

        string foreign = Path.Combine(_dir, "foreign.ckpt");
        File.WriteAllText(foreign, "env_id: CartPole-v1\n");
        AssertOneLine(Run(["eval", foreign]), "not a TrustRegion checkpoint");

        // A valid container whose configuration asks for another network than the parameters it holds.
        Checkpoint original = Checkpoint.Load(run.FinalModelPath);
        string config = original.GetText("config").Replace("pi: [64, 64]", "pi: [32, 32]", StringComparison.Ordinal);
        Assert.NotEqual(original.GetText("config"), config);
        string mismatched = Path.Combine(_dir, "mismatched.ckpt");
        Rewrite(original, "config", config).Save(mismatched);
        AssertOneLine(Run(["eval", mismatched]), "policy network");

        string otherEnv = Path.Combine(_dir, "other-env.ckpt");
        Rewrite(original, "env/observation_space", "Box(-1, 1, (3,), float32)").Save(otherEnv);
        AssertOneLine(Run(["eval", otherEnv]), "observation space");
    }

    [Fact]
    public void Envs_WithAnId_ListsItsConstructorArguments()
    {
        EnvRegistry registry = MuJoCo.Envs.MuJoCoRegistration.Register(EnvRegistry.CreateWithBuiltIns());
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Assert.Equal(0, TrpoCli.Run(["envs", "Hopper-v4"], stdout, stderr, new TrainingBackend(registry)));
        Assert.Empty(stderr.ToString());
        string text = stdout.ToString();
        string zRange = text.Split('\n').Single(l => l.Contains("healthy_z_range", StringComparison.Ordinal));
        Assert.Contains("[0.7, .inf]", zRange, StringComparison.Ordinal);
        Assert.Contains("terminate_when_unhealthy", text, StringComparison.Ordinal);
        stdout = new StringWriter();
        Assert.Equal(0, TrpoCli.Run(["envs", "Acrobot-v1"], stdout, stderr, new TrainingBackend(registry)));
        Assert.Contains("It takes no constructor arguments (env_kwargs).", stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Envs_ListsClassicAndMuJoCoIdsWithSpacesLimitsAndThresholds()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        EnvRegistry registry = MuJoCo.Envs.MuJoCoRegistration.Register(EnvRegistry.CreateWithBuiltIns());
        Assert.Equal(0, TrpoCli.Run(["envs"], stdout, stderr, new TrainingBackend(registry)));
        Assert.Empty(stderr.ToString());
        string cartPole = stdout.ToString().Split('\n').Single(l => l.Contains("CartPole-v1", StringComparison.Ordinal));
        foreach (string fragment in new[] { "Discrete(2)", "500", "475", "yes" })
        {
            Assert.Contains(fragment, cartPole, StringComparison.Ordinal);
        }
        foreach (string id in new[] { "Pendulum-v1", "Hopper-v4", "Humanoid-v4", "Reacher-v4" })
        {
            Assert.Contains(id, stdout.ToString(), StringComparison.Ordinal);
        }
    }

    private static void AssertOneLine((int Code, string Out, string Err) result, string fragment)
    {
        Assert.Equal(ExitCodes.InvalidInput, result.Code);
        string[] lines = result.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("trpo eval: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(fragment, lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Err, StringComparison.Ordinal);
    }

    /// <summary>Copies every section, replacing one text section.</summary>
    private static CheckpointWriter Rewrite(Checkpoint source, string textSection, string text)
    {
        var w = new CheckpointWriter();
        foreach (CheckpointSection s in source.Sections)
        {
            _ = s.Type switch
            {
                CheckpointSectionType.Text => w.AddText(s.Name, s.Name == textSection ? text : source.GetText(s.Name)),
                CheckpointSectionType.Float64Array => w.AddDoubles(s.Name, source.GetDoubles(s.Name)),
                CheckpointSectionType.UInt64Array => w.AddUInt64s(s.Name, source.GetUInt64s(s.Name)),
                CheckpointSectionType.Int64 => w.AddInt64(s.Name, source.GetInt64(s.Name)),
                CheckpointSectionType.Float64 => w.AddDouble(s.Name, source.GetDouble(s.Name)),
                _ => w.AddBytes(s.Name, source.GetBytes(s.Name)),
            };
        }
        return w;
    }
}
