using TrustRegion.Numerics;

namespace TrustRegion.MuJoCo.Envs;

/// <summary>Ant-v4: a four-legged robot walks forward in 3-D (Gymnasium v4 semantics, spec 2.8).</summary>
/// <remarks>
/// <list type="table">
/// <item><term>Observation (27, float64; 111 with contact forces)</term><description>q2..q14 (torso z, quaternion w x y z, 8 hinge angles), v0..v13; with contact forces, clip(cfrc_ext, ±1) of all 14 bodies follows.</description></item>
/// <item><term>Action (8, float32)</term><description>torque commands in [−1, 1] (gear 150) in the order hip_4, ankle_4, hip_1, ankle_1, hip_2, ankle_2, hip_3, ankle_3.</description></item>
/// <item><term>Reward</term><description>(x⁺ − x⁻)/dt + 1 − 0.5·‖a‖² (− 5e-4·Σ clip(cfrc_ext, ±1)² with contact forces), x the torso body origin as left by the step.</description></item>
/// <item><term>Start</term><description>q = qpos0 + U(−0.1, 0.1)¹⁵ (quaternion perturbed, renormalised by mj_forward), v = 0.1·N(0, 1)¹⁴.</description></item>
/// <item><term>Termination</term><description>unhealthy: a non-finite q or v, or torso z outside [0.2, 1.0].</description></item>
/// <item><term>Truncation</term><description>by the registry's time limit, 1000 steps.</description></item>
/// </list>
/// Physics: 0.01 s RK4 steps, frame skip 5 (dt 0.05 s).
/// </remarks>
public sealed class AntEnv : MuJoCoEnv
{
    private readonly int _torso;
    private readonly AntOptions _options;
    private readonly int _firstObservedPosition, _contactAt;
    private double _xBefore;

    /// <summary>
    /// Creates the environment on the model <see cref="AntOptions.XmlFile"/> names (the shared embedded <c>ant.xml</c> by
    /// default), with Gymnasium's default constructor arguments unless <paramref name="options"/> are given.
    /// </summary>
    /// <exception cref="FileNotFoundException">The model file does not exist.</exception>
    /// <exception cref="MuJoCoException">MuJoCo rejects the model file.</exception>
    /// <exception cref="ArgumentException">The model does not have Ant's sizes or a body named "torso", or a plain name is not an embedded model.</exception>
    public AntEnv(AntOptions? options = null)
        : this(MuJoCoModels.Resolve((options ??= new()).XmlFile), options)
    {
    }

    /// <summary>Creates the environment on a given model (nq 15, nv 14, nu 8, body "torso"), with Gymnasium's default constructor arguments unless <paramref name="options"/> are given (their <see cref="AntOptions.XmlFile"/> is not used).</summary>
    public AntEnv(MuJoCoModel model, AntOptions? options = null)
        : base("Ant-v4", model, frameSkip: 5, observationSize: ObservationSize(model, (options ??= new())), nq: 15, nv: 14, nu: 8)
    {
        _torso = ReacherEnv.RequireBody(model, "torso");
        _options = options;
        _firstObservedPosition = options.ExcludeCurrentPositionsFromObservation ? 2 : 0;
        _contactAt = (15 - _firstObservedPosition) + 14;
    }

    /// <summary>The constructor arguments in use.</summary>
    public AntOptions Options => _options;

    private static int ObservationSize(MuJoCoModel model, AntOptions options) =>
        (options.ExcludeCurrentPositionsFromObservation ? 27 : 29) + (options.UseContactForces ? 6 * model.NBody : 0);

    /// <inheritdoc/>
    protected override void SampleInitialState(Rng rng, Span<double> qpos, Span<double> qvel)
    {
        for (int i = 0; i < qpos.Length; i++)
        {
            qpos[i] += rng.NextDouble(-_options.ResetNoiseScale, _options.ResetNoiseScale);
        }
        for (int i = 0; i < qvel.Length; i++)
        {
            qvel[i] += _options.ResetNoiseScale * rng.NextGaussian();
        }
    }

    /// <inheritdoc/>
    protected override void BeforePhysics() => _xBefore = Data.Xpos[3 * _torso];

    /// <inheritdoc/>
    protected override (double Reward, bool Terminated) Evaluate(ReadOnlySpan<double> action, Span<double> observation)
    {
        double xVelocity = (Data.Xpos[3 * _torso] - _xBefore) / Dt;
        double ctrlCost = _options.CtrlCostWeight * NumpyMath.SumOfSquares(action);
        ReadOnlySpan<double> q = Data.Qpos;
        ReadOnlySpan<double> v = Data.Qvel;
        bool finite = true;
        for (int i = 0; i < q.Length; i++)
        {
            finite &= double.IsFinite(q[i]);
        }
        for (int i = 0; i < v.Length; i++)
        {
            finite &= double.IsFinite(v[i]);
        }
        bool healthy = finite && q[2] >= _options.HealthyZRange.Low && q[2] <= _options.HealthyZRange.High;
        // Gymnasium: float(is_healthy or terminate_when_unhealthy) * healthy_reward.
        double rewards = xVelocity + (healthy || _options.TerminateWhenUnhealthy ? _options.HealthyReward : 0.0);
        WriteObservation(observation);
        double costs = ctrlCost;
        if (_options.UseContactForces)
        {
            costs += _options.ContactCostWeight * NumpyMath.SumOfSquares(observation[_contactAt..]);
        }
        return (rewards - costs, _options.TerminateWhenUnhealthy && !healthy);
    }

    /// <inheritdoc/>
    protected override void WriteObservation(Span<double> observation)
    {
        ReadOnlySpan<double> q = Data.Qpos[_firstObservedPosition..];
        q.CopyTo(observation);
        Data.Qvel.CopyTo(observation[q.Length..]);
        if (_options.UseContactForces)
        {
            (double low, double high) = _options.ContactForceRange;
            ReadOnlySpan<double> f = Data.CfrcExt;
            for (int i = 0; i < f.Length; i++)
            {
                observation[_contactAt + i] = NumpyMath.Clip(f[i], low, high);
            }
        }
    }
}
