using TrustRegion.Numerics;

namespace TrustRegion.MuJoCo.Envs;

/// <summary>Swimmer-v4: a three-link swimmer in a viscous fluid moves forward (Gymnasium v4 semantics, spec 2.4).</summary>
/// <remarks>
/// <list type="table">
/// <item><term>Observation (8, float64)</term><description>q2..q4 (body angle, two joint angles), v0..v4.</description></item>
/// <item><term>Action (2, float32)</term><description>joint torque commands in [−1, 1] (gear 150).</description></item>
/// <item><term>Reward</term><description>(x⁺ − x⁻)/dt − 1e-4·‖a‖², x = q0.</description></item>
/// <item><term>Start</term><description>q = U(−0.1, 0.1)⁵, v = U(−0.1, 0.1)⁵.</description></item>
/// <item><term>Termination</term><description>never.</description></item>
/// <item><term>Truncation</term><description>by the registry's time limit, 1000 steps.</description></item>
/// </list>
/// Physics: 0.01 s RK4 steps, frame skip 4 (dt 0.04 s); fluid density 4000, viscosity 0.1.
/// </remarks>
public sealed class SwimmerEnv : MuJoCoEnv
{
    private double _xBefore;

    /// <summary>Creates the environment on the shared embedded model.</summary>
    public SwimmerEnv()
        : this(MuJoCoModels.Shared("swimmer.xml"))
    {
    }

    /// <summary>Creates the environment on a given model (nq 5, nv 5, nu 2).</summary>
    public SwimmerEnv(MuJoCoModel model)
        : base("Swimmer-v4", model, frameSkip: 4, observationSize: 8, nq: 5, nv: 5, nu: 2)
    {
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
            qvel[i] += rng.NextDouble(-0.1, 0.1);
        }
    }

    /// <inheritdoc/>
    protected override void BeforePhysics() => _xBefore = Data.Qpos[0];

    /// <inheritdoc/>
    protected override (double Reward, bool Terminated) Evaluate(ReadOnlySpan<double> action, Span<double> observation)
    {
        double xVelocity = (Data.Qpos[0] - _xBefore) / Dt;
        double forwardReward = 1.0 * xVelocity;
        double ctrlCost = 1e-4 * NumpyMath.SumOfSquares(action);
        WriteObservation(observation);
        return (forwardReward - ctrlCost, false);
    }

    /// <inheritdoc/>
    protected override void WriteObservation(Span<double> observation)
    {
        Data.Qpos[2..].CopyTo(observation);
        Data.Qvel.CopyTo(observation[3..]);
    }
}
