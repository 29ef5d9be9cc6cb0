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
    private readonly bool _useContactForces;
    private double _xBefore;

    /// <summary>Creates the environment on the shared embedded model (default: no contact forces, Gymnasium's default).</summary>
    public AntEnv(bool useContactForces = false)
        : this(MuJoCoModels.Shared("ant.xml"), useContactForces)
    {
    }

    /// <summary>Creates the environment on a given model (nq 15, nv 14, nu 8, body "torso").</summary>
    public AntEnv(MuJoCoModel model, bool useContactForces = false)
        : base("Ant-v4", model, frameSkip: 5, observationSize: useContactForces ? 27 + (6 * model.NBody) : 27, nq: 15, nv: 14, nu: 8)
    {
        _torso = ReacherEnv.RequireBody(model, "torso");
        _useContactForces = useContactForces;
    }

    /// <inheritdoc/>
    protected override void SampleInitialState(Rng rng, Span<double> qpos, Span<double> qvel)
    {
        for (int i = 0; i < qpos.Length; i++)
        {
            qpos[i] += rng.NextDouble(-0.1, 0.1);
        }
        for (int i = 0; i < qvel.Length; i++)
        {
            qvel[i] += 0.1 * rng.NextGaussian();
        }
    }

    /// <inheritdoc/>
    protected override void BeforePhysics() => _xBefore = Data.Xpos[3 * _torso];

    /// <inheritdoc/>
    protected override (double Reward, bool Terminated) Evaluate(ReadOnlySpan<double> action, Span<double> observation)
    {
        double xVelocity = (Data.Xpos[3 * _torso] - _xBefore) / Dt;
        double ctrlCost = 0.5 * NumpyMath.SumOfSquares(action);
        double rewards = xVelocity + 1.0;
        WriteObservation(observation);
        double costs = ctrlCost;
        if (_useContactForces)
        {
            costs += 5e-4 * NumpyMath.SumOfSquares(observation[27..]);
        }

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
        bool healthy = finite && q[2] >= 0.2 && q[2] <= 1.0;
        return (rewards - costs, !healthy);
    }

    /// <inheritdoc/>
    protected override void WriteObservation(Span<double> observation)
    {
        Data.Qpos[2..].CopyTo(observation);
        Data.Qvel.CopyTo(observation[13..]);
        if (_useContactForces)
        {
            ReadOnlySpan<double> f = Data.CfrcExt;
            for (int i = 0; i < f.Length; i++)
            {
                observation[27 + i] = NumpyMath.Clip(f[i], -1, 1);
            }
        }
    }
}
