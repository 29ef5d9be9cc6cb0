using BenchmarkDotNet.Attributes;
using TrustRegion.Envs;
using TrustRegion.Networks;
using TrustRegion.Numerics;
using TrustRegion.Trpo;

namespace TrustRegion.Benchmarks.Core;

/// <summary>
/// Acting, as collection and evaluation do it at HalfCheetah-v4's shapes (17 observations, 6 actions, the preset's 64-64 tanh
/// policy): <see cref="Policy.Act"/> on the two observations of the preset's two environment copies (forward pass in double,
/// a sample and its log-probability), <see cref="Policy.Predict"/> on one observation (the deterministic action of an
/// evaluation episode or of a program driving a robot), and the output layer's product alone for two rows. Every collected
/// step waits on the first while no copy is inside MuJoCo, so it is part of the time outside the simulator.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(CoreConfig))]
public class ActingBenchmarks
{
    private const int ObservationSize = 17, ActionSize = 6, Width = 64;

    private Policy _policy = null!;
    private Rng _rng = null!;
    private readonly double[] _observations = new double[2 * ObservationSize];
    private readonly double[] _actions = new double[2 * ActionSize];
    private readonly double[] _logProbs = new double[2];
    private readonly double[] _hidden = new double[2 * Width];
    private readonly double[] _weights = new double[Width * ActionSize];
    private readonly double[] _means = new double[2 * ActionSize];

    [GlobalSetup]
    public void Setup()
    {
        var box = new Box(Enumerable.Repeat(-1.0, ActionSize).ToArray(), Enumerable.Repeat(1.0, ActionSize).ToArray());
        _rng = new Rng(23);
        _policy = new Policy(box, ObservationSize, [Width, Width], Activation.Tanh, 0.0, _rng.Split(1), precision: NetworkPrecision.Single);
        _rng.FillGaussian(_observations);
        _rng.FillGaussian(_hidden);
        _rng.FillGaussian(_weights);
    }

    [Benchmark]
    public double ActTwoObservations()
    {
        _policy.Act(_observations, 2, _actions, _logProbs, _rng, deterministic: false);
        return _logProbs[0];
    }

    [Benchmark]
    public double PredictOneObservation()
    {
        _policy.Predict(_observations.AsSpan(0, ObservationSize), _actions, deterministic: true);
        return _actions[0];
    }

    [Benchmark]
    public double OutputLayerTwoRows()
    {
        Gemm.Multiply<double>(2, ActionSize, Width, _hidden, Width, 1, _weights, ActionSize, _means, ActionSize, accumulate: false);
        return _means[0];
    }
}
