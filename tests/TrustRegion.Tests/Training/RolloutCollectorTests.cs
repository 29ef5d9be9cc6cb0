using TrustRegion.Training;
using TrustRegion.Trpo;

namespace TrustRegion.Tests.Training;

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
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 4; i++)
        {
            collector.Collect(buffer, rng, log); // 2,048 environment steps, with episode ends and truncations
        }
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
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
}
