namespace TrustRegion.Tests.Networks;

/// <summary>
/// The parallel-pass tests start worker threads and allocate test data on them; they run after the parallel collections, so
/// that tests counting process-wide allocations (the vectorised environments') never see them.
/// </summary>
[CollectionDefinition(nameof(PerfCollection), DisableParallelization = true)]
public sealed class PerfCollection;
