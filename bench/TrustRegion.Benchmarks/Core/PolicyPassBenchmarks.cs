using BenchmarkDotNet.Attributes;
using TrustRegion.Networks;
using TrustRegion.Trpo;

namespace TrustRegion.Benchmarks.Core;

/// <summary>Forward, backward and forward-tangent passes of the 64-64 tanh policy network, and one Fisher-vector product.</summary>
[MemoryDiagnoser]
[Config(typeof(CoreConfig))]
public class PolicyPassBenchmarks
{
    private Policy _policy = null!;
    private MlpWorkspace _ws = null!;
    private double[] _obs = [], _outGrad = [], _grad = [], _dir = [], _fv = [], _actions = [], _adv = [];
    private TrpoUpdater _updater = null!;

    [Params("Hopper", "CartPole")]
    public string Preset { get; set; } = "Hopper";

    /// <summary>Threads of the <see cref="Numerics.ComputePool"/> that runs the row chunks (results are identical for both).</summary>
    [Params(1, 2)]
    public int Threads { get; set; } = 1;

    /// <summary>Arithmetic of the network passes (<see cref="NetworkPrecision"/>).</summary>
    [Params(NetworkPrecision.Double, NetworkPrecision.Single)]
    public NetworkPrecision Precision { get; set; } = NetworkPrecision.Double;

    [GlobalSetup]
    public void Setup()
    {
        var p = CorePreset.Get(Preset);
        (_policy, _obs, _actions, _adv) = p.MakeBatch(precision: Precision);
        var pool = new Numerics.ComputePool(Threads);
        _ws = _policy.Network.CreateWorkspace(p.Batch);
        _ws.Workers = pool;
        _policy.Network.Forward(_obs, p.Batch, _ws);
        _outGrad = new double[p.Batch * p.ActionOutputs];
        new Numerics.Rng(3).FillGaussian(_outGrad);
        _grad = new double[_policy.Network.ParameterCount];
        _dir = new double[_policy.ParameterCount];
        new Numerics.Rng(4).FillGaussian(_dir);
        _fv = new double[_policy.ParameterCount];
        _updater = new TrpoUpdater(_policy, p.Batch, TrpoOptions.StableBaselines3) { Workers = pool };
        _updater.Prepare(_obs, _actions, _adv, p.Batch);
        _updater.PrepareFisher();
    }

    [Benchmark]
    public double PolicyForward() => _policy.Network.Forward(_obs, _ws.MaxBatch, _ws)[0];

    [Benchmark]
    public double PolicyBackward()
    {
        _policy.Network.Backward(_obs, _outGrad, _ws, _grad, accumulate: false);
        return _grad[0];
    }

    [Benchmark]
    public double PolicyForwardTangent() => _policy.Network.ForwardTangent(_obs, _dir.AsSpan(0, _grad.Length), _ws)[0];

    [Benchmark]
    public double FisherVectorProduct()
    {
        _updater.FisherVectorProduct(_dir, _fv);
        return _fv[0];
    }
}
