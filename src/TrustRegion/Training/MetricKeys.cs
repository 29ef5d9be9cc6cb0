namespace TrustRegion.Training;

/// <summary>The names of the training metrics (Stable-Baselines3 / CleanRL namespacing) and the column order of progress.csv.</summary>
public static class MetricKeys
{
    /// <summary>Total environment steps over all copies; the first column of progress.csv and the step of every row.</summary>
    public const string TotalSteps = "time/total_steps";

    /// <summary>Completed training iterations (rollout plus update).</summary>
    public const string Iterations = "time/iterations";

    /// <summary>Environment steps per second of wall time since the start of the run.</summary>
    public const string Fps = "time/fps";

    /// <summary>Wall-clock seconds since the start of the run.</summary>
    public const string ElapsedSeconds = "time/elapsed_seconds";

    /// <summary>Mean undiscounted return of the most recent completed episodes (up to 100, as SB3).</summary>
    public const string EpisodeReturnMean = "rollout/ep_return_mean";

    /// <summary>Mean length of the most recent completed episodes (up to 100).</summary>
    public const string EpisodeLengthMean = "rollout/ep_len_mean";

    /// <summary>Mean KL divergence between the policy before and after the update.</summary>
    public const string Kl = "train/kl";

    /// <summary>Improvement of the surrogate objective achieved by the accepted step (0 when rejected).</summary>
    public const string SurrogateImprovement = "train/surrogate_improvement";

    /// <summary>1 when the line search accepted a step, 0 when it rejected every candidate and kept the old policy.</summary>
    public const string LineSearchAccepted = "train/line_search_accepted";

    /// <summary>Backtracking steps taken by the line search.</summary>
    public const string LineSearchSteps = "train/line_search_steps";

    /// <summary>Norm of the conjugate-gradient residual at its last iteration.</summary>
    public const string CgResidual = "train/cg_residual";

    /// <summary>Explained variance of the value predictions over the rollout (1 is perfect, ≤ 0 no better than a constant).</summary>
    public const string ExplainedVariance = "train/explained_variance";

    /// <summary>Mean squared error of the value network after fitting.</summary>
    public const string ValueLoss = "train/value_loss";

    /// <summary>Mean entropy of the policy over the rollout.</summary>
    public const string Entropy = "train/entropy";

    /// <summary>Mean standard deviation of a Gaussian policy (absent for discrete actions).</summary>
    public const string Std = "train/std";

    /// <summary>Mean return of the latest evaluation (deterministic actions, raw rewards).</summary>
    public const string EvalReturnMean = "eval/mean_return";

    /// <summary>Standard deviation of the returns of the latest evaluation.</summary>
    public const string EvalReturnStd = "eval/std_return";

    /// <summary>Seconds this iteration spent stepping the environments (<see cref="IterationTimings.EnvSeconds"/>).</summary>
    public const string EnvSeconds = "time/env_seconds";

    /// <summary>Seconds this iteration spent in policy and value inference during the rollout (<see cref="IterationTimings.InferenceSeconds"/>).</summary>
    public const string InferenceSeconds = "time/inference_seconds";

    /// <summary>Seconds of rollout bookkeeping (<see cref="IterationTimings.RolloutOtherSeconds"/>).</summary>
    public const string RolloutOtherSeconds = "time/rollout_other_seconds";

    /// <summary>Seconds of GAE (<see cref="IterationTimings.GaeSeconds"/>).</summary>
    public const string GaeSeconds = "time/gae_seconds";

    /// <summary>Seconds of the policy step (<see cref="IterationTimings.PolicyUpdateSeconds"/>).</summary>
    public const string PolicyUpdateSeconds = "time/policy_update_seconds";

    /// <summary>Seconds of the value fit (<see cref="IterationTimings.ValueFitSeconds"/>).</summary>
    public const string ValueFitSeconds = "time/value_fit_seconds";

    /// <summary>Seconds of evaluation (<see cref="IterationTimings.EvaluationSeconds"/>).</summary>
    public const string EvaluationSeconds = "time/evaluation_seconds";

    /// <summary>Seconds of logging, callback and checkpoints of the previous iteration (<see cref="IterationTimings.OutputSeconds"/>).</summary>
    public const string OutputSeconds = "time/output_seconds";

    /// <summary>The columns of progress.csv after <see cref="TotalSteps"/>, in file order.</summary>
    public static IReadOnlyList<string> ProgressColumns { get; } =
    [
        Iterations, Fps, ElapsedSeconds,
        EpisodeReturnMean, EpisodeLengthMean,
        Kl, SurrogateImprovement, LineSearchAccepted, LineSearchSteps, CgResidual,
        ExplainedVariance, ValueLoss, Entropy, Std,
        EvalReturnMean, EvalReturnStd,
        EnvSeconds, InferenceSeconds, RolloutOtherSeconds, GaeSeconds, PolicyUpdateSeconds, ValueFitSeconds, EvaluationSeconds, OutputSeconds,
    ];
}
