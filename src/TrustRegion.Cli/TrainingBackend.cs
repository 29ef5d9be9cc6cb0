using System.Globalization;
using System.Text;
using System.Text.Json;
using Spectre.Console;
using TrustRegion.Cli.Commands;
using TrustRegion.Envs;
using TrustRegion.MuJoCo;
using TrustRegion.MuJoCo.Envs;
using TrustRegion.Training;
using TrustRegion.Training.Bench;
using TrustRegion.Trpo;

namespace TrustRegion.Cli;

/// <summary>
/// The backend of the <c>trpo</c> executable: trains, resumes and evaluates with <see cref="Trainer"/>, writes the run
/// directory (docs/run-directory.md), lists the registry and runs the end-to-end benchmark (docs/bench.md).
/// </summary>
public sealed class TrainingBackend : ICliBackend
{
    private readonly EnvRegistry _registry;

    /// <summary>Creates the backend over <paramref name="registry"/> (the built-in and MuJoCo ids in the executable).</summary>
    public TrainingBackend(EnvRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _registry = registry;
    }

    /// <inheritdoc/>
    public int Train(TrainRequest request, CliConsole console, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(console);
        RunDirectory run = request.Run;
        using var trainer = new Trainer(request.Config, _registry);
        Directory.CreateDirectory(run.CheckpointDirectory);
        AtomicFile.WriteAllText(run.ConfigPath, ConfigResolver.ToYaml(trainer.Config)); // env_kwargs in canonical form
        using var csv = CsvMetricSink.Create(run.ProgressPath);
        return RunAndReport(trainer, run, csv, request.Quiet, console, resumedFrom: null, cancellation);
    }

    /// <inheritdoc/>
    public int Resume(ResumeRequest request, CliConsole console, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(console);
        RunDirectory run = request.Run;
        using Trainer trainer = Trainer.Load(request.Checkpoint, _registry, request.Config.TotalTimesteps);
        if (trainer.EnvironmentChangedSinceCheckpoint)
        {
            throw new ArgumentException($"{EnvironmentChange(trainer, request.Checkpoint.Source)} Resuming would continue the run on another environment: restore the model it was trained with, or start a new run with 'trpo train'.");
        }
        // config.yml records the new n_timesteps of 'resume --steps'; the checkpoint's configuration is otherwise authoritative.
        AtomicFile.WriteAllText(run.ConfigPath, ConfigResolver.ToYaml(trainer.Config));
        Directory.CreateDirectory(run.CheckpointDirectory);
        using CsvMetricSink csv = CsvMetricSink.Resume(run.ProgressPath, trainer.TotalSteps);
        return RunAndReport(trainer, run, csv, request.Quiet, console, resumedFrom: trainer.TotalSteps, cancellation);
    }

    /// <inheritdoc/>
    public int Evaluate(EvalRequest request, CliConsole console, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(console);
        using Trainer trainer = Trainer.Load(request.Model, _registry);
        if (trainer.EnvironmentChangedSinceCheckpoint)
        {
            console.Error.WriteLine($"trpo eval: warning: {EnvironmentChange(trainer, request.Model.Source)} The evaluation measures the policy on the environment as it is now.");
        }
        EvaluationResult r = trainer.Evaluate(request.Episodes, request.Deterministic, request.Seed);
        console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{trainer.Config.EnvId}: {r.Episodes} episodes ({(request.Deterministic ? "deterministic" : "stochastic")}, seed {request.Seed}), model at step {trainer.TotalSteps}"));
        console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"return {r.ReturnMean:F2} ± {r.ReturnStd:F2}"));
        console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"length {r.LengthMean:F1} ± {r.LengthStd:F1}"));
        return ExitCodes.Success;
    }

    /// <summary>What changed between a checkpoint's environment and the one rebuilt from its configuration, in one sentence.</summary>
    private static string EnvironmentChange(Trainer trainer, string checkpoint)
    {
        string arguments = trainer.Config.EnvKwargs.IsEmpty ? "" : $" with env_kwargs {trainer.Config.EnvKwargs}";
        return $"the environment has changed since {checkpoint} was written: {trainer.Config.EnvId}{arguments} was then defined by {trainer.CheckpointEnvironmentFingerprint} and is now defined by {trainer.EnvironmentFingerprint} (its model file has been edited or replaced).";
    }

    /// <inheritdoc/>
    public int ListEnvironments(CliConsole console, string? envId = null)
    {
        ArgumentNullException.ThrowIfNull(console);
        IAnsiConsole ansi = CreateAnsi(console);
        if (envId is not null)
        {
            return DescribeEnvironment(ansi, console, _registry.GetSpec(envId));
        }
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("id").AddColumn("observation space").AddColumn("action space")
            .AddColumn(new TableColumn("time limit").RightAligned()).AddColumn(new TableColumn("reward threshold").RightAligned())
            .AddColumn("preset");
        foreach (EnvSpec spec in _registry.List())
        {
            (string? obs, string? act, string? unavailable) = Spaces(spec);
            obs ??= "unavailable: " + unavailable;
            act ??= "unavailable: " + unavailable;
            table.AddRow(
                Markup.Escape(spec.Id), Markup.Escape(obs), Markup.Escape(act),
                spec.MaxEpisodeSteps?.ToString(CultureInfo.InvariantCulture) ?? "none",
                spec.RewardThreshold?.ToString(CultureInfo.InvariantCulture) ?? "none",
                ConfigResolver.HasPreset(spec.Id) ? "yes" : "defaults");
        }
        ansi.Write(table);
        return ExitCodes.Success;
    }

    /// <summary>
    /// The observation and action spaces of a default instance of <paramref name="spec"/>; or, for a MuJoCo id on a machine
    /// without libmujoco, why they are unknown (the spaces then null).
    /// </summary>
    private static (string? Observation, string? Action, string? Unavailable) Spaces(EnvSpec spec)
    {
        try
        {
            using IEnv env = spec.Factory();
            return (env.ObservationSpace.ToString()!, env.ActionSpace.ToString()!, null);
        }
        catch (InvalidOperationException e)
        {
            return (null, null, CliErrors.OneLine(e.Message));
        }
    }

    private static int DescribeEnvironment(IAnsiConsole ansi, CliConsole console, EnvSpec spec)
    {
        (string? obs, string? act, string? unavailable) = Spaces(spec);
        string spaces = unavailable is null ? $"observation {obs}, action {act}" : "spaces unavailable: " + unavailable;
        console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{spec.Id}: {spec.Description}\n{spaces}; time limit {spec.MaxEpisodeSteps?.ToString(CultureInfo.InvariantCulture) ?? "none"}; reward threshold {spec.RewardThreshold?.ToString(CultureInfo.InvariantCulture) ?? "none"}; preset {(ConfigResolver.HasPreset(spec.Id) ? "yes" : "defaults")}"));
        if (spec.Parameters.Count == 0)
        {
            console.Out.WriteLine("It takes no constructor arguments (env_kwargs).");
            return ExitCodes.Success;
        }
        console.Out.WriteLine($"Constructor arguments (config key env_kwargs, e.g. --set 'env_kwargs={{{spec.Parameters[0].Name}: {spec.Parameters[0].Default}}}'):");
        var table = new Table().Border(TableBorder.Simple).AddColumn("argument").AddColumn("type").AddColumn("default").AddColumn("meaning");
        foreach (EnvParameter p in spec.Parameters)
        {
            string type = p.Type switch
            {
                EnvParameterType.Real => "number",
                EnvParameterType.NonNegativeReal => "number ≥ 0",
                EnvParameterType.Boolean => "true/false",
                EnvParameterType.Text => "text",
                _ => "[low, high]",
            };
            table.AddRow(Markup.Escape(p.Name), Markup.Escape(type), Markup.Escape(p.Default), Markup.Escape(p.Description));
        }
        ansi.Write(table);
        return ExitCodes.Success;
    }

    /// <inheritdoc/>
    public int Bench(BenchRequest request, CliConsole console, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(console);
        IReadOnlyList<string> ids = request.EnvIds.Count > 0 ? request.EnvIds : [.. BenchReference.ClassicControl.Select(r => r.EnvId)];
        // Resolve and validate everything before the first run: an unknown id or a bad preset fails at once.
        var configs = new List<TrpoConfig>();
        IReadOnlyList<string> kwargPairs = request.EnvKwargs ?? [];
        EnvKwargs kwargs = CliOptions.ParseEnvKwargs(kwargPairs);
        foreach (string id in ids)
        {
            _registry.GetSpec(id);
            TrpoConfig config = ConfigResolver.Resolve(id, null, request.Overrides ?? []);
            if (!kwargs.IsEmpty)
            {
                config = config with { EnvKwargs = config.EnvKwargs.Merge(kwargs) };
            }
            if (request.Steps is long steps)
            {
                config = config with { TotalTimesteps = steps };
            }
            config.Validate();
            Trainer.CheckEnvironment(config, _registry);
            configs.Add(config);
        }
        string command = string.Create(CultureInfo.InvariantCulture,
            $"trpo bench {string.Join(' ', ids)} --seeds {request.Seeds}{(request.Steps is long n ? $" --steps {n}" : "")}{(request.ParallelRuns != 1 ? $" --jobs {request.ParallelRuns}" : "")}{string.Concat((request.Overrides ?? []).Select(o => " --set " + o))}{(kwargPairs.Count > 0 ? " --env-kwargs " + string.Join(' ', kwargPairs) : "")} --out {request.OutDir}");
        var machine = BenchMachine.Current();
        DateTimeOffset started = DateTimeOffset.UtcNow;
        console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{command}\n{machine.Cores} cores, {machine.Cpu}, {machine.Runtime}; load average {machine.LoadAverage}"));
        var results = new List<BenchEnvResult>();
        var gate = new object();
        foreach (TrpoConfig config in configs)
        {
            BenchEnvResult? result = BenchRunner.RunSeeds(config, request.Seeds, request.ParallelRuns, _registry, r =>
            {
                lock (gate)
                {
                    console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{config.EnvId} seed {r.Seed}: eval {r.FinalEvaluation.ReturnMean:F1} ± {r.FinalEvaluation.ReturnStd:F1}, {r.TotalSteps:N0} steps in {r.WallSeconds:F2} s ({r.StepsPerSecond:N0} steps/s), threshold {(r.ThresholdSteps is long t ? t.ToString("N0", CultureInfo.InvariantCulture) + " steps" : "not reached")}"));
                }
            }, SimulationClock(config.EnvId), cancellation);
            if (result is null)
            {
                console.Error.WriteLine("trpo bench: interrupted; no report written.");
                return ExitCodes.Interrupted;
            }
            results.Add(result);
        }
        var report = new BenchReport(command, machine, BenchMachine.ReadLoadAverage(), request.ParallelRuns, started, results);
        Directory.CreateDirectory(request.OutDir);
        string md = report.ToMarkdown();
        AtomicFile.WriteAllText(Path.Combine(request.OutDir, "bench.md"), md);
        AtomicFile.WriteAllText(Path.Combine(request.OutDir, "bench.json"), report.ToJson());
        console.Out.WriteLine();
        console.Out.Write(md);
        console.Out.WriteLine();
        console.Out.WriteLine($"Wrote {Path.Combine(request.OutDir, "bench.md")} and {Path.Combine(request.OutDir, "bench.json")}.");
        return ExitCodes.Success;
    }

    // Colours and cursor movement only on a terminal; logs and pipes get plain text, 160 columns wide.
    private static IAnsiConsole CreateAnsi(CliConsole console)
    {
        bool terminal = ReferenceEquals(console.Out, Console.Out) && !Console.IsOutputRedirected;
        IAnsiConsole ansi = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(console.Out),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!terminal)
        {
            ansi.Profile.Width = 160;
        }
        return ansi;
    }

    private static int RunAndReport(Trainer trainer, RunDirectory run, CsvMetricSink csv, bool quiet, CliConsole console, long? resumedFrom, CancellationToken cancellation)
    {
        TrpoConfig config = trainer.Config;
        using var tensorBoard = new TensorBoardMetricSink(run.TensorBoardDirectory);
        IAnsiConsole ansi = CreateAnsi(console);
        var outputs = new TrainerOutputs
        {
            Sinks = [csv, tensorBoard],
            CheckpointPath = run.LatestCheckpointPath,
            BestModelPath = run.BestModelPath,
        };
        if (!quiet)
        {
            ansi.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"{(resumedFrom is long from ? $"Resuming at step {from:N0}" : "Training")} TRPO on {config.EnvId} (seed {config.Seed}, {config.NumEnvs} envs × {config.NumSteps} steps per rollout) → {run.Path}")));
        }
        // The time inside MuJoCo's physics over the same span as the wall time (a fresh run only: a resumed run's wall time
        // includes the sessions before this process).
        Func<TimeSpan>? simulationClock = resumedFrom is null ? SimulationClock(config.EnvId) : null;
        TimeSpan simulationBefore = simulationClock?.Invoke() ?? default;
        TrainingStop stop;
        try
        {
            stop = quiet
                ? trainer.Train(config.TotalTimesteps, outputs, cancellation)
                : LiveDisplay.Run(ansi, trainer, outputs, cancellation);
        }
        catch (TrainingDivergedException e)
        {
            console.Error.WriteLine($"trpo: training diverged at iteration {trainer.Iterations + 1}: {CliErrors.OneLine(e.Message)} Lower target_kl or learning_rate, or enable normalize; the last checkpoint is {run.LatestCheckpointPath}.");
            return ExitCodes.InvalidInput;
        }
        if (stop == TrainingStop.Cancelled)
        {
            console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"trpo: interrupted at step {trainer.TotalSteps:N0}; checkpoint saved to {run.LatestCheckpointPath}. Continue with: trpo resume {run.Path}"));
            return ExitCodes.Interrupted;
        }
        double? simulationSeconds = simulationClock is null ? null : (simulationClock() - simulationBefore).TotalSeconds;
        trainer.Save(run.FinalModelPath);
        EvaluationResult final = trainer.Evaluate(config.EvalEpisodes, deterministic: true, trainer.EvaluationSeed(trainer.TotalSteps));
        string hash = trainer.ParameterHash();
        WriteSummary(run.SummaryPath, trainer, final, hash, simulationSeconds);
        TryPlot(run, config);
        var summary = new Grid().AddColumn().AddColumn();
        summary.AddRow("environment", Markup.Escape(config.EnvId));
        summary.AddRow("steps", trainer.TotalSteps.ToString("N0", CultureInfo.InvariantCulture));
        summary.AddRow("wall time", string.Create(CultureInfo.InvariantCulture, $"{trainer.ElapsedSeconds:F1} s"));
        if (simulationSeconds is double sim && trainer.ElapsedSeconds > 0)
        {
            summary.AddRow("in MuJoCo", string.Create(CultureInfo.InvariantCulture,
                $"{sim:F1} s ({100 * sim / trainer.ElapsedSeconds:F0}% of the wall time; {trainer.ElapsedSeconds - sim:F1} s outside)"));
        }
        summary.AddRow("final evaluation", string.Create(CultureInfo.InvariantCulture,
            $"{final.ReturnMean:F2} ± {final.ReturnStd:F2} over {final.Episodes} deterministic episodes"));
        summary.AddRow("params_sha256", hash);
        summary.AddRow("run directory", Markup.Escape(run.Path));
        summary.AddRow("final model", Markup.Escape(run.FinalModelPath));
        ansi.Write(new Panel(summary).Header(stop == TrainingStop.StoppedByCallback ? "stopped early" : "done"));
        return ExitCodes.Success;
    }

    private static void TryPlot(RunDirectory run, TrpoConfig config)
    {
        ProgressTable table = ProgressTable.Load(run.ProgressPath);
        if (table.RowCount > 0)
        {
            string title = string.Create(CultureInfo.InvariantCulture, $"TRPO on {config.EnvId}, seed {config.Seed}");
            AtomicFile.WriteAllText(run.PlotPath, LearningCurveSvg.Render(table, title, config.TargetKl));
        }
    }

    /// <summary>
    /// The clock of the wall time spent inside the simulator for <paramref name="envId"/>: <see cref="MuJoCoTiming.PhysicsWallTime"/>
    /// for the MuJoCo environments, none for the others. It is process-wide, so it is read around one run at a time.
    /// </summary>
    internal static Func<TimeSpan>? SimulationClock(string envId) =>
        MuJoCoEnvironments.All.Any(s => s.Id == envId) ? static () => MuJoCoTiming.PhysicsWallTime : null;

    private static void WriteSummary(string path, Trainer trainer, EvaluationResult final, string hash, double? simulationSeconds)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("env_id", trainer.Config.EnvId);
            json.WriteNumber("seed", trainer.Config.Seed);
            json.WriteNumber("total_steps", trainer.TotalSteps);
            json.WriteNumber("iterations", trainer.Iterations);
            json.WriteNumber("wall_seconds", Math.Round(trainer.ElapsedSeconds, 3));
            if (simulationSeconds is double sim)
            {
                json.WriteNumber("simulation_wall_seconds", Math.Round(sim, 3));
                json.WriteNumber("simulation_share", trainer.ElapsedSeconds > 0 ? Math.Round(sim / trainer.ElapsedSeconds, 4) : 0);
            }
            json.WriteNumber("final_eval_mean", final.ReturnMean);
            json.WriteNumber("final_eval_std", final.ReturnStd);
            json.WriteNumber("final_eval_episodes", final.Episodes);
            if (double.IsFinite(trainer.BestEvaluationMean))
            {
                json.WriteNumber("best_eval_mean", trainer.BestEvaluationMean);
            }
            json.WriteString("params_sha256", hash);
            json.WriteEndObject();
        }
        AtomicFile.WriteAllText(path, Encoding.UTF8.GetString(stream.ToArray()) + "\n");
    }
}
