using TrustRegion.Numerics;

namespace TrustRegion.MuJoCo.Envs;

/// <summary>Reacher-v4: move a two-link arm's fingertip to a random target (Gymnasium v4 semantics, spec 2.3).</summary>
/// <remarks>
/// <list type="table">
/// <item><term>Observation (11, float64)</term><description>cos q0, cos q1; sin q0, sin q1; target x, y (q2, q3); v0, v1; fingertip − target (3-D, body origins).</description></item>
/// <item><term>Action (2, float32)</term><description>joint torque commands in [−1, 1] (gear 200).</description></item>
/// <item><term>Reward</term><description>−‖fingertip − target‖ − ‖a‖², the distance taken before the step's physics.</description></item>
/// <item><term>Start</term><description>q = (0, 0, 0.1, −0.1) + U(−0.1, 0.1)⁴, then the target (q2, q3) drawn from U(−0.2, 0.2)² until inside the disc of radius 0.2; v = U(−0.005, 0.005)⁴ with v2 = v3 = 0.</description></item>
/// <item><term>Termination</term><description>never.</description></item>
/// <item><term>Truncation</term><description>by the registry's time limit, 50 steps.</description></item>
/// </list>
/// Physics: 0.01 s RK4 steps, frame skip 2 (dt 0.02 s).
/// </remarks>
public sealed class ReacherEnv : MuJoCoEnv
{
    private readonly int _fingertip;
    private readonly int _target;
    private double _distance;

    /// <summary>Creates the environment on the shared embedded model.</summary>
    public ReacherEnv()
        : this(MuJoCoModels.Shared("reacher.xml"))
    {
    }

    /// <summary>Creates the environment on a given model (nq 4, nv 4, nu 2, bodies "fingertip" and "target").</summary>
    public ReacherEnv(MuJoCoModel model)
        : base("Reacher-v4", model, frameSkip: 2, observationSize: 11, nq: 4, nv: 4, nu: 2)
    {
        _fingertip = RequireBody(model, "fingertip");
        _target = RequireBody(model, "target");
    }

    /// <inheritdoc/>
    protected override void SampleInitialState(Rng rng, Span<double> qpos, Span<double> qvel)
    {
        for (int i = 0; i < qpos.Length; i++)
        {
            qpos[i] += rng.NextDouble(-0.1, 0.1);
        }
        double gx, gy;
        do
        {
            gx = rng.NextDouble(-0.2, 0.2);
            gy = rng.NextDouble(-0.2, 0.2);
        }
        while (!(Math.Sqrt((gx * gx) + (gy * gy)) < 0.2));
        qpos[2] = gx;
        qpos[3] = gy;
        for (int i = 0; i < qvel.Length; i++)
        {
            qvel[i] += rng.NextDouble(-0.005, 0.005);
        }
        qvel[2] = 0;
        qvel[3] = 0;
    }

    /// <inheritdoc/>
    protected override void BeforePhysics()
    {
        ReadOnlySpan<double> x = Data.Xpos;
        double dx = x[3 * _fingertip] - x[3 * _target];
        double dy = x[(3 * _fingertip) + 1] - x[(3 * _target) + 1];
        double dz = x[(3 * _fingertip) + 2] - x[(3 * _target) + 2];
        _distance = Math.Sqrt((dx * dx) + (dy * dy) + (dz * dz));
    }

    /// <inheritdoc/>
    protected override (double Reward, bool Terminated) Evaluate(ReadOnlySpan<double> action, Span<double> observation)
    {
        double rewardDist = -_distance;
        double rewardCtrl = -NumpyMath.SumOfSquares(action);
        WriteObservation(observation);
        return (rewardDist + rewardCtrl, false);
    }

    /// <inheritdoc/>
    protected override void WriteObservation(Span<double> observation)
    {
        ReadOnlySpan<double> q = Data.Qpos;
        ReadOnlySpan<double> v = Data.Qvel;
        ReadOnlySpan<double> x = Data.Xpos;
        observation[0] = Math.Cos(q[0]);
        observation[1] = Math.Cos(q[1]);
        observation[2] = Math.Sin(q[0]);
        observation[3] = Math.Sin(q[1]);
        observation[4] = q[2];
        observation[5] = q[3];
        observation[6] = v[0];
        observation[7] = v[1];
        for (int k = 0; k < 3; k++)
        {
            observation[8 + k] = x[(3 * _fingertip) + k] - x[(3 * _target) + k];
        }
    }

    internal static int RequireBody(MuJoCoModel model, string name)
    {
        int id = model.NameToId(MjObjectType.Body, name);
        if (id < 0)
        {
            throw new ArgumentException($"Model '{model.Name}' has no body named '{name}'.", nameof(model));
        }
        return id;
    }
}
