using System.Diagnostics;
using TrustRegion.Envs;

namespace TrustRegion.Training.Bench;

/// <summary>
/// Runs benchmark training: a configuration (an environment's preset) for its budget, exactly as <c>trpo train</c> trains it
/// (same trainer, same evaluations), but writing no files. The benchmark only observes: a run ends with the same parameters
/// as <c>trpo train</c> with the same configuration and seed.
/// </summary>
public static class BenchRunner
{
    /// <summary>Trains <paramref name="config"/> for <see cref="TrpoConfig.TotalTimesteps"/> steps and measures it.</summary>
    /// <param name="config">The configuration, with its seed.</param>
    /// <param name="threshold">The mean training return counted as reaching the task, or null to skip that measurement.</param>
    /// <param name="registry">Where the environment id is looked up; <see cref="EnvRegistry.Default"/> when null.</param>
    /// <param name="cancellation">Stops training between iterations; the result is then null.</param>
    /// <param name="simulationClock">Reads a monotonic clock of the wall time the environments have spent inside their
    /// simulator (for MuJoCo, <c>MuJoCoTiming.PhysicsWallTime</c>); read just before and just after training, so that
    /// <see cref="BenchSeedResult.SimulationSeconds"/> covers the span of <see cref="BenchSeedResult.WallSeconds"/>. A
    /// process-wide clock is only meaningful with one run at a time. Null leaves the simulation time unmeasured.</param>
    /// <returns>The measurements, or null when cancelled.</returns>
    /// <exception cref="ConfigException">The configuration is invalid.</exception>
    public static BenchSeedResult? Run(TrpoConfig config, double? threshold, EnvRegistry? registry = null, Func<TimeSpan>? simulationClock = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        using var trainer = new Trainer(config, registry);
        long? thresholdSteps = null;
        double? thresholdSeconds = null;
        double? bestMean = null;
        long? bestStep = null;
        var outputs = new TrainerOutputs
        {
            Callback = r =>
            {
                // The evaluation the trainer keeps as its best model: the first with the highest mean.
                if (r.Evaluation is { } evaluation && (bestMean is null || evaluation.ReturnMean > bestMean))
                {
                    bestMean = evaluation.ReturnMean;
                    bestStep = r.TotalSteps;
                }
                if (thresholdSteps is null && threshold is double goal && r.EpisodeReturnMean >= goal)
                {
                    thresholdSteps = r.TotalSteps;
                    thresholdSeconds = r.ElapsedSeconds;
                }
                return true;
            },
        };
        TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        TimeSpan simulationBefore = simulationClock?.Invoke() ?? default;
        if (trainer.Train(config.TotalTimesteps, outputs, cancellation) == TrainingStop.Cancelled)
        {
            return null;
        }
        double? simulation = simulationClock is null ? null : (simulationClock() - simulationBefore).TotalSeconds;
        double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        // The same final evaluation as trpo train's summary.json.
        EvaluationResult final = trainer.Evaluate(config.EvalEpisodes, deterministic: true, trainer.EvaluationSeed(trainer.TotalSteps));
        return new BenchSeedResult(config.Seed, trainer.TotalSteps, trainer.ElapsedSeconds, final, thresholdSteps, thresholdSeconds,
            trainer.SessionTimings, trainer.ParameterHash(), cpu, simulation, bestMean, bestStep);
    }

    /// <summary>
    /// Runs seeds 0 … <paramref name="seeds"/> − 1 of <paramref name="config"/>, up to <paramref name="parallelRuns"/> at once (each
    /// run is independent and deterministic, so the results do not depend on it; the timings do, as runs share the cores).
    /// </summary>
    /// <param name="config">The configuration; its seed is replaced by each run's.</param>
    /// <param name="seeds">Number of seeds (≥ 1).</param>
    /// <param name="parallelRuns">Runs at once (≥ 1).</param>
    /// <param name="registry">Where the environment id is looked up.</param>
    /// <param name="onRun">Called (possibly from several threads) after each run with its result.</param>
    /// <param name="cancellation">Stops the runs; the result is then null.</param>
    /// <param name="simulationClock">As for <see cref="Run"/>; used only when <paramref name="parallelRuns"/> is 1, since a
    /// process-wide clock cannot tell simultaneous runs apart.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="seeds"/> or <paramref name="parallelRuns"/> is below 1.</exception>
    public static BenchEnvResult? RunSeeds(TrpoConfig config, int seeds, int parallelRuns, EnvRegistry? registry = null,
        Action<BenchSeedResult>? onRun = null, Func<TimeSpan>? simulationClock = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(seeds);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(parallelRuns);
        registry ??= EnvRegistry.Default;
        BenchReference? reference = BenchReference.Find(config.EnvId);
        double? threshold = registry.GetSpec(config.EnvId).RewardThreshold ?? reference?.Threshold;
        var results = new BenchSeedResult?[seeds];
        Parallel.For(0, seeds, new ParallelOptions { MaxDegreeOfParallelism = parallelRuns }, i =>
        {
            if (cancellation.IsCancellationRequested)
            {
                return;
            }
            results[i] = Run(config with { Seed = (ulong)i }, threshold, registry, parallelRuns == 1 ? simulationClock : null, cancellation);
            if (results[i] is { } r)
            {
                onRun?.Invoke(r);
            }
        });
        if (results.Any(r => r is null))
        {
            return null;
        }
        return new BenchEnvResult(config with { Seed = 0 }, threshold, reference, [.. results.Select(r => r!)]);
    }
}
