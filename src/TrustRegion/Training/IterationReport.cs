using TrustRegion.Trpo;

namespace TrustRegion.Training;

/// <summary>What one training iteration (collect, GAE, policy step, value fit) did; handed to the callback and the metric sinks.</summary>
/// <param name="Iteration">Iterations completed so far in the run (1 after the first).</param>
/// <param name="TotalSteps">Environment steps taken so far in the run, over all copies.</param>
/// <param name="TargetSteps">The step count at which this training call stops.</param>
/// <param name="ElapsedSeconds">Wall time of the run so far (resumed runs include earlier sessions).</param>
/// <param name="StepsPerSecond">Environment steps per second in this session.</param>
/// <param name="EpisodeReturnMean">Mean raw return of the last 100 episodes (NaN before the first episode ends).</param>
/// <param name="EpisodeLengthMean">Mean length of the last 100 episodes (NaN before the first episode ends).</param>
/// <param name="Policy">Diagnostics of the TRPO policy step.</param>
/// <param name="ExplainedVariance">Explained variance of the value predictions (before the fit) for the returns.</param>
/// <param name="ValueLoss">Mean minibatch loss of the value fit.</param>
/// <param name="Evaluation">The evaluation run at the end of this iteration, if one was due.</param>
/// <param name="Timings">Where this iteration's wall time went (its output phase is the previous iteration's).</param>
public readonly record struct IterationReport(
    long Iteration,
    long TotalSteps,
    long TargetSteps,
    double ElapsedSeconds,
    double StepsPerSecond,
    double EpisodeReturnMean,
    double EpisodeLengthMean,
    TrpoDiagnostics Policy,
    double ExplainedVariance,
    double ValueLoss,
    EvaluationResult? Evaluation,
    IterationTimings Timings = default);
