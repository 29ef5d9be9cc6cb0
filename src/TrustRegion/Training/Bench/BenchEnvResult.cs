namespace TrustRegion.Training.Bench;

/// <summary>All seeds of one environment's benchmark, with the medians the report shows.</summary>
/// <param name="Config">The configuration every seed ran with (its seed is the first seed's).</param>
/// <param name="Threshold">The return counted as reaching the task, or null when none is known.</param>
/// <param name="Reference">Published and measured reference figures, or null when none are recorded.</param>
/// <param name="Seeds">One result per seed, in seed order.</param>
public sealed record BenchEnvResult(TrpoConfig Config, double? Threshold, BenchReference? Reference, IReadOnlyList<BenchSeedResult> Seeds)
{
    /// <summary>The environment id.</summary>
    public string EnvId => Config.EnvId;

    /// <summary>Median over seeds of the final deterministic evaluation mean.</summary>
    public double EvalMedian => Median(Seeds.Select(s => s.FinalEvaluation.ReturnMean));

    /// <summary>Smallest final deterministic evaluation mean over seeds.</summary>
    public double EvalMin => Seeds.Min(s => s.FinalEvaluation.ReturnMean);

    /// <summary>Largest final deterministic evaluation mean over seeds.</summary>
    public double EvalMax => Seeds.Max(s => s.FinalEvaluation.ReturnMean);

    /// <summary>Median wall time of a run.</summary>
    public double WallMedian => Median(Seeds.Select(s => s.WallSeconds));

    /// <summary>Median process CPU time of a run.</summary>
    public double CpuMedian => Median(Seeds.Select(s => s.CpuSeconds));

    /// <summary>Median end-to-end steps per second.</summary>
    public double StepsPerSecondMedian => Median(Seeds.Select(s => s.StepsPerSecond));

    /// <summary>Seeds whose mean training return reached the threshold.</summary>
    public int SeedsReachingThreshold => Seeds.Count(s => s.ThresholdSteps is not null);

    /// <summary>Median over the seeds that reached the threshold of the steps it took; null when none did.</summary>
    public double? ThresholdStepsMedian => SeedsReachingThreshold == 0 ? null : Median(Seeds.Where(s => s.ThresholdSteps is not null).Select(s => (double)s.ThresholdSteps!.Value));

    /// <summary>Median over the seeds that reached the threshold of the wall time it took; null when none did.</summary>
    public double? ThresholdSecondsMedian => SeedsReachingThreshold == 0 ? null : Median(Seeds.Where(s => s.ThresholdSeconds is not null).Select(s => s.ThresholdSeconds!.Value));

    /// <summary>Whether every seed measured its time in the simulator.</summary>
    public bool HasSimulationTime => Seeds.All(s => s.SimulationSeconds is not null);

    /// <summary>Median over seeds of the wall time spent in the simulator; null unless <see cref="HasSimulationTime"/>.</summary>
    public double? SimulationMedian => HasSimulationTime ? Median(Seeds.Select(s => s.SimulationSeconds!.Value)) : null;

    /// <summary>Median over seeds of the share of the wall time spent in the simulator; null unless <see cref="HasSimulationTime"/>.</summary>
    public double? SimulationShareMedian => HasSimulationTime ? Median(Seeds.Select(s => s.SimulationShare ?? 0)) : null;

    /// <summary>Median over seeds of the wall time spent outside the simulator; null unless <see cref="HasSimulationTime"/>.</summary>
    public double? OutsideSimulationMedian => HasSimulationTime ? Median(Seeds.Select(s => s.OutsideSimulationSeconds!.Value)) : null;

    /// <summary>Seeds whose time outside the simulator stayed under half of their time in it (issue 5's speed target).</summary>
    public int SeedsOutsideUnderHalfSimulation => Seeds.Count(s => s.OutsideSimulationSeconds is double o && o < s.SimulationSeconds!.Value / 2);

    /// <summary>The timings summed over all seeds.</summary>
    public IterationTimings TimingsTotal => Seeds.Aggregate(default(IterationTimings), (a, s) => a + s.Timings);

    /// <summary>The median of a non-empty sequence (the mean of the middle two for an even count).</summary>
    public static double Median(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        double[] v = [.. values.Order()];
        if (v.Length == 0)
        {
            throw new ArgumentException("The median of an empty sequence is undefined; pass at least one value.", nameof(values));
        }
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[(v.Length / 2) - 1] + v[v.Length / 2]) / 2;
    }
}
