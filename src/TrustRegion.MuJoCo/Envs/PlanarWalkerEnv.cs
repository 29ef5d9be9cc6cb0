using TrustRegion.Numerics;

namespace TrustRegion.MuJoCo.Envs;

/// <summary>
/// What Hopper-v4 and Walker2d-v4 share (Gymnasium v4, spec 2.5–2.6): a planar robot whose root is x, height, pitch. Reset noise
/// U(−0.005, 0.005) on every qpos and qvel entry; reward <c>(x⁺ − x⁻)/dt + 1 − 0.001·‖a‖²</c> with the healthy bonus 1 paid every
/// step; observation <c>q1.. , clip(v, ±10)</c> (the x position left out); the episode terminates when <see cref="IsHealthy"/> fails.
/// </summary>
public abstract class PlanarWalkerEnv : MuJoCoEnv
{
    private double _xBefore;

    private protected PlanarWalkerEnv(string id, MuJoCoModel model, int frameSkip, int nq, int nu)
        : base(id, model, frameSkip, observationSize: (nq - 1) + nq, nq, nv: nq, nu)
    {
    }

    /// <summary>The robot's health after the physics of a step, from its qpos and qvel; an unhealthy state ends the episode.</summary>
    protected abstract bool IsHealthy(ReadOnlySpan<double> q, ReadOnlySpan<double> v);

    /// <inheritdoc/>
    protected sealed override void SampleInitialState(Rng rng, Span<double> qpos, Span<double> qvel)
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
    protected sealed override void BeforePhysics() => _xBefore = Data.Qpos[0];

    /// <inheritdoc/>
    protected sealed override (double Reward, bool Terminated) Evaluate(ReadOnlySpan<double> action, Span<double> observation)
    {
        ReadOnlySpan<double> q = Data.Qpos;
        double xVelocity = (q[0] - _xBefore) / Dt;
        double ctrlCost = 1e-3 * NumpyMath.SumOfSquares(action);
        double rewards = (1.0 * xVelocity) + 1.0;
        WriteObservation(observation);
        return (rewards - ctrlCost, !IsHealthy(q, Data.Qvel));
    }

    /// <inheritdoc/>
    protected sealed override void WriteObservation(Span<double> observation)
    {
        ReadOnlySpan<double> q = Data.Qpos;
        q[1..].CopyTo(observation);
        ReadOnlySpan<double> v = Data.Qvel;
        for (int i = 0; i < v.Length; i++)
        {
            observation[(q.Length - 1) + i] = NumpyMath.Clip(v[i], -10, 10);
        }
    }
}
