namespace TrustRegion.Training;

/// <summary>
/// A configuration is invalid: an unknown key, malformed YAML, a value of the wrong type or out of range, or keys that
/// contradict each other. The message is one line naming the key, the value, where it came from and what is valid.
/// </summary>
public sealed class ConfigException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">One line: the problem and the fix.</param>
    /// <param name="key">The configuration key at fault, when there is one.</param>
    public ConfigException(string message, string? key = null)
        : base(message)
    {
        Key = key;
    }

    /// <summary>Creates the exception around the error that caused it.</summary>
    public ConfigException(string message, string? key, Exception innerException)
        : base(message, innerException)
    {
        Key = key;
    }

    /// <summary>Creates the exception with a message only.</summary>
    public ConfigException()
        : base("The configuration is invalid.")
    {
    }

    /// <summary>Creates the exception around the error that caused it.</summary>
    public ConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The configuration key at fault (RL Zoo spelling), or null when the error is not about one key.</summary>
    public string? Key { get; }
}
