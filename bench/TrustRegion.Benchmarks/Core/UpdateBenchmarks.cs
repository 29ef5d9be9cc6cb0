using BenchmarkDotNet.Attributes;
using TrustRegion.Networks;
using TrustRegion.Numerics;
using TrustRegion.Trpo;

namespace TrustRegion.Benchmarks.Core;

/// <summary>
/// One full TRPO policy update (sb3-contrib constants: 15 CG iterations, backtrack 0.8) and one value fit (10 epochs, minibatch 128),
/// each starting from the same parameters every invocation.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(CoreConfig))]
public class UpdateBenchmarks
{
    private Policy _policy = null!;
    private ValueFunction _value = null!;
    private TrpoUpdater _updater = null!;
    private double[] _obs = [], _actions = [], _adv = [], _returns = [], _theta = [], _valueTheta = [];
    private int _batch;
    private readonly ValueFitOptions _fit = new() { Epochs = 10, MinibatchSize = 128 };
    private readonly Rng _rng = new(5);

    [Params("Hopper", "CartPole")]
    public string Preset { get; set; } = "Hopper";

    /// <summary>Threads of the <see cref="ComputePool"/> that runs the row chunks (results are identical for both).</summary>
    [Params(1, 2)]
    public int Threads { get; set; } = 2;

    [GlobalSetup]
    public void Setup()
    {
        var p = CorePreset.Get(Preset);
        _batch = p.Batch;
        (_policy, _obs, _actions, _adv) = p.MakeBatch();
        var pool = new ComputePool(Threads);
        _updater = new TrpoUpdater(_policy, p.Batch, TrpoOptions.StableBaselines3 with { CgResidualTolerance = 0 }) { Workers = pool };
        _theta = _policy.Parameters.ToArray();
        _value = new ValueFunction(p.ObservationSize, [64, 64], Activation.Tanh, new Rng(6)) { Workers = pool };
        _valueTheta = _value.Parameters.ToArray();
        _returns = new double[p.Batch];
        new Rng(7).FillGaussian(_returns);
    }

    [Benchmark]
    public double PolicyUpdate()
    {
        _theta.CopyTo(_policy.Parameters);
        return _updater.Update(_obs, _actions, _adv, _batch).Kl;
    }

    [Benchmark]
    public double ValueFit()
    {
        _valueTheta.CopyTo(_value.Parameters);
        return _value.Fit(_obs, _returns, _batch, _fit, _rng);
    }
}

/// <summary>
/// The whole learner work of one CartPole-v1 RL Zoo iteration: policy step (15 CG iterations, damping 1e-3, backtrack 0.8) plus 20 critic
/// epochs at batch 1024 with minibatch 512 (issue 2's 14 ms target; sb3-contrib takes 80 ms on this machine).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(CoreConfig))]
public class CartPolePresetBenchmark
{
    private Policy _policy = null!;
    private ValueFunction _value = null!;
    private TrpoUpdater _updater = null!;
    private double[] _obs = [], _actions = [], _adv = [], _returns = [], _theta = [], _valueTheta = [];
    private readonly ValueFitOptions _fit = new() { Epochs = 20, MinibatchSize = 512 };
    private readonly Rng _rng = new(5);

    /// <summary>Threads of the <see cref="ComputePool"/> that runs the row chunks (results are identical for both).</summary>
    [Params(1, 2)]
    public int Threads { get; set; } = 2;

    /// <summary>Arithmetic of the policy and value network passes (<see cref="NetworkPrecision"/>, config key <c>precision</c>).</summary>
    [Params(NetworkPrecision.Double, NetworkPrecision.Single)]
    public NetworkPrecision Precision { get; set; } = NetworkPrecision.Double;

    [GlobalSetup]
    public void Setup()
    {
        var p = CorePreset.Get("CartPole");
        (_policy, _obs, _actions, _adv) = p.MakeBatch(precision: Precision);
        var pool = new ComputePool(Threads);
        _updater = new TrpoUpdater(_policy, p.Batch, TrpoOptions.StableBaselines3 with { CgDamping = 1e-3, CgResidualTolerance = 0 }) { Workers = pool };
        _theta = _policy.Parameters.ToArray();
        _value = new ValueFunction(p.ObservationSize, [64, 64], Activation.Tanh, new Rng(6), Precision) { Workers = pool };
        _valueTheta = _value.Parameters.ToArray();
        _returns = new double[p.Batch];
        new Rng(7).FillGaussian(_returns);
    }

    [Benchmark]
    public double CartPolePresetUpdate()
    {
        _theta.CopyTo(_policy.Parameters);
        _valueTheta.CopyTo(_value.Parameters);
        double kl = _updater.Update(_obs, _actions, _adv, 1024).Kl;
        return kl + _value.Fit(_obs, _returns, 1024, _fit, _rng);
    }
}

/// <summary>
/// The learner work of one iteration of the RL Zoo MuJoCo preset at HalfCheetah-v4's shapes (2 × 1024 rows, 17 observations,
/// 6 actions): the policy step (25 CG iterations, damping 0.1, backtrack 0.8) and 20 critic epochs at minibatch 128, each alone
/// and both overlapped on two threads as <c>Trainer</c> runs them.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(CoreConfig))]
public class MuJoCoPresetBenchmark
{
    private Policy _policy = null!;
    private ValueFunction _value = null!;
    private TrpoUpdater _updater = null!;
    private double[] _obs = [], _actions = [], _adv = [], _returns = [], _theta = [], _valueTheta = [];
    private readonly ValueFitOptions _fit = new() { Epochs = 20, MinibatchSize = 128 };
    private readonly Rng _rng = new(5);
    private int _batch;

    /// <summary>Arithmetic of the policy and value network passes (<see cref="NetworkPrecision"/>, config key <c>precision</c>).</summary>
    [Params(NetworkPrecision.Double, NetworkPrecision.Single)]
    public NetworkPrecision Precision { get; set; } = NetworkPrecision.Single;

    /// <summary>Threads of the <see cref="ComputePool"/> each learner uses (2: the shared pool, as <c>Trainer</c>; 1: inline).</summary>
    [Params(1, 2)]
    public int Threads { get; set; } = 2;

    [GlobalSetup]
    public void Setup()
    {
        var p = CorePreset.Get("HalfCheetah");
        _batch = p.Batch;
        (_policy, _obs, _actions, _adv) = p.MakeBatch(precision: Precision);
        var pool = Threads == 1 ? new ComputePool(1) : ComputePool.Shared;
        _updater = new TrpoUpdater(_policy, p.Batch, TrpoOptions.StableBaselines3 with { CgIterations = 25, CgResidualTolerance = 0 }) { Workers = pool };
        _theta = _policy.Parameters.ToArray();
        _value = new ValueFunction(p.ObservationSize, [64, 64], Activation.Tanh, new Rng(6), Precision) { Workers = pool };
        _valueTheta = _value.Parameters.ToArray();
        _returns = new double[p.Batch];
        new Rng(7).FillGaussian(_returns);
    }

    [Benchmark]
    public double PolicyStep()
    {
        _theta.CopyTo(_policy.Parameters);
        return _updater.Update(_obs, _actions, _adv, _batch).Kl;
    }

    [Benchmark]
    public double CriticFit()
    {
        _valueTheta.CopyTo(_value.Parameters);
        return _value.Fit(_obs, _returns, _batch, _fit, _rng);
    }

    [Benchmark]
    public double Overlapped()
    {
        _theta.CopyTo(_policy.Parameters);
        _valueTheta.CopyTo(_value.Parameters);
        var fit = Task.Run(() => _value.Fit(_obs, _returns, _batch, _fit, _rng));
        double kl = _updater.Update(_obs, _actions, _adv, _batch).Kl;
        return kl + fit.Result;
    }
}
