using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace TrustRegion.Benchmarks.Core;

/// <summary>Short jobs (the machine is shared) plus the GFLOP/s column.</summary>
public sealed class CoreConfig : ManualConfig
{
    public CoreConfig()
    {
        AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(12).WithId("core"));
        AddColumn(new GflopsColumn());
    }
}
