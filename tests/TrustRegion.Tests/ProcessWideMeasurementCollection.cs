namespace TrustRegion.Tests;

/// <summary>Tests that measure process-wide quantities (total allocated bytes) and so must not run beside other tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideMeasurementCollection
{
    /// <summary>The collection name.</summary>
    public const string Name = "Process-wide measurements";
}
