using BenchmarkDotNet.Running;

// Every benchmark class in this assembly is discoverable: `dotnet run -c Release --project bench/TrustRegion.Benchmarks -- --filter '*Name*'`.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
