namespace TrustRegion.Training;

/// <summary>One entry of a checkpoint's section table.</summary>
/// <param name="Name">The section's name (ASCII letters, digits and <c>_ . / -</c>, 1–255 characters), unique in the file.</param>
/// <param name="Type">How the payload is encoded.</param>
/// <param name="Length">Payload length in bytes.</param>
public readonly record struct CheckpointSection(string Name, CheckpointSectionType Type, long Length);
