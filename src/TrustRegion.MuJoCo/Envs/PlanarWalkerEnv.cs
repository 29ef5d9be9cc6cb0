using TrustRegion.Numerics;

namespace TrustRegion.MuJoCo.Envs;

/// <summary>
/// What Hopper-v4 and Walker2d-v4 share (Gymnasium v4, spec 2.5–2.6): a planar robot whose root is x, height, pitch. Reset noise
/// U(−0.005, 0.005) on every qpos and qvel entry; reward <c>(x⁺ − x⁻)/dt + 1 − 0.001·‖a‖²</c> with the healthy bonus 1 paid every
/// step; observation <c>q1.. , clip(v, ±10)</c> (the x position left out); the episode terminates when <see cref="IsHealthy"/> fails.
/// Those are the defaults of the constructor arguments (<see cref="HopperOptions"/>, <see cref="Walker2dOptions"/>): weights, the
/// healthy bonus, termination on ill health (without it the bonus is paid only while healthy), noise scale and the x position.
/// </summary>
public abstract class PlanarWalkerEnv : MuJoCoEnv
{
    private readonly double _forwardRewardWeight, _ctrlCostWeight, _healthyReward, _resetNoiseScale;
    private readonly bool _terminateWhenUnhealthy;
    private readonly int _firstObservedPosition;
    private double _xBefore;

    private protected PlanarWalkerEnv(string id, MuJoCoModel model, int frameSkip, int nq, int nu, double forwardRewardWeight, double ctrlCostWeight,
        double healthyReward, bool terminateWhenUnhealthy, double resetNoiseScale, bool excludeCurrentPositions)
        : base(id, model, frameSkip, observationSize: (excludeCurrentPositions ? nq - 1 : nq) + nq, nq, nv: nq, nu)
    {
        _forwardRewardWeight = forwardRewardWeight;
        _ctrlCostWeight = ctrlCostWeight;
        _healthyReward = healthyReward;
        _terminateWhenUnhealthy = terminateWhenUnhealthy;
        _resetNoiseScale = resetNoiseScale;
        _firstObservedPosition = excludeCurrentPositions ? 1 : 0;
    }

    /// <summary>The robot's health after the physics of a step, from its qpos and qvel; an unhealthy state ends the episode.</summary>
    protected abstract bool IsHealthy(ReadOnlySpan<double> q, ReadOnlySpan<double> v);

    /// <inheritdoc/>
    protected sealed override void SampleInitialState(Rng rng, Span<double> qpos, Span<double> qvel)
    {
        for (int i = 0; i < qpos.Length; i++)
        {
            qpos[i] += rng.NextDouble(-_resetNoiseScale, _resetNoiseScale);
        }
        for (int i = 0; i < qvel.Length; i++)
        {
            qvel[i] += rng.NextDouble(-_resetNoiseScale, _resetNoiseScale);
        }
    }

    /// <inheritdoc/>
    protected sealed override void BeforePhysics() => _xBefore = Data.Qpos[0];

    /// <inheritdoc/>
    protected sealed override (double Reward, bool Terminated) Evaluate(ReadOnlySpan<double> action, Span<double> observation)
    {
        ReadOnlySpan<double> q = Data.Qpos;
        double xVelocity = (q[0] - _xBefore) / Dt;
        double ctrlCost = _ctrlCostWeight * NumpyMath.SumOfSquares(action);
        bool healthy = IsHealthy(q, Data.Qvel);
        // Gymnasium: float(is_healthy or terminate_when_unhealthy) * healthy_reward.
        double healthyReward = healthy || _terminateWhenUnhealthy ? _healthyReward : 0.0;
        double rewards = (_forwardRewardWeight * xVelocity) + healthyReward;
        WriteObservation(observation);
        return (rewards - ctrlCost, _terminateWhenUnhealthy && !healthy);
    }

    /// <inheritdoc/>
    protected sealed override void WriteObservation(Span<double> observation)
    {
        ReadOnlySpan<double> q = Data.Qpos;
        int positions = q.Length - _firstObservedPosition;
        q[_firstObservedPosition..].CopyTo(observation);
        ReadOnlySpan<double> v = Data.Qvel;
        for (int i = 0; i < v.Length; i++)
        {
            observation[positions + i] = NumpyMath.Clip(v[i], -10, 10);
        }
    }
}
