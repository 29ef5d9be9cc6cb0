namespace TrustRegion.Training;

/// <summary>Where a <see cref="Trainer"/> reports: metric sinks, checkpoint files and a per-iteration callback. The caller chooses every path.</summary>
public sealed record TrainerOutputs
{
    /// <summary>Sinks receiving one row of <see cref="MetricKeys"/> per iteration, at step = total environment steps.</summary>
    public IReadOnlyList<IMetricSink> Sinks { get; init; } = [];

    /// <summary>The checkpoint written every <c>checkpoint_freq</c> steps, at the end and on cancellation; null writes none.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>Where the model with the best evaluation mean so far is saved after each evaluation that improves it; null keeps none.</summary>
    public string? BestModelPath { get; init; }

    /// <summary>Called after every iteration (after the metrics are written, before the checkpoint); return false to stop training.</summary>
    public Func<IterationReport, bool>? Callback { get; init; }
}
