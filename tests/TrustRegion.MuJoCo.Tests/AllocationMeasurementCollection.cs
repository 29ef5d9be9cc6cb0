namespace TrustRegion.MuJoCo.Tests;

/// <summary>Tests that count allocated bytes; they run alone, away from the other tests' threads and timing.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationMeasurementCollection
{
    /// <summary>The collection name.</summary>
    public const string Name = "Allocation measurements";
}
