using TrustRegion.Numerics;

namespace TrustRegion.MuJoCo.Envs;

/// <summary>Hopper-v4: a one-legged planar robot hops forward (Gymnasium v4 semantics, spec 2.5).</summary>
/// <remarks>
/// <list type="table">
/// <item><term>Observation (11, float64)</term><description>q1..q5 (height, pitch, thigh, leg, foot), clip(v0..v5, ±10).</description></item>
/// <item><term>Action (3, float32)</term><description>thigh, leg, foot torque commands in [−1, 1] (gear 200).</description></item>
/// <item><term>Reward</term><description>(x⁺ − x⁻)/dt + 1 − 0.001·‖a‖²; the healthy bonus 1 is paid every step, also the terminating one.</description></item>
/// <item><term>Start</term><description>q = (0, 1.25, 0, 0, 0, 0) + U(−0.005, 0.005)⁶, v = U(−0.005, 0.005)⁶.</description></item>
/// <item><term>Termination</term><description>unhealthy: some of q2..q5, v0..v5 outside (−100, 100), or height q1 ≤ 0.7, or |q2| ≥ 0.2.</description></item>
/// <item><term>Truncation</term><description>by the registry's time limit, 1000 steps.</description></item>
/// </list>
/// Physics: 0.002 s RK4 steps, frame skip 4 (dt 0.008 s).
/// </remarks>
public sealed class HopperEnv : MuJoCoEnv
{
    private double _xBefore;

    /// <summary>Creates the environment on the shared embedded model.</summary>
    public HopperEnv()
        : this(MuJoCoModels.Shared("hopper.xml"))
    {
    }

    /// <summary>Creates the environment on a given model (nq 6, nv 6, nu 3).</summary>
    public HopperEnv(MuJoCoModel model)
        : base("Hopper-v4", model, frameSkip: 4, observationSize: 11, nq: 6, nv: 6, nu: 3)
    {
    }

    /// <inheritdoc/>
    protected override void SampleInitialState(Rng rng, Span<double> qpos, Span<double> qvel)
    {
        for (int i = 0; i < qpos.Length; i++)
        {
            qpos[i] += rng.NextDouble(-0.005, 0.005);
        }
        for (int i = 0; i < qvel.Length; i++)
        {
            qvel[i] += rng.NextDouble(-0.005, 0.005);
        }
    }

    /// <inheritdoc/>
    protected override void BeforePhysics() => _xBefore = Data.Qpos[0];

    /// <inheritdoc/>
    protected override (double Reward, bool Terminated) Evaluate(ReadOnlySpan<double> action, Span<double> observation)
    {
        ReadOnlySpan<double> q = Data.Qpos;
        ReadOnlySpan<double> v = Data.Qvel;
        double xVelocity = (q[0] - _xBefore) / Dt;
        double ctrlCost = 1e-3 * NumpyMath.SumOfSquares(action);
        double rewards = (1.0 * xVelocity) + 1.0;
        WriteObservation(observation);

        bool healthyState = true;
        for (int i = 2; i < q.Length; i++)
        {
            healthyState &= q[i] > -100.0 && q[i] < 100.0;
        }
        for (int i = 0; i < v.Length; i++)
        {
            healthyState &= v[i] > -100.0 && v[i] < 100.0;
        }
        bool healthy = healthyState && q[1] > 0.7 && q[1] < double.PositiveInfinity && q[2] > -0.2 && q[2] < 0.2;
        return (rewards - ctrlCost, !healthy);
    }

    /// <inheritdoc/>
    protected override void WriteObservation(Span<double> observation)
    {
        Data.Qpos[1..].CopyTo(observation);
        ReadOnlySpan<double> v = Data.Qvel;
        for (int i = 0; i < v.Length; i++)
        {
            observation[5 + i] = NumpyMath.Clip(v[i], -10, 10);
        }
    }
}
