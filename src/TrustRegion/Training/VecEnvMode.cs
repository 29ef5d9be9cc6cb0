namespace TrustRegion.Training;

/// <summary>How the environment copies of a run are stepped (key <c>vec_env</c>). Results never depend on the choice.</summary>
public enum VecEnvMode
{
    /// <summary>Parallel when the environment is expensive enough and more than one core is free; sequential otherwise. YAML value <c>auto</c>.</summary>
    Auto,

    /// <summary>All copies stepped one after the other on the calling thread. YAML value <c>sequential</c>.</summary>
    Sequential,

    /// <summary>Copies stepped on worker threads. YAML value <c>parallel</c>.</summary>
    Parallel,
}
