namespace TrustRegion.Training;

/// <summary>
/// A checkpoint cannot be loaded. The message is one line: the file, what is wrong, and what to do.
/// </summary>
public sealed class CheckpointException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="source">The file path, or another description of where the bytes came from.</param>
    /// <param name="problem">The kind of failure.</param>
    /// <param name="detail">What is wrong and what to do.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public CheckpointException(string source, CheckpointProblem problem, string detail, Exception? innerException = null)
        : base($"{source}: {detail}", innerException)
    {
        SourceName = source;
        Problem = problem;
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public CheckpointException()
        : this("checkpoint", CheckpointProblem.Malformed, "the checkpoint is invalid")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public CheckpointException(string message)
        : this("checkpoint", CheckpointProblem.Malformed, message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying error.</summary>
    public CheckpointException(string message, Exception innerException)
        : this("checkpoint", CheckpointProblem.Malformed, message, innerException)
    {
    }

    /// <summary>The file path, or another description of where the bytes came from.</summary>
    public string SourceName { get; }

    /// <summary>The kind of failure.</summary>
    public CheckpointProblem Problem { get; }
}
