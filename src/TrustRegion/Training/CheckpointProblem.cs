namespace TrustRegion.Training;

/// <summary>What is wrong with a checkpoint that failed to load.</summary>
public enum CheckpointProblem
{
    /// <summary>The file is shorter than its header records: it was cut short.</summary>
    Truncated,

    /// <summary>The SHA-256 over the contents does not match, or the recorded length disagrees with the file: bytes changed after writing.</summary>
    Corrupted,

    /// <summary>The file does not start with the checkpoint magic: it is not a TrustRegion checkpoint.</summary>
    Foreign,

    /// <summary>The file was written in a newer format version than this library reads.</summary>
    NewerVersion,

    /// <summary>The checksum holds but the structure is invalid (only a faulty writer produces this).</summary>
    Malformed,

    /// <summary>A section the caller needs is absent, or has a different type or size than expected.</summary>
    Incompatible,

    /// <summary>The file could not be read at all (missing, permissions, I/O error).</summary>
    Unreadable,
}
