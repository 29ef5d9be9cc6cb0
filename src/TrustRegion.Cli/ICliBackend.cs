using TrustRegion.Training;

namespace TrustRegion.Cli;

/// <summary>
/// What the commands call once their input is parsed and validated: training, resuming, evaluation, the environment
/// list and benchmarks. Each method returns the process exit code (<see cref="ExitCodes"/>); invalid input found here is
/// reported by throwing <see cref="ArgumentException"/>, <see cref="InvalidOperationException"/> or
/// <see cref="IOException"/>, which the command line prints as one line.
/// </summary>
public interface ICliBackend
{
    /// <summary>Trains a new run as described by <paramref name="request"/>; honours <paramref name="cancellation"/> (Ctrl-C) by checkpointing and returning <see cref="ExitCodes.Interrupted"/>.</summary>
    int Train(TrainRequest request, CliConsole console, CancellationToken cancellation);

    /// <summary>Continues a run from its latest checkpoint.</summary>
    int Resume(ResumeRequest request, CliConsole console, CancellationToken cancellation);

    /// <summary>Evaluates a saved model and prints mean ± std of return and length.</summary>
    int Evaluate(EvalRequest request, CliConsole console, CancellationToken cancellation);

    /// <summary>
    /// Prints the registered environments with their spaces, time limits and reward thresholds; with <paramref name="envId"/>,
    /// that one environment and the constructor arguments it accepts (config key <c>env_kwargs</c>).
    /// </summary>
    int ListEnvironments(CliConsole console, string? envId = null);

    /// <summary>Trains each environment's preset over several seeds and writes bench.md and bench.json (learning and speed against the references).</summary>
    int Bench(BenchRequest request, CliConsole console, CancellationToken cancellation);
}

/// <summary>Where a command writes: standard output for results, standard error for problems.</summary>
public sealed record CliConsole(TextWriter Out, TextWriter Error);

/// <summary>A validated <c>trpo train</c>.</summary>
/// <param name="Config">The fully resolved configuration (preset, file, <c>--set</c>, then <c>--steps/--seed/--envs</c>).</param>
/// <param name="Run">The run directory to create; it does not exist yet or is empty.</param>
/// <param name="Quiet">No live display; only the final summary.</param>
public sealed record TrainRequest(TrpoConfig Config, RunDirectory Run, bool Quiet);

/// <summary>A validated <c>trpo resume</c>.</summary>
/// <param name="Run">The run directory; it holds config.yml and checkpoints/latest.ckpt.</param>
/// <param name="Config">The run's configuration as read from config.yml, with n_timesteps replaced when <c>--steps</c> was given.</param>
/// <param name="Checkpoint">The verified latest checkpoint.</param>
/// <param name="Quiet">No live display; only the final summary.</param>
public sealed record ResumeRequest(RunDirectory Run, TrpoConfig Config, Checkpoint Checkpoint, bool Quiet);

/// <summary>A validated <c>trpo eval</c>.</summary>
/// <param name="ModelPath">The model file.</param>
/// <param name="Model">The verified model checkpoint.</param>
/// <param name="Episodes">Number of episodes, at least 1.</param>
/// <param name="Deterministic">True for the policy's mode (the default), false to sample actions.</param>
/// <param name="Seed">Seed of the evaluation environments and of sampling.</param>
public sealed record EvalRequest(string ModelPath, Checkpoint Model, int Episodes, bool Deterministic, ulong Seed);

/// <summary>A validated <c>trpo bench</c>.</summary>
/// <param name="EnvIds">The environments, each run with its preset; empty for the five classic-control presets.</param>
/// <param name="Seeds">Seeds per environment (0 … Seeds − 1), at least 1.</param>
/// <param name="OutDir">Where bench.md and bench.json are written.</param>
/// <param name="Steps">Replaces every preset's budget (n_timesteps) when given; for quick checks.</param>
/// <param name="ParallelRuns">Training runs at once (seeds of one environment), at least 1; results do not depend on it.</param>
/// <param name="Overrides">Configuration overrides (<c>key=value</c>, as <c>trpo train --set</c>) applied to every preset.</param>
public sealed record BenchRequest(IReadOnlyList<string> EnvIds, int Seeds, string OutDir, long? Steps = null, int ParallelRuns = 1, IReadOnlyList<string>? Overrides = null,
    IReadOnlyList<string>? EnvKwargs = null);
