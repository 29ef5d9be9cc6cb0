using BenchmarkDotNet.Running;

if (args.Length > 0 && args[0] == "rne-timing")
{
    TrustRegion.Benchmarks.MuJoCo.RneTiming.Run();
    return;
}
if (args.Length > 0 && args[0] == "collection-timing")
{
    TrustRegion.Benchmarks.MuJoCo.CollectionTiming.Run(args);
    return;
}

// Every benchmark class in this assembly is discoverable: `dotnet run -c Release --project bench/TrustRegion.Benchmarks -- --filter '*Name*'`.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
