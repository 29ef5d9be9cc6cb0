using BenchmarkDotNet.Attributes;
using TrustRegion.Envs;
using TrustRegion.Envs.Wrappers;
using TrustRegion.Numerics;

namespace TrustRegion.Benchmarks.Envs;

/// <summary>
/// The observation normalisation of every collected step, at HalfCheetah-v4's shapes (two copies, 17 observations): merging
/// the two new observations into the running statistics, and normalising them with the statistics (also what each evaluation
/// step does with one observation). Both run while no copy is inside MuJoCo.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Core.CoreConfig))]
public class NormalizationBenchmarks : IDisposable
{
    private const int Copies = 2, ObservationSize = 17;

    private readonly RunningMeanStd _statistics = new(ObservationSize);
    private readonly double[] _observations = new double[Copies * ObservationSize];
    private readonly double[] _normalized = new double[Copies * ObservationSize];
    private VecNormalize _normalize = null!;

    [GlobalSetup]
    public void Setup()
    {
        new Rng(5).FillGaussian(_observations);
        _normalize = new VecNormalize(new VectorEnv(_ => new DeclaredShapeEnv(ObservationSize), Copies));
        _normalize.ObservationStatistics.Update(_observations);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _normalize.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark]
    public double MergeTwoObservations()
    {
        _statistics.Update(_observations);
        return _statistics.Count;
    }

    [Benchmark]
    public double NormalizeTwoObservations()
    {
        _normalize.NormalizeObservations(_observations, _normalized);
        return _normalized[0];
    }

    /// <summary>An environment that only declares a Box observation of the given size (the benchmark never steps it).</summary>
    private sealed class DeclaredShapeEnv(int size) : IEnv
    {
        public Space ObservationSpace { get; } = Box.Uniform(double.NegativeInfinity, double.PositiveInfinity, size);

        public Space ActionSpace { get; } = Box.Uniform(-1, 1, 1);

        public void Reset(ulong? seed, Span<double> observation) => observation.Clear();

        public StepResult Step(ReadOnlySpan<double> action, Span<double> observation)
        {
            observation.Clear();
            return new StepResult(0, false, false);
        }

        public void Dispose()
        {
        }
    }
}
