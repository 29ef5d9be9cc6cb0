namespace TrustRegion.Training;

/// <summary>Why a call to <see cref="Trainer.Train"/> returned.</summary>
public enum TrainingStop
{
    /// <summary>The requested number of steps was reached.</summary>
    Completed,
    /// <summary>The callback returned false.</summary>
    StoppedByCallback,
    /// <summary>The cancellation token was triggered (Ctrl-C); a checkpoint was written when a path was given.</summary>
    Cancelled,
}
