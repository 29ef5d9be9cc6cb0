using TrustRegion.Numerics;

namespace TrustRegion.MuJoCo.Envs;

/// <summary>InvertedPendulum-v4: keep a pole upright on a cart (Gymnasium v4 semantics, spec 2.1).</summary>
/// <remarks>
/// <list type="table">
/// <item><term>Observation (4, float64)</term><description>cart position q0, pole angle q1, v0, v1.</description></item>
/// <item><term>Action (1, float32)</term><description>cart force command in [−3, 3] (gear 100 N).</description></item>
/// <item><term>Reward</term><description>+1 every step.</description></item>
/// <item><term>Start</term><description>q = U(−0.01, 0.01)², v = U(−0.01, 0.01)².</description></item>
/// <item><term>Termination</term><description>an observation entry non-finite, or |q1| &gt; 0.2 rad.</description></item>
/// <item><term>Truncation</term><description>by the registry's time limit, 1000 steps.</description></item>
/// </list>
/// Physics: 0.02 s RK4 steps, frame skip 2 (dt 0.04 s).
/// </remarks>
public sealed class InvertedPendulumEnv : MuJoCoEnv
{
    /// <summary>Creates the environment on the shared embedded model.</summary>
    public InvertedPendulumEnv()
        : this(MuJoCoModels.Shared("inverted_pendulum.xml"))
    {
    }

    /// <summary>Creates the environment on a given model (nq 2, nv 2, nu 1).</summary>
    public InvertedPendulumEnv(MuJoCoModel model)
        : base("InvertedPendulum-v4", model, frameSkip: 2, observationSize: 4, nq: 2, nv: 2, nu: 1)
    {
    }

    /// <inheritdoc/>
    protected override void SampleInitialState(Rng rng, Span<double> qpos, Span<double> qvel)
    {
        for (int i = 0; i < qpos.Length; i++)
        {
            qpos[i] += rng.NextDouble(-0.01, 0.01);
        }
        for (int i = 0; i < qvel.Length; i++)
        {
            qvel[i] += rng.NextDouble(-0.01, 0.01);
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
        bool finite = true;
        for (int i = 0; i < observation.Length; i++)
        {
            finite &= double.IsFinite(observation[i]);
        }
        return (1.0, !finite || Math.Abs(observation[1]) > 0.2);
    }

    /// <inheritdoc/>
    protected override void WriteObservation(Span<double> observation)
    {
        Data.Qpos.CopyTo(observation);
        Data.Qvel.CopyTo(observation[2..]);
    }
}
