namespace TrustRegion.Training.Bench;

/// <summary>One training run of a benchmark: one environment, its preset, one seed.</summary>
/// <param name="Seed">The run seed.</param>
/// <param name="TotalSteps">Environment steps taken (the budget rounded up to whole rollouts).</param>
/// <param name="WallSeconds">Wall time of training, evaluations included (what <c>trpo train</c> reports as wall time).</param>
/// <param name="FinalEvaluation">The final deterministic evaluation, as <c>trpo train</c>'s summary.json.</param>
/// <param name="ThresholdSteps">Steps at the end of the first iteration whose mean training return reached the threshold; null if none did.</param>
/// <param name="ThresholdSeconds">Wall time at that iteration; null if none did.</param>
/// <param name="Timings">Where the wall time went.</param>
/// <param name="ParamsSha256">The parameter hash, as in <c>trpo train</c>'s summary.json.</param>
/// <param name="CpuSeconds">CPU time of the whole process during training (all threads: JIT and GC included). On a shared
/// machine it is steadier than the wall time; with several runs at once it includes the others'.</param>
/// <param name="SimulationSeconds">Wall time during which the environments were inside their simulator (MuJoCo's physics),
/// over the same span as <paramref name="WallSeconds"/>; null when no simulation clock was given.</param>
/// <param name="BestEvaluationMean">The best mean return of the periodic evaluations (every <c>eval_freq</c> steps, the model
/// <c>trpo train</c> keeps in best_model.ckpt); null when no periodic evaluation ran.</param>
/// <param name="BestEvaluationStep">The step count at which that evaluation ran (the first, if several tie).</param>
public sealed record BenchSeedResult(
    ulong Seed,
    long TotalSteps,
    double WallSeconds,
    EvaluationResult FinalEvaluation,
    long? ThresholdSteps,
    double? ThresholdSeconds,
    IterationTimings Timings,
    string ParamsSha256,
    double CpuSeconds,
    double? SimulationSeconds = null,
    double? BestEvaluationMean = null,
    long? BestEvaluationStep = null)
{
    /// <summary>End-to-end environment steps per second: <see cref="TotalSteps"/> / <see cref="WallSeconds"/>.</summary>
    public double StepsPerSecond => WallSeconds > 0 ? TotalSteps / WallSeconds : 0;

    /// <summary>Share of the wall time spent in the simulator, or null when it was not measured.</summary>
    public double? SimulationShare => SimulationSeconds is double s && WallSeconds > 0 ? s / WallSeconds : null;

    /// <summary>Wall time spent outside the simulator (learning, inference, wrappers, bookkeeping), or null when not measured.</summary>
    public double? OutsideSimulationSeconds => SimulationSeconds is double s ? WallSeconds - s : null;
}
