namespace TrustRegion.Training;

/// <summary>The type of a checkpoint section; the byte stored in the section table (see docs/checkpoints.md).</summary>
public enum CheckpointSectionType : byte
{
    /// <summary>UTF-8 text, e.g. the resolved configuration or a space description.</summary>
    Text = 1,

    /// <summary>An array of little-endian IEEE-754 binary64 values, e.g. a flat parameter vector.</summary>
    Float64Array = 2,

    /// <summary>An array of little-endian unsigned 64-bit integers, e.g. generator states.</summary>
    UInt64Array = 3,

    /// <summary>One little-endian signed 64-bit integer, e.g. a step counter.</summary>
    Int64 = 4,

    /// <summary>One little-endian IEEE-754 binary64 value.</summary>
    Float64 = 5,

    /// <summary>Opaque bytes written by a component, e.g. an environment snapshot (<see cref="Envs.ISnapshotable"/>).</summary>
    Bytes = 6,
}
