using BenchmarkDotNet.Attributes;
using TrustRegion.MuJoCo;
using TrustRegion.MuJoCo.Envs;
using TrustRegion.Numerics;

namespace TrustRegion.Benchmarks.MuJoCo;

/// <summary>
/// Raw stepping cost per MuJoCo environment: one environment step (frame_skip × mj_step + mj_rnePostConstraint)
/// through <see cref="MuJoCoEnv.Step"/> versus the same physics driven directly on <see cref="MuJoCoData"/>. The ratio
/// is the share of an environment step spent inside MuJoCo.
/// </summary>
/// <remarks>Run: <c>dotnet run -c Release --project bench/TrustRegion.Benchmarks -- --filter '*MuJoCoStep*'</c>.</remarks>
[ShortRunJob]
[MemoryDiagnoser]
public class MuJoCoStepBenchmarks
{
    private const int StepsPerInvoke = 1000;

    private MuJoCoEnv _env = null!;
    private MuJoCoData _raw = null!;
    private double[] _actions = null!; // [StepsPerInvoke, nu], row-major, drawn once from the action space
    private double[] _observation = null!;
    private double[] _qpos0 = null!;
    private double[] _qvel0 = null!;

    /// <summary>Environment id.</summary>
    [Params("InvertedPendulum-v4", "InvertedDoublePendulum-v4", "Reacher-v4", "Swimmer-v4", "Hopper-v4", "Walker2d-v4", "HalfCheetah-v4", "Ant-v4", "Humanoid-v4")]
    public string Env { get; set; } = "Hopper-v4";

    [GlobalSetup]
    public void Setup()
    {
        _env = MuJoCoEnvironments.Get(Env).Create();
        _raw = _env.Model.CreateData();
        int nu = _env.ActionSpace.FlatSize;
        _actions = new double[StepsPerInvoke * nu];
        var rng = new Rng(42);
        for (int t = 0; t < StepsPerInvoke; t++)
        {
            _env.ActionSpace.Sample(rng, _actions.AsSpan(t * nu, nu));
        }
        _observation = new double[_env.ObservationSpace.FlatSize];
        _env.Reset(0, _observation);
        _qpos0 = _env.Data.Qpos.ToArray();
        _qvel0 = _env.Data.Qvel.ToArray();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _raw.Dispose();
        _env.Dispose();
    }

    /// <summary>1000 environment steps (auto-reset on termination).</summary>
    [Benchmark(OperationsPerInvoke = StepsPerInvoke)]
    public double EnvStep()
    {
        int nu = _env.ActionSpace.FlatSize;
        double sum = 0;
        _env.ResetTo(_qpos0, _qvel0, _observation);
        for (int t = 0; t < StepsPerInvoke; t++)
        {
            var r = _env.Step(_actions.AsSpan(t * nu, nu), _observation);
            sum += r.Reward;
            if (r.Terminated)
            {
                _env.Reset(null, _observation);
            }
        }
        return sum;
    }

    /// <summary>The same physics without the environment layer: frame_skip × mj_step + mj_rnePostConstraint.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = StepsPerInvoke)]
    public double RawPhysics()
    {
        int nu = _env.ActionSpace.FlatSize;
        int frameSkip = _env.FrameSkip;
        _raw.ResetTo(_qpos0, _qvel0);
        for (int t = 0; t < StepsPerInvoke; t++)
        {
            _actions.AsSpan(t * nu, nu).CopyTo(_raw.Ctrl);
            for (int k = 0; k < frameSkip; k++)
            {
                _raw.Step();
            }
            _raw.RnePostConstraint();
        }
        return _raw.Qpos[0];
    }
}
