namespace TrustRegion.Envs;

/// <summary>How a <see cref="VectorEnv"/> steps its copies. Results are identical in every mode.</summary>
public enum VectorMode
{
    /// <summary>Start sequential, time the first steps, and switch to parallel only when the copies are expensive enough to gain.</summary>
    Auto,

    /// <summary>Step the copies one after another on the calling thread.</summary>
    Sequential,

    /// <summary>Step contiguous groups of copies on long-lived worker threads (the calling thread takes the first group).</summary>
    Parallel,
}
