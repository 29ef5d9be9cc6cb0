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
    private LearnerFixture _learner = null!;
    private readonly ValueFitOptions _fit = new() { Epochs = 10, MinibatchSize = 128 };
    private readonly Rng _rng = new(5);

    [Params("Hopper", "CartPole")]
    public string Preset { get; set; } = "Hopper";

    /// <summary>Threads of the <see cref="ComputePool"/> that runs the row chunks (results are identical for both).</summary>
    [Params(1, 2)]
    public int Threads { get; set; } = 2;

    [GlobalSetup]
    public void Setup() =>
        _learner = CorePreset.Get(Preset).MakeLearner(TrpoOptions.StableBaselines3 with { CgResidualTolerance = 0 }, new ComputePool(Threads));

    [Benchmark]
    public double PolicyUpdate() => _learner.PolicyStep();

    [Benchmark]
    public double ValueFit() => _learner.ValueFit(_fit, _rng);
}

/// <summary>
/// The whole learner work of one CartPole-v1 RL Zoo iteration: policy step (15 CG iterations, damping 1e-3, backtrack 0.8) plus 20 critic
/// epochs at batch 1024 with minibatch 512 (issue 2's 14 ms target; sb3-contrib takes 80 ms on this machine).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(CoreConfig))]
public class CartPolePresetBenchmark
{
    private LearnerFixture _learner = null!;
    private readonly ValueFitOptions _fit = new() { Epochs = 20, MinibatchSize = 512 };
    private readonly Rng _rng = new(5);

    /// <summary>Threads of the <see cref="ComputePool"/> that runs the row chunks (results are identical for both).</summary>
    [Params(1, 2)]
    public int Threads { get; set; } = 2;

    /// <summary>Arithmetic of the policy and value network passes (<see cref="NetworkPrecision"/>, config key <c>precision</c>).</summary>
    [Params(NetworkPrecision.Double, NetworkPrecision.Single)]
    public NetworkPrecision Precision { get; set; } = NetworkPrecision.Double;

    [GlobalSetup]
    public void Setup() => _learner = CorePreset.Get("CartPole").MakeLearner(
        TrpoOptions.StableBaselines3 with { CgDamping = 1e-3, CgResidualTolerance = 0 }, new ComputePool(Threads), Precision);

    [Benchmark]
    public double CartPolePresetUpdate() => _learner.PolicyStep() + _learner.ValueFit(_fit, _rng);
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
    private readonly ThreadReservation _fitThread = new();
    private ComputePool _pool = null!;
    private LearnerFixture _learner = null!;
    private readonly ValueFitOptions _fit = new() { Epochs = 20, MinibatchSize = 128 };
    private readonly Rng _rng = new(5);

    /// <summary>Arithmetic of the policy and value network passes (<see cref="NetworkPrecision"/>, config key <c>precision</c>).</summary>
    [Params(NetworkPrecision.Double, NetworkPrecision.Single)]
    public NetworkPrecision Precision { get; set; } = NetworkPrecision.Single;

    /// <summary>Threads of the <see cref="ComputePool"/> each learner uses (2: the shared pool, as <c>Trainer</c>; 1: inline).</summary>
    [Params(1, 2)]
    public int Threads { get; set; } = 2;

    [GlobalSetup]
    public void Setup()
    {
        _pool = Threads == 1 ? new ComputePool(1) : ComputePool.Shared;
        _learner = CorePreset.Get("HalfCheetah").MakeLearner(TrpoOptions.StableBaselines3 with { CgIterations = 25, CgResidualTolerance = 0 }, _pool, Precision);
    }

    [Benchmark]
    public double PolicyStep() => _learner.PolicyStep();

    [Benchmark]
    public double CriticFit() => _learner.ValueFit(_fit, _rng);

    /// <summary>As <c>Trainer</c> overlaps them: the fit on a second thread with one pool thread held back for it until either side is done.</summary>
    [Benchmark]
    public double Overlapped()
    {
        _fitThread.Take(_pool);
        Task<double> fit = Task.Run(FitAndRelease);
        double kl = _learner.PolicyStep();
        _fitThread.Release();
        return kl + fit.Result;
    }

    /// <summary>The same two jobs side by side with no thread held back (the schedule before the reservation).</summary>
    [Benchmark]
    public double OverlappedUnreserved()
    {
        Task<double> fit = Task.Run(() => _learner.ValueFit(_fit, _rng));
        double kl = _learner.PolicyStep();
        return kl + fit.Result;
    }

    private double FitAndRelease()
    {
        try
        {
            return _learner.ValueFit(_fit, _rng);
        }
        finally
        {
            _fitThread.Release();
        }
    }
}
