using BenchmarkDotNet.Attributes;
using TrustRegion.Envs;
using TrustRegion.Numerics;

namespace TrustRegion.Benchmarks.Envs;

/// <summary>
/// Raw stepping throughput of each classic-control task, single environment and E = 8 copies: made through the registry
/// (time limit and order enforcing included), 1,000 steps per invocation with pre-drawn random actions, resetting at episode
/// end. "ByHand" steps 8 separately made environments in a loop (with manual reset), the baseline the vectorized layer is
/// compared with: it is the baseline, so BenchmarkDotNet's Ratio column gives the vectorized layer's cost over it from one run
/// (the single-env row's ratio is about 1/8 when stepping costs the same per step). Steps per second = 1,000 (× 8 for the
/// vector rows) / reported time.
/// </summary>
[MemoryDiagnoser]
public class EnvStepBenchmarks
{
    private const int Steps = 1000;
    private const int NumEnvs = 8;

    private IEnv _single = null!;
    private IEnv[] _byHand = null!;
    private VectorEnv _sequential = null!;
    private VectorEnv _parallel = null!;
    private VectorStepBuffers _buffers = null!;
    private double[] _actions = null!;   // [Steps * NumEnvs * actSize]
    private double[] _obs = null!;
    private int _actSize;

    [Params("CartPole-v1", "Acrobot-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Pendulum-v1")]
    public string EnvId { get; set; } = "CartPole-v1";

    [GlobalSetup]
    public void Setup()
    {
        _single = EnvRegistry.Default.Make(EnvId);
        _byHand = new IEnv[NumEnvs];
        for (int i = 0; i < NumEnvs; i++)
        {
            _byHand[i] = EnvRegistry.Default.Make(EnvId);
        }
        _sequential = VectorEnv.Make(EnvId, NumEnvs, new VectorEnvOptions { Mode = VectorMode.Sequential });
        _parallel = VectorEnv.Make(EnvId, NumEnvs, new VectorEnvOptions { Mode = VectorMode.Parallel });
        int obsSize = _single.ObservationSpace.FlatSize;
        _actSize = _single.ActionSpace.FlatSize;
        _buffers = new VectorStepBuffers(NumEnvs, obsSize);
        _obs = new double[NumEnvs * obsSize];
        _actions = new double[Steps * NumEnvs * _actSize];
        var rng = new Rng(2024);
        for (int k = 0; k < Steps * NumEnvs; k++)
        {
            _single.ActionSpace.Sample(rng, _actions.AsSpan(k * _actSize, _actSize));
        }
        _single.Reset(1, _obs.AsSpan(0, obsSize));
        for (int i = 0; i < NumEnvs; i++)
        {
            _byHand[i].Reset((ulong)i, _obs.AsSpan(i * obsSize, obsSize));
        }
        _sequential.Reset(1, _obs);
        _parallel.Reset(1, _obs);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _single.Dispose();
        foreach (IEnv env in _byHand)
        {
            env.Dispose();
        }
        _sequential.Dispose();
        _parallel.Dispose();
    }

    [Benchmark(Description = "single env, 1000 steps")]
    public double Single()
    {
        int obsSize = _single.ObservationSpace.FlatSize;
        Span<double> obs = _obs.AsSpan(0, obsSize);
        double sum = 0;
        for (int t = 0; t < Steps; t++)
        {
            StepResult r = _single.Step(_actions.AsSpan(t * _actSize, _actSize), obs);
            sum += r.Reward;
            if (r.Terminated || r.Truncated)
            {
                _single.Reset(null, obs);
            }
        }
        return sum;
    }

    [Benchmark(Baseline = true, Description = "8 envs by hand, 1000 steps")]
    public double ByHand()
    {
        int obsSize = _single.ObservationSpace.FlatSize;
        double sum = 0;
        for (int t = 0; t < Steps; t++)
        {
            for (int i = 0; i < NumEnvs; i++)
            {
                Span<double> obs = _obs.AsSpan(i * obsSize, obsSize);
                StepResult r = _byHand[i].Step(_actions.AsSpan(((t * NumEnvs) + i) * _actSize, _actSize), obs);
                sum += r.Reward;
                if (r.Terminated || r.Truncated)
                {
                    _byHand[i].Reset(null, obs);
                }
            }
        }
        return sum;
    }

    [Benchmark(Description = "VectorEnv E=8 sequential, 1000 steps")]
    public double VectorSequential() => RunVector(_sequential);

    [Benchmark(Description = "VectorEnv E=8 parallel, 1000 steps")]
    public double VectorParallel() => RunVector(_parallel);

    private double RunVector(VectorEnv venv)
    {
        double sum = 0;
        int stride = NumEnvs * _actSize;
        for (int t = 0; t < Steps; t++)
        {
            venv.Step(_actions.AsSpan(t * stride, stride), _buffers);
            sum += _buffers.Rewards[0];
        }
        return sum;
    }
}
