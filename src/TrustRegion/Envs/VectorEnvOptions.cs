namespace TrustRegion.Envs;

/// <summary>Settings of a <see cref="VectorEnv"/>.</summary>
public sealed record VectorEnvOptions
{
    /// <summary>Sequential, parallel, or chosen automatically from the measured step cost (default).</summary>
    public VectorMode Mode { get; init; } = VectorMode.Auto;

    /// <summary>
    /// Threads used in parallel mode, counting the calling thread; null means <c>min(Environment.ProcessorCount, numEnvs)</c>.
    /// Does not change results, only speed.
    /// </summary>
    public int? Threads { get; init; }

    /// <summary>Name used in error messages, normally the environment id; null uses the first copy's type name.</summary>
    public string? Name { get; init; }
}
