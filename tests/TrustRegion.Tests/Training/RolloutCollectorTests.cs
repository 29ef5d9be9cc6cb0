using TrustRegion.Training;
using TrustRegion.Trpo;

namespace TrustRegion.Tests.Training;

[Collection(ProcessWideMeasurementCollection.Name)] // allocation checks run alone: beside other tests they saw sporadic charges of a few KB
public sealed class RolloutCollectorTests
{
    private static Trainer Make(string id, params string[] overrides) =>
        new(ConfigResolver.Resolve(id, overrides: overrides) with { VecEnv = VecEnvMode.Sequential });

    [Theory]
    [InlineData("CartPole-v1")]
    [InlineData("Pendulum-v1")]
    public void Collect_AllocatesNothingAfterWarmUp(string id)
    {
        using Trainer t = Make(id, "use_sde=false", "normalize=true", "n_steps=256");
        var collector = new RolloutCollector(t.Environments, t.Policy, t.Value);
        collector.Reset(1);
        var buffer = new RolloutBuffer(256, t.Config.NumEnvs, t.Policy.ObservationSize, t.Policy.ActionSize);
        var rng = new TrustRegion.Numerics.Rng(2);
        var log = new EpisodeLog();
        collector.Collect(buffer, rng, log);
        AssertCollectAllocatesNothing(collector, buffer, rng, log);
        Assert.True(log.Total > 0);
    }

    [Fact]
    public void Collect_BoxActions_BufferKeepsTheSampleWhileTheEnvironmentGetsItClipped()
    {
        // log_std_init = 1.5 gives σ ≈ 4.5, so most samples fall outside Pendulum's [-2, 2].
        using Trainer t = Make("Pendulum-v1", "use_sde=false", "log_std_init=1.5", "n_steps=200");
        var collector = new RolloutCollector(t.Environments, t.Policy, t.Value);
        collector.Reset(5);
        var buffer = new RolloutBuffer(200, t.Config.NumEnvs, t.Policy.ObservationSize, t.Policy.ActionSize);
        collector.Collect(buffer, new TrustRegion.Numerics.Rng(3), new EpisodeLog());
        Assert.Contains(buffer.Actions, a => Math.Abs(a) > 2);
        // Pendulum's reward −(θ² + 0.1 θ̇² + 0.001 u²) ≥ −(π² + 0.1·8² + 0.001·2²): an unclipped |u| > 2 would go below it.
        double worst = -((Math.PI * Math.PI) + (0.1 * 64) + (0.001 * 4));
        Assert.All(buffer.Rewards, r => Assert.True(r >= worst - 1e-9, $"reward {r}"));
        // Pendulum only truncates (200 steps): every copy's episode ended at the last step, bootstrapped from V(final obs).
        int last = (199 * t.Config.NumEnvs);
        Assert.True(buffer.Truncated[last]);
        Assert.False(buffer.Terminated[last]);
        Assert.NotEqual(0.0, buffer.TruncationValues[last]);
    }

    [Fact]
    public void Collect_ValuesAreThoseOfTheStoredObservations_PredictedAfterTheLastStep()
    {
        using Trainer t = Make("Pendulum-v1", "use_sde=false", "normalize=true", "n_steps=200");
        var collector = new RolloutCollector(t.Environments, t.Policy, t.Value);
        collector.Reset(7);
        int e = t.Config.NumEnvs, n = 200 * e;
        var buffer = new RolloutBuffer(200, e, t.Policy.ObservationSize, t.Policy.ActionSize);
        collector.Collect(buffer, new TrustRegion.Numerics.Rng(3), new EpisodeLog());
        // Row r's value is V(stored observation r), as one batched pass over the rollout computes it.
        var expected = new double[n];
        t.Value.Predict(buffer.Observations, n, expected);
        Assert.Equal(expected, buffer.Values);
        // Each row also matches its own few-row prediction (double arithmetic) to single precision.
        var one = new double[1];
        for (int r = 0; r < n; r += 37)
        {
            t.Value.Predict(buffer.Observations.AsSpan(r * t.Policy.ObservationSize, t.Policy.ObservationSize), 1, one);
            Assert.Equal(one[0], buffer.Values[r], 1e-5 * Math.Max(1, Math.Abs(one[0])));
        }
        var last = new double[e];
        t.Value.Predict(collector.Observations, e, last);
        Assert.Equal(last, buffer.LastValues);
        // Every copy truncates at step 200: its bootstrap value is V(final observation), not the value of the reset observation.
        for (int i = 0; i < e; i++)
        {
            int row = (199 * e) + i;
            Assert.True(buffer.Truncated[row]);
            Assert.NotEqual(0.0, buffer.TruncationValues[row]);
            Assert.NotEqual(last[i], buffer.TruncationValues[row]);
        }
    }

    [Fact]
    public void Collect_Sde_AllocatesNothingAfterWarmUp()
    {
        using Trainer t = Make("MountainCarContinuous-v0", "n_steps=256");
        Assert.True(t.Policy.UsesSde);
        var collector = new RolloutCollector(t.Environments, t.Policy, t.Value, sdeSampleFreq: 4);
        collector.Reset(1);
        var buffer = new RolloutBuffer(256, t.Config.NumEnvs, t.Policy.ObservationSize, t.Policy.ActionSize);
        var rng = new TrustRegion.Numerics.Rng(2);
        var log = new EpisodeLog();
        collector.Collect(buffer, rng, log);
        AssertCollectAllocatesNothing(collector, buffer, rng, log);
    }

    /// <summary>Windows of two rollouts each, with episode ends and truncations (see <see cref="AllocationWindows"/>).</summary>
    private static void AssertCollectAllocatesNothing(RolloutCollector collector, RolloutBuffer buffer, TrustRegion.Numerics.Rng rng, EpisodeLog log)
    {
        Assert.Equal(0, AllocationWindows.SmallestOnThisThread(() =>
        {
            collector.Collect(buffer, rng, log);
            collector.Collect(buffer, rng, log);
        }));
    }

    /// <summary>
    /// gSDE noise is drawn before step 0 and before every step t with t mod f = 0: two collectors with the same seed but
    /// frequencies 4 and −1 act identically for steps 0–3 and differently from step 4 on; −1 equals a frequency of n_steps.
    /// </summary>
    [Fact]
    public void Collect_Sde_RedrawsTheNoiseExactlyEverySampleFreqSteps()
    {
        double[] Actions(int freq)
        {
            using Trainer t = Make("Pendulum-v1", "n_steps=16", "batch_size=32");
            var collector = new RolloutCollector(t.Environments, t.Policy, t.Value, freq);
            collector.Reset(7);
            var buffer = new RolloutBuffer(16, t.Config.NumEnvs, t.Policy.ObservationSize, t.Policy.ActionSize);
            collector.Collect(buffer, new TrustRegion.Numerics.Rng(3), new EpisodeLog());
            return buffer.Actions.ToArray();
        }
        int e = ConfigResolver.Preset("Pendulum-v1").NumEnvs;
        double[] every4 = Actions(4), once = Actions(-1), every16 = Actions(16), every5 = Actions(5);
        Assert.Equal(once, every16);
        Assert.Equal(once.AsSpan(0, 4 * e).ToArray(), every4.AsSpan(0, 4 * e).ToArray());
        Assert.Equal(once.AsSpan(0, 5 * e).ToArray(), every5.AsSpan(0, 5 * e).ToArray());
        for (int i = 0; i < e; i++)
        {
            Assert.NotEqual(once[(4 * e) + i], every4[(4 * e) + i]);
            Assert.NotEqual(once[(5 * e) + i], every5[(5 * e) + i]);
        }
    }
}
