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
/// <remarks>
/// "ByHandWithBookkeeping" steps 8 more environments by hand and also does, inline, the observable work the vectorized layer
/// owes beyond the baseline: rewards and both flags written per copy, running episode return and length, one finiteness check
/// over the batch's observations and rewards, and at an episode end the final observation kept, the episode recorded and the
/// reset observation checked. It is
/// not the baseline; it shows how much of the vectorized layer's cost over the baseline is that work.
/// </remarks>
[MemoryDiagnoser]
public class EnvStepBenchmarks
{
    private const int Steps = 1000;
    private const int NumEnvs = 8;

    private IEnv _single = null!;
    private IEnv[] _byHand = null!;
    private IEnv[] _byHandBooked = null!;
    private VectorStepBuffers _bookedBuffers = null!;
    private double[] _bookedReturn = null!;
    private int[] _bookedLength = null!;
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
        _byHandBooked = new IEnv[NumEnvs];
        for (int i = 0; i < NumEnvs; i++)
        {
            _byHandBooked[i] = EnvRegistry.Default.Make(EnvId);
        }
        _sequential = VectorEnv.Make(EnvId, NumEnvs, new VectorEnvOptions { Mode = VectorMode.Sequential });
        _parallel = VectorEnv.Make(EnvId, NumEnvs, new VectorEnvOptions { Mode = VectorMode.Parallel });
        int obsSize = _single.ObservationSpace.FlatSize;
        _actSize = _single.ActionSpace.FlatSize;
        _buffers = new VectorStepBuffers(NumEnvs, obsSize);
        _bookedBuffers = new VectorStepBuffers(NumEnvs, obsSize);
        _bookedReturn = new double[NumEnvs];
        _bookedLength = new int[NumEnvs];
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
        for (int i = 0; i < NumEnvs; i++)
        {
            _byHandBooked[i].Reset((ulong)i, _bookedBuffers.Observations.AsSpan(i * obsSize, obsSize));
        }
        _sequential.Reset(1, _obs);
        _parallel.Reset(1, _obs);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _single.Dispose();
        foreach (IEnv env in _byHand.Concat(_byHandBooked))
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

    [Benchmark(Description = "8 envs by hand + vector bookkeeping, 1000 steps")]
    public double ByHandWithBookkeeping()
    {
        int obsSize = _single.ObservationSpace.FlatSize;
        VectorStepBuffers b = _bookedBuffers;
        double sum = 0;
        for (int t = 0; t < Steps; t++)
        {
            int ended = 0;
            double probe = 0;
            for (int i = 0; i < NumEnvs; i++)
            {
                StepResult r = _byHandBooked[i].Step(_actions.AsSpan(((t * NumEnvs) + i) * _actSize, _actSize), b.Observations.AsSpan(i * obsSize, obsSize));
                probe += r.Reward * 0.0;
                b.Rewards[i] = r.Reward;
                b.Terminated[i] = r.Terminated;
                b.Truncated[i] = r.Truncated;
                _bookedReturn[i] += r.Reward;
                _bookedLength[i]++;
                ended += r.Terminated | r.Truncated ? 1 : 0;
            }
            if (probe != 0.0 || !VectorEnv.AllFinite(b.Observations))
            {
                throw new InvalidOperationException($"Step {t}: a non-finite observation or reward.");
            }
            if (ended > 0)
            {
                for (int i = 0; i < NumEnvs; i++)
                {
                    if (b.Terminated[i] | b.Truncated[i])
                    {
                        Span<double> row = b.Observations.AsSpan(i * obsSize, obsSize);
                        row.CopyTo(b.FinalObservations.AsSpan(i * obsSize, obsSize));
                        b.EpisodeReturns[i] = _bookedReturn[i];
                        b.EpisodeLengths[i] = _bookedLength[i];
                        _bookedReturn[i] = 0;
                        _bookedLength[i] = 0;
                        _byHandBooked[i].Reset(null, row);
                        if (!VectorEnv.AllFinite(row))
                        {
                            throw new InvalidOperationException($"Step {t}: a non-finite observation from reset.");
                        }
                    }
                }
            }
            b.EpisodesEnded = ended;
            sum += b.Rewards[0];
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
