namespace TrustRegion.MuJoCo.Tests;

/// <summary>Tests that count allocated bytes; they run alone so that no concurrent test triggers a GC inside a measured window.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationMeasurementCollection
{
    /// <summary>The collection name.</summary>
    public const string Name = "Allocation measurements";
}
