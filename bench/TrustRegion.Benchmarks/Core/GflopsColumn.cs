using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace TrustRegion.Benchmarks.Core;

/// <summary>Adds a GFLOP/s column: the benchmark's floating-point operation count (from <see cref="Flops"/>) over its mean time.</summary>
public sealed class GflopsColumn : IColumn
{
    public string Id => nameof(GflopsColumn);

    public string ColumnName => "GFLOP/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Floating-point operations (double or single, as the benchmark computes) per second (multiply-add = 2).";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        var report = summary[benchmarkCase];
        double? ns = report?.ResultStatistics?.Mean;
        if (ns is null)
        {
            return "-";
        }
        string preset = benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "Preset")?.Value?.ToString() ?? "";
        double flops = Flops.Of(benchmarkCase.Descriptor.WorkloadMethod.Name, preset);
        return flops > 0 ? (flops / ns.Value).ToString("F1", System.Globalization.CultureInfo.InvariantCulture) : "-";
    }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}

/// <summary>Operation counts per benchmark method (only the matrix products; element-wise work is not counted).</summary>
public static class Flops
{
    public static double Of(string method, string preset)
    {
        if (method == nameof(FmaPeakBenchmark.FmaLoop))
        {
            return FmaPeakBenchmark.FlopCount;
        }
        if (method == nameof(FmaPeakBenchmark.FmaLoopTwoThreads))
        {
            return 2 * FmaPeakBenchmark.FlopCount;
        }
        if (method == nameof(FmaPeakBenchmark.FmaLoopSingle))
        {
            return FmaPeakBenchmark.FlopCountSingle;
        }
        if (method == nameof(CartPolePresetBenchmark.CartPolePresetUpdate))
        {
            var c = CorePreset.Get("CartPole");
            double f = c.TangentFlops(2) + c.BackwardFlops(2);
            return (2 * c.ForwardFlops(2)) + c.BackwardFlops(2) + (15 * f) + (20 * (c.ForwardFlops(1) + c.BackwardFlops(1)));
        }
        if (method.StartsWith("Gemm", StringComparison.Ordinal))
        {
            return GemmBenchmarks.FlopCount;
        }
        if (preset.Length == 0)
        {
            return 0;
        }
        var p = CorePreset.Get(preset);
        int o = p.ActionOutputs;
        double fwd = p.ForwardFlops(o), bwd = p.BackwardFlops(o), tan = p.TangentFlops(o);
        double fvp = tan + bwd;
        return method switch
        {
            "PolicyForward" => fwd,
            "PolicyBackward" => bwd,
            "PolicyForwardTangent" => tan,
            "FisherVectorProduct" => fvp,
            // forward + gradient backward + 15 CG products + line search forwards (counted as 1).
            "PolicyUpdate" => fwd + bwd + (15 * fvp) + fwd,
            // 10 epochs: forward + backward over the batch each, value output size 1.
            "ValueFit" => 10 * (p.ForwardFlops(1) + p.BackwardFlops(1)),
            _ => 0,
        };
    }
}
