using TrustRegion.Numerics;

namespace TrustRegion.MuJoCo.Envs;

/// <summary>
/// What HalfCheetah-v4 and Swimmer-v4 share (Gymnasium v4, spec 2.4 and 2.7): no termination; reward
/// <c>forward_reward_weight · (x⁺ − x⁻)/dt − ctrl_cost_weight · ‖a‖²</c> with x = qpos[0]; observation qpos without its
/// first one (HalfCheetah: x) or two (Swimmer: x, y) entries unless those are included, then qvel unclipped; reset noise
/// U(±scale) on qpos and, on qvel, U(±scale) (Swimmer) or scale · N(0, 1) (HalfCheetah).
/// </summary>
public abstract class ForwardRunnerEnv : MuJoCoEnv
{
    private readonly double _forwardRewardWeight, _ctrlCostWeight, _resetNoiseScale;
    private readonly bool _normalVelocityNoise;
    private readonly int _firstObservedPosition;
    private double _xBefore;

    private protected ForwardRunnerEnv(string id, MuJoCoModel model, int frameSkip, int nq, int nu, int positionsExcluded, double forwardRewardWeight,
        double ctrlCostWeight, double resetNoiseScale, bool normalVelocityNoise, bool excludeCurrentPositions)
        : base(id, model, frameSkip, observationSize: (excludeCurrentPositions ? nq - positionsExcluded : nq) + nq, nq, nv: nq, nu)
    {
        _forwardRewardWeight = forwardRewardWeight;
        _ctrlCostWeight = ctrlCostWeight;
        _resetNoiseScale = resetNoiseScale;
        _normalVelocityNoise = normalVelocityNoise;
        _firstObservedPosition = excludeCurrentPositions ? positionsExcluded : 0;
    }

    /// <inheritdoc/>
    protected sealed override void SampleInitialState(Rng rng, Span<double> qpos, Span<double> qvel)
    {
        for (int i = 0; i < qpos.Length; i++)
        {
            qpos[i] += rng.NextDouble(-_resetNoiseScale, _resetNoiseScale);
        }
        for (int i = 0; i < qvel.Length; i++)
        {
            qvel[i] += _normalVelocityNoise ? _resetNoiseScale * rng.NextGaussian() : rng.NextDouble(-_resetNoiseScale, _resetNoiseScale);
        }
    }

    /// <inheritdoc/>
    protected sealed override void BeforePhysics() => _xBefore = Data.Qpos[0];

    /// <inheritdoc/>
    protected sealed override (double Reward, bool Terminated) Evaluate(ReadOnlySpan<double> action, Span<double> observation)
    {
        double xVelocity = (Data.Qpos[0] - _xBefore) / Dt;
        double forwardReward = _forwardRewardWeight * xVelocity;
        double ctrlCost = _ctrlCostWeight * NumpyMath.SumOfSquares(action);
        WriteObservation(observation);
        return (forwardReward - ctrlCost, false);
    }

    /// <inheritdoc/>
    protected sealed override void WriteObservation(Span<double> observation)
    {
        ReadOnlySpan<double> q = Data.Qpos[_firstObservedPosition..];
        q.CopyTo(observation);
        Data.Qvel.CopyTo(observation[q.Length..]);
    }
}
