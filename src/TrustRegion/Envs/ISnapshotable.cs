namespace TrustRegion.Envs;

/// <summary>
/// Exact save and restore of everything that determines an object's future behaviour, for checkpoints that resume a run
/// bit for bit (physical state, generator states, time-limit counters, episode accumulators, normalisation statistics).
/// </summary>
/// <remarks>
/// Contract: take two objects built the same way (same factory, same construction arguments). Save a snapshot of the first
/// and load it into the second. From then on, the same calls must give bit-identical results on both. A snapshot is
/// an opaque byte stream, versioned by its writer. It is not meant to be read by another type. A wrapper writes its own
/// fields, then delegates to the object it wraps. Loading a snapshot that was written by a different type or
/// configuration throws <see cref="InvalidDataException"/> with a message that names the mismatch.
/// </remarks>
public interface ISnapshotable
{
    /// <summary>Writes the complete dynamic state.</summary>
    void SaveSnapshot(BinaryWriter writer);

    /// <summary>Restores a state written by <see cref="SaveSnapshot"/> on an object built the same way.</summary>
    /// <exception cref="InvalidDataException">The snapshot was written by another type or configuration, or is damaged.</exception>
    void LoadSnapshot(BinaryReader reader);
}
