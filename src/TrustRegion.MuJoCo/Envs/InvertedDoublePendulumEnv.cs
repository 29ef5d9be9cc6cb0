using TrustRegion.Numerics;

namespace TrustRegion.MuJoCo.Envs;

/// <summary>InvertedDoublePendulum-v4: balance two stacked poles on a cart (Gymnasium v4 semantics, spec 2.2).</summary>
/// <remarks>
/// <list type="table">
/// <item><term>Observation (11, float64)</term><description>q0; sin q1, sin q2; cos q1, cos q2; clip(v, ±10); clip(qfrc_constraint, ±10).</description></item>
/// <item><term>Action (1, float32)</term><description>cart force command in [−1, 1] (gear 500).</description></item>
/// <item><term>Reward</term><description>10 − (0.01·px² + (pz − 2)²) − (0.001·v1² + 0.005·v2²), (px, pz) the tip site as left by the step.</description></item>
/// <item><term>Start</term><description>q = U(−0.1, 0.1)³, v = 0.1·N(0, 1)³.</description></item>
/// <item><term>Termination</term><description>tip height pz ≤ 1.</description></item>
/// <item><term>Truncation</term><description>by the registry's time limit, 1000 steps.</description></item>
/// </list>
/// Physics: 0.01 s RK4 steps, frame skip 5 (dt 0.05 s).
/// </remarks>
public sealed class InvertedDoublePendulumEnv : MuJoCoEnv
{
    /// <summary>Creates the environment on the shared embedded model.</summary>
    public InvertedDoublePendulumEnv()
        : this(MuJoCoModels.Shared("inverted_double_pendulum.xml"))
    {
    }

    /// <summary>Creates the environment on a given model (nq 3, nv 3, nu 1, one site).</summary>
    public InvertedDoublePendulumEnv(MuJoCoModel model)
        : base("InvertedDoublePendulum-v4", model, frameSkip: 5, observationSize: 11, nq: 3, nv: 3, nu: 1)
    {
        if (model.NSite < 1)
        {
            throw new ArgumentException($"InvertedDoublePendulum-v4 reads the tip site 0; model '{model.Name}' has no site.", nameof(model));
        }
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
            qvel[i] += rng.NextGaussian() * 0.1;
        }
    }

    /// <inheritdoc/>
    protected override void BeforePhysics()
    {
    }

    /// <inheritdoc/>
    protected override (double Reward, bool Terminated) Evaluate(ReadOnlySpan<double> action, Span<double> observation)
    {
        WriteObservation(observation);
        ReadOnlySpan<double> tip = Data.SiteXpos;
        double x = tip[0], y = tip[2];
        ReadOnlySpan<double> v = Data.Qvel;
        double distPenalty = (0.01 * (x * x)) + ((y - 2) * (y - 2));
        double velPenalty = (1e-3 * (v[1] * v[1])) + (5e-3 * (v[2] * v[2]));
        double reward = 10.0 - distPenalty - velPenalty;
        return (reward, y <= 1);
    }

    /// <inheritdoc/>
    protected override void WriteObservation(Span<double> observation)
    {
        ReadOnlySpan<double> q = Data.Qpos;
        ReadOnlySpan<double> v = Data.Qvel;
        ReadOnlySpan<double> f = Data.QfrcConstraint;
        observation[0] = q[0];
        observation[1] = Math.Sin(q[1]);
        observation[2] = Math.Sin(q[2]);
        observation[3] = Math.Cos(q[1]);
        observation[4] = Math.Cos(q[2]);
        for (int i = 0; i < 3; i++)
        {
            observation[5 + i] = NumpyMath.Clip(v[i], -10, 10);
            observation[8 + i] = NumpyMath.Clip(f[i], -10, 10);
        }
    }
}
