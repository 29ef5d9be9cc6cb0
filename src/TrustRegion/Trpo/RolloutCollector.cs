using System.Diagnostics;
using TrustRegion.Envs;
using TrustRegion.Numerics;

namespace TrustRegion.Trpo;

/// <summary>
/// Fills a <see cref="RolloutBuffer"/> from a vectorized environment with one batched <see cref="Policy.Act"/> per step over
/// all copies. Owns the current observations (the input of the next step), which a checkpoint saves and restores.
/// </summary>
/// <remarks>
/// <para>Per step t: <c>a, log π(a|s) = Act(s)</c> (sampled with the collector's stream); Box actions are clipped to the bounds
/// into a separate array for the environment while the buffer keeps the unclipped sample, so the stored log-probabilities
/// belong to the stored actions (Stable-Baselines3's convention). Where a copy is truncated by a time limit, its (already
/// normalised) final observation is kept for bootstrapping (SB3 issue #633). The value network does not change during a
/// rollout, so the values are predicted after the last step in batched passes, as Stable-Baselines3 would get them step by
/// step: <c>V(s)</c> of every stored observation, <c>V(final observation)</c> of every truncation, and
/// <see cref="RolloutBuffer.LastValues"/> = V(current observations).</para>
/// <para>gSDE (<see cref="Policy.UsesSde"/>): one noise matrix per copy is drawn from the sampling stream before step 0 of every
/// rollout and, when the sample frequency f is positive, again before every step t with t mod f = 0 (t ≥ f); with f = −1 only at
/// the rollout start. (Stable-Baselines3 draws twice before step 0, the first draw being overwritten at once; one draw is the same
/// distribution.)</para>
/// <para>Raw episode returns and lengths reported by the vector environment go to an <see cref="EpisodeLog"/>.</para>
/// <para>Buffers are allocated in the constructor and, sized to the rollout, by the first <see cref="Collect"/>; later calls allocate nothing.</para>
/// </remarks>
internal sealed class RolloutCollector
{
    private readonly IVectorEnv _envs;
    private readonly Policy _policy;
    private readonly ValueFunction _value;
    private readonly Box? _actionBox;
    private readonly int _numEnvs, _obsSize, _actSize;
    private readonly double[] _observations;
    private readonly double[] _actions;
    private readonly double[] _envActions;
    private readonly double[] _logProbs;
    private double[] _finalObservations = []; // final observations of the episodes truncated during a rollout, in order
    private int[] _truncatedRows = []; // their buffer rows
    private double[] _finalValues = [];
    private readonly VectorStepBuffers _step;
    private readonly int _sdeSampleFreq;

    /// <param name="envs">The environment copies.</param>
    /// <param name="policy">The acting policy.</param>
    /// <param name="value">The value function (for the stored values and the truncation bootstraps).</param>
    /// <param name="sdeSampleFreq">gSDE: steps between noise draws within a rollout, or −1 for once per rollout; ignored otherwise.</param>
    internal RolloutCollector(IVectorEnv envs, Policy policy, ValueFunction value, int sdeSampleFreq = -1)
    {
        _sdeSampleFreq = sdeSampleFreq;
        _envs = envs;
        _policy = policy;
        _value = value;
        _numEnvs = envs.NumEnvs;
        _obsSize = envs.ObservationSpace.FlatSize;
        _actSize = envs.ActionSpace.FlatSize;
        _actionBox = envs.ActionSpace as Box;
        _observations = new double[_numEnvs * _obsSize];
        _actions = new double[_numEnvs * policy.ActionSize];
        _envActions = new double[_numEnvs * _actSize];
        _logProbs = new double[_numEnvs];
        _step = new VectorStepBuffers(_numEnvs, _obsSize);
    }

    /// <summary>The observations the next step acts on, <c>[E × ObservationSize]</c> (normalised when the envs normalise).</summary>
    internal double[] Observations => _observations;

    /// <summary>Resets every copy (copy i seeded with <see cref="VectorEnv.CopySeed"/>(seed, i)).</summary>
    internal void Reset(ulong seed) => _envs.Reset(seed, _observations);

    /// <summary>Stopwatch ticks the last <see cref="Collect"/> spent in <see cref="IVectorEnv.Step"/>.</summary>
    internal long EnvTicks { get; private set; }

    /// <summary>Stopwatch ticks the last <see cref="Collect"/> spent in policy and value inference (and gSDE noise draws).</summary>
    internal long InferenceTicks { get; private set; }

    /// <summary>Stopwatch ticks of the whole last <see cref="Collect"/>.</summary>
    internal long TotalTicks { get; private set; }

    /// <summary>Collects <see cref="RolloutBuffer.NumSteps"/> steps of every copy into <paramref name="buffer"/>.</summary>
    internal void Collect(RolloutBuffer buffer, Rng sampling, EpisodeLog episodes)
    {
        long start = Stopwatch.GetTimestamp();
        long envTicks = 0, inferenceTicks = 0;
        if (_truncatedRows.Length < buffer.Count)
        {
            _truncatedRows = new int[buffer.Count];
            _finalObservations = new double[buffer.Count * _obsSize];
            _finalValues = new double[buffer.Count];
        }
        int truncatedRows = 0;
        int e = _numEnvs, obs = _obsSize, act = _policy.ActionSize;
        bool sde = _policy.UsesSde;
        for (int t = 0; t < buffer.NumSteps; t++)
        {
            int row = t * e;
            long t0 = Stopwatch.GetTimestamp();
            if (sde && (t == 0 || (_sdeSampleFreq > 0 && t % _sdeSampleFreq == 0)))
            {
                _policy.ResampleNoise(sampling, e);
            }
            _policy.Act(_observations, e, _actions, _logProbs, sampling, deterministic: false);
            long t1 = Stopwatch.GetTimestamp();
            inferenceTicks += t1 - t0;
            _observations.CopyTo(buffer.Observations, row * obs);
            _actions.CopyTo(buffer.Actions, row * act);
            _logProbs.CopyTo(buffer.LogProbs, row);

            ReadOnlySpan<double> envActions = _actions;
            if (_actionBox is not null)
            {
                _actions.CopyTo(_envActions, 0);
                for (int i = 0; i < e; i++)
                {
                    _actionBox.Clip(_envActions.AsSpan(i * _actSize, _actSize));
                }
                envActions = _envActions;
            }
            long t2 = Stopwatch.GetTimestamp();
            _envs.Step(envActions, _step);
            envTicks += Stopwatch.GetTimestamp() - t2;

            for (int i = 0; i < e; i++)
            {
                buffer.Rewards[row + i] = _step.Rewards[i];
                buffer.Terminated[row + i] = _step.Terminated[i];
                // A step that both terminates and hits the limit is terminal: nothing to bootstrap.
                bool truncated = _step.Truncated[i] && !_step.Terminated[i];
                buffer.Truncated[row + i] = truncated;
                buffer.TruncationValues[row + i] = 0.0;
                if (truncated)
                {
                    // Bootstrapped from the value of the final observation, predicted with the others after the loop.
                    _step.FinalObservations.AsSpan(i * obs, obs).CopyTo(_finalObservations.AsSpan(truncatedRows * obs, obs));
                    _truncatedRows[truncatedRows++] = row + i;
                }
                if (_step.Terminated[i] || _step.Truncated[i])
                {
                    episodes.Add(_step.EpisodeReturns[i], _step.EpisodeLengths[i]);
                }
            }
            _step.Observations.CopyTo(_observations, 0);
        }
        // The value network does not change during the rollout: one batched pass over all its observations gives each step's
        // value, then one over the final observations of truncated episodes, then the bootstrap values of the last step.
        long t4 = Stopwatch.GetTimestamp();
        _value.Predict(buffer.Observations, buffer.Count, buffer.Values);
        if (truncatedRows > 0)
        {
            _value.Predict(_finalObservations, truncatedRows, _finalValues);
            for (int k = 0; k < truncatedRows; k++)
            {
                buffer.TruncationValues[_truncatedRows[k]] = _finalValues[k];
            }
        }
        _value.Predict(_observations, e, buffer.LastValues);
        long end = Stopwatch.GetTimestamp();
        EnvTicks = envTicks;
        InferenceTicks = inferenceTicks + (end - t4);
        TotalTicks = end - start;
    }
}
