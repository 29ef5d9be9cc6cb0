using TrustRegion.Training;
using TrustRegion.Trpo;

namespace TrustRegion.Tests.Training;

/// <summary>
/// <c>sub_sampling_factor</c> k as sb3-contrib's TRPO: the policy step runs on every k-th row of the rollout taken in a random
/// order (surrogate, advantage normalisation, Fisher products and line search alike), the value fit on the whole rollout.
/// </summary>
public sealed class SubSamplingTests
{
    private static TrpoConfig Config(int k) => ConfigResolver.Resolve("CartPole-v1") with
    {
        Seed = 5, NumSteps = 128, NumEnvs = 2, BatchSize = 64, SubSamplingFactor = k, VecEnv = VecEnvMode.Sequential, EvalFreq = 0, CheckpointFreq = 0,
    };

    private static TrpoOptions UpdaterOptions(TrpoConfig c) => new()
    {
        MaxKl = c.TargetKl, CgIterations = c.CgMaxSteps, CgDamping = c.CgDamping, LineSearchSteps = c.LineSearchMaxIterations,
        LineSearchBacktrack = c.LineSearchShrinkingFactor, NormalizeAdvantage = c.NormalizeAdvantage, EntropyCoefficient = c.EntCoef,
    };

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public void PolicyStep_UsesARandomEveryKthSubsetOfTheRollout(int k)
    {
        TrpoConfig config = Config(k);
        using var trainer = new Trainer(config);
        using var twin = new Trainer(config); // same seed: the same initial policy
        trainer.Train(256);
        RolloutBuffer buffer = trainer.Buffer;
        int n = buffer.Count, obs = buffer.ObservationSize, act = buffer.ActionSize;
        int m = ((n - 1) / k) + 1;
        (double[] subObs, double[] subAct, double[] subAdv) = trainer.SubsampledPolicyBatch;
        Assert.Equal(m, subAdv.Length);

        // Every chosen row is a distinct row of the rollout, copied whole; the choice is not the plain stride 0, k, 2k, ….
        var used = new HashSet<int>();
        bool strided = true;
        for (int i = 0; i < m; i++)
        {
            int match = -1;
            for (int j = 0; j < n && match < 0; j++)
            {
                if (!used.Contains(j) && buffer.Advantages[j] == subAdv[i]
                    && buffer.Observations.AsSpan(j * obs, obs).SequenceEqual(subObs.AsSpan(i * obs, obs))
                    && buffer.Actions.AsSpan(j * act, act).SequenceEqual(subAct.AsSpan(i * act, act)))
                {
                    match = j;
                }
            }
            Assert.True(match >= 0, $"chosen row {i} is not a row of the rollout");
            used.Add(match);
            strided &= match == i * k;
        }
        Assert.False(strided, "the subset is the fixed stride, not a random one");

        // The trained policy is exactly one policy step on that subset from the initial parameters.
        var updater = new TrpoUpdater(twin.Policy, n, UpdaterOptions(config));
        updater.Update(subObs, subAct, subAdv, m);
        Assert.True(twin.Policy.Parameters.SequenceEqual(trainer.Policy.Parameters), "the policy step did not run on the chosen subset");
    }

    [Fact]
    public void FactorOne_UsesTheWholeRollout_WithoutDrawingFromTheSamplingStream()
    {
        using var trainer = new Trainer(Config(1));
        var before = trainer.Sampling.GetState();
        Assert.Equal(trainer.Buffer.Count, trainer.SelectPolicyBatch());
        Assert.Equal(before, trainer.Sampling.GetState());
        Assert.Empty(trainer.SubsampledPolicyBatch.Advantages);
    }
}
