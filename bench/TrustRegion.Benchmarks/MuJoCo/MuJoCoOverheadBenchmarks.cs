using BenchmarkDotNet.Attributes;
using TrustRegion.Envs;
using TrustRegion.MuJoCo;
using TrustRegion.MuJoCo.Envs;
using TrustRegion.Numerics;

namespace TrustRegion.Benchmarks.MuJoCo;

/// <summary>
/// The costs around the physics that a training run pays per step or per episode: a reset (<see cref="MuJoCoData.Reset"/>
/// against <c>mj_resetData</c>, which zeroes the whole 3.2 MB buffer), and two copies stepped by <see cref="VectorEnv"/>
/// sequentially or in parallel against the same steps by hand.
/// </summary>
/// <remarks>Run: <c>dotnet run -c Release --project bench/TrustRegion.Benchmarks -- --filter '*MuJoCoOverhead*'</c>.</remarks>
[MemoryDiagnoser]
[Config(typeof(Core.CoreConfig))]
public class MuJoCoOverheadBenchmarks : IDisposable
{
    private const int StepsPerInvoke = 1000;

    private MuJoCoEnv _modelOwner = null!;
    private MuJoCoData _data = null!;
    private VectorEnv _sequential = null!, _parallel = null!;
    private IEnv[] _byHand = [];
    private VectorStepBuffers _buffers = null!;
    private double[] _actions = [], _observations = [];

    /// <summary>Environment id.</summary>
    [Params("Reacher-v4", "HalfCheetah-v4")]
    public string Env { get; set; } = "HalfCheetah-v4";

    [GlobalSetup]
    public void Setup()
    {
        MuJoCoEnvSpec spec = MuJoCoEnvironments.Get(Env);
        _modelOwner = spec.Create();
        _data = _modelOwner.Model.CreateData();
        _sequential = new VectorEnv(_ => spec.Create(), 2, new VectorEnvOptions { Mode = VectorMode.Sequential });
        _parallel = new VectorEnv(_ => spec.Create(), 2, new VectorEnvOptions { Mode = VectorMode.Parallel, Threads = 2 });
        _byHand = [spec.Create(), spec.Create()];
        int nu = _sequential.ActionSpace.FlatSize, obs = _sequential.ObservationSpace.FlatSize;
        _actions = new double[StepsPerInvoke * 2 * nu];
        var rng = new Rng(42);
        for (int i = 0; i < StepsPerInvoke * 2; i++)
        {
            _sequential.ActionSpace.Sample(rng, _actions.AsSpan(i * nu, nu));
        }
        _observations = new double[2 * obs];
        _buffers = new VectorStepBuffers(2, obs);
        _sequential.Reset(1, _observations);
        _parallel.Reset(1, _observations);
        _byHand[0].Reset(1, _observations.AsSpan(0, obs));
        _byHand[1].Reset(2, _observations.AsSpan(obs, obs));
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _data.Dispose();
        _modelOwner.Dispose();
        _sequential.Dispose();
        _parallel.Dispose();
        foreach (IEnv env in _byHand)
        {
            env.Dispose();
        }
        GC.SuppressFinalize(this);
    }

    /// <summary>The reset the environments use.</summary>
    [Benchmark]
    public double Reset()
    {
        _data.Reset();
        return _data.Time;
    }

    /// <summary><c>mj_resetData</c> itself.</summary>
    [Benchmark]
    public double ResetWithLibrary()
    {
        _data.ResetWithLibrary();
        return _data.Time;
    }

    /// <summary>Two copies, one after the other by hand (reset on episode end), 1000 steps each.</summary>
    [Benchmark(OperationsPerInvoke = StepsPerInvoke, Baseline = true)]
    public double TwoCopiesByHand()
    {
        int nu = _sequential.ActionSpace.FlatSize, obs = _sequential.ObservationSpace.FlatSize;
        double sum = 0;
        for (int t = 0; t < StepsPerInvoke; t++)
        {
            for (int i = 0; i < 2; i++)
            {
                Span<double> o = _observations.AsSpan(i * obs, obs);
                StepResult r = _byHand[i].Step(_actions.AsSpan(((2 * t) + i) * nu, nu), o);
                sum += r.Reward;
                if (r.Terminated || r.Truncated)
                {
                    _byHand[i].Reset(null, o);
                }
            }
        }
        return sum;
    }

    /// <summary>The same 2 × 1000 steps through a sequential <see cref="VectorEnv"/>.</summary>
    [Benchmark(OperationsPerInvoke = StepsPerInvoke)]
    public double VectorSequential() => Run(_sequential);

    /// <summary>The same 2 × 1000 steps through a parallel <see cref="VectorEnv"/> (one copy per core).</summary>
    [Benchmark(OperationsPerInvoke = StepsPerInvoke)]
    public double VectorParallel() => Run(_parallel);

    private double Run(VectorEnv env)
    {
        int n = 2 * env.ActionSpace.FlatSize;
        double sum = 0;
        for (int t = 0; t < StepsPerInvoke; t++)
        {
            env.Step(_actions.AsSpan(t * n, n), _buffers);
            sum += _buffers.Rewards[0];
        }
        return sum;
    }
}
