using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using TrustRegion.Numerics;

namespace TrustRegion.Benchmarks.Core;

/// <summary>
/// The machine's FMA peak on one thread: 16 independent 512-bit accumulators, so neither latency nor loads limit it; in double
/// precision (<see cref="FmaLoop"/>, 8 lanes) and in single precision (<see cref="FmaLoopSingle"/>, 16 lanes).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(CoreConfig))]
public class FmaPeakBenchmark : IDisposable
{
    public const int Iterations = 100_000;

    /// <summary>16 accumulators × 8 lanes × 2 FLOP per iteration.</summary>
    public const double FlopCount = Iterations * 16.0 * 8 * 2;

    /// <summary>16 accumulators × 16 float lanes × 2 FLOP per iteration.</summary>
    public const double FlopCountSingle = Iterations * 16.0 * 16 * 2;

    private Vector512<double> _x = Vector512.Create(0.999999);
    private Vector512<double> _y = Vector512.Create(1e-9);

    private readonly ComputePool _two = new(2);
    private readonly TwoLoops _job = new();

    public void Dispose()
    {
        _two.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark]
    public double FmaLoop() => Loop(_x, _y);

    /// <summary>The same loop on <c>Vector512&lt;float&gt;</c>: the single-precision peak (twice the lanes per instruction).</summary>
    [Benchmark]
    public float FmaLoopSingle() => LoopSingle(Vector512.Create(0.999999f), Vector512.Create(1e-9f));

    /// <summary>The same loop on both threads of a two-thread <see cref="ComputePool"/> at once: do the two vCPUs double the peak?</summary>
    [Benchmark]
    public double FmaLoopTwoThreads()
    {
        _two.Run(_job, 2);
        return _job.Result[0] + _job.Result[1];
    }

    private sealed class TwoLoops : IChunkJob
    {
        public readonly double[] Result = new double[2];

        public void Execute(int chunk) => Result[chunk] = Loop(Vector512.Create(0.999999), Vector512.Create(1e-9));
    }

    private static double Loop(Vector512<double> x, Vector512<double> y) => Vector512.Sum(Chains(x, y));

    private static float LoopSingle(Vector512<float> x, Vector512<float> y) => Vector512.Sum(Chains(x, y));

    // Sixteen independent FMA chains: enough to cover the FMA latency on both ports, so the loop runs at the FMA throughput.
    private static Vector512<T> Chains<T>(Vector512<T> x, Vector512<T> y)
    {
        Vector512<T> a0 = y, a1 = y, a2 = y, a3 = y, a4 = y, a5 = y, a6 = y, a7 = y;
        Vector512<T> a8 = y, a9 = y, a10 = y, a11 = y, a12 = y, a13 = y, a14 = y, a15 = y;
        for (int i = 0; i < Iterations; i++)
        {
            a0 = Gemm.Fma(a0, x, y);
            a1 = Gemm.Fma(a1, x, y);
            a2 = Gemm.Fma(a2, x, y);
            a3 = Gemm.Fma(a3, x, y);
            a4 = Gemm.Fma(a4, x, y);
            a5 = Gemm.Fma(a5, x, y);
            a6 = Gemm.Fma(a6, x, y);
            a7 = Gemm.Fma(a7, x, y);
            a8 = Gemm.Fma(a8, x, y);
            a9 = Gemm.Fma(a9, x, y);
            a10 = Gemm.Fma(a10, x, y);
            a11 = Gemm.Fma(a11, x, y);
            a12 = Gemm.Fma(a12, x, y);
            a13 = Gemm.Fma(a13, x, y);
            a14 = Gemm.Fma(a14, x, y);
            a15 = Gemm.Fma(a15, x, y);
        }
        return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12 + a13 + a14 + a15;
    }
}
