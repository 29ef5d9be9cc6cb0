namespace TrustRegion.MuJoCo;

/// <summary>MuJoCo rejected a model or failed at run time; the message carries MuJoCo's own text.</summary>
public sealed class MuJoCoException : InvalidOperationException
{
    /// <summary>Creates the exception with a message.</summary>
    public MuJoCoException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public MuJoCoException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with no message.</summary>
    public MuJoCoException()
    {
    }
}
