namespace TrustRegion.Training;

/// <summary>
/// Where the wall time of training goes, in seconds, measured with <see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> around
/// each phase (no allocation; the measurement never changes what training computes). Used per iteration
/// (<see cref="IterationReport.Timings"/>) and summed over a session (<see cref="Trainer.SessionTimings"/>).
/// </summary>
/// <remarks>With <see cref="Trainer.OverlapLearners"/> the policy step and the value fit run at the same time, each timed on its
/// own thread, so the phases then add up to more than the wall time.</remarks>
/// <param name="EnvSeconds">Stepping the environment copies during rollouts (wrappers and normalisation included).</param>
/// <param name="InferenceSeconds">Policy and value forward passes during rollouts (acting, value estimates, truncation bootstraps, gSDE noise draws).</param>
/// <param name="RolloutOtherSeconds">The rest of the rollout: copying into the buffer, clipping actions, episode bookkeeping.</param>
/// <param name="GaeSeconds">Generalised advantage estimation and the explained variance.</param>
/// <param name="PolicyUpdateSeconds">The TRPO policy step (gradient, conjugate gradient, line search).</param>
/// <param name="ValueFitSeconds">The value network's Adam epochs.</param>
/// <param name="EvaluationSeconds">Deterministic evaluations (and saving the best model).</param>
/// <param name="OutputSeconds">Metric sinks (CSV, TensorBoard), the per-iteration callback (e.g. the live display) and checkpoints.
/// In an <see cref="IterationReport"/> this is the previous iteration's output, which happens after its report is made.</param>
public readonly record struct IterationTimings(
    double EnvSeconds,
    double InferenceSeconds,
    double RolloutOtherSeconds,
    double GaeSeconds,
    double PolicyUpdateSeconds,
    double ValueFitSeconds,
    double EvaluationSeconds,
    double OutputSeconds)
{
    /// <summary>The sum of all phases.</summary>
    public double TotalSeconds => EnvSeconds + InferenceSeconds + RolloutOtherSeconds + GaeSeconds + PolicyUpdateSeconds + ValueFitSeconds + EvaluationSeconds + OutputSeconds;

    /// <summary>The phase-by-phase sum of two measurements.</summary>
    public static IterationTimings operator +(IterationTimings a, IterationTimings b) => new(
        a.EnvSeconds + b.EnvSeconds,
        a.InferenceSeconds + b.InferenceSeconds,
        a.RolloutOtherSeconds + b.RolloutOtherSeconds,
        a.GaeSeconds + b.GaeSeconds,
        a.PolicyUpdateSeconds + b.PolicyUpdateSeconds,
        a.ValueFitSeconds + b.ValueFitSeconds,
        a.EvaluationSeconds + b.EvaluationSeconds,
        a.OutputSeconds + b.OutputSeconds);

    /// <summary>The phase-by-phase sum (for languages without operator overloading).</summary>
    public static IterationTimings Add(IterationTimings left, IterationTimings right) => left + right;
}
