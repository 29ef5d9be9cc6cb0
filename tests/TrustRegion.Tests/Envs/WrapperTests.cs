using TrustRegion.Envs;
using TrustRegion.Envs.ClassicControl;
using TrustRegion.Envs.Wrappers;

namespace TrustRegion.Tests.Envs;

public class WrapperTests
{
    [Fact]
    public void TimeLimit_FollowsGymnasiumCounterSemantics()
    {
        using var env = new TimeLimit(new LineWalkEnv(episodeLength: 1000), 3);
        var obs = new double[1];
        env.Reset(0, obs);
        Assert.False(env.Step([0], obs).Truncated);
        Assert.False(env.Step([0], obs).Truncated);
        Assert.True(env.Step([0], obs).Truncated);   // the N-th step
        Assert.True(env.Step([0], obs).Truncated);   // stepping on keeps it truncated
        Assert.Equal(4, env.ElapsedSteps);
        env.Reset(null, obs);
        Assert.Equal(0, env.ElapsedSteps);
        Assert.False(env.Step([0], obs).Truncated);
        Assert.Throws<ArgumentOutOfRangeException>(() => new TimeLimit(new LineWalkEnv(), 0));
    }

    [Fact]
    public void TimeLimit_TerminationAndTruncationOnSameStep_BothReported()
    {
        // LineWalk from 0 moving right terminates at step 3; a limit of 3 truncates the same step.
        using var env = new TimeLimit(new LineWalkEnv(episodeLength: 1000), 3);
        var obs = new double[1];
        env.Reset(null, obs);
        env.Step([1], obs);
        env.Step([1], obs);
        StepResult r = env.Step([1], obs);
        Assert.True(r.Terminated);
        Assert.True(r.Truncated);
    }

    [Fact]
    public void OrderEnforcing_ThrowsBeforeReset_AndChecksActions()
    {
        using var env = new OrderEnforcing(new LineWalkEnv(), "LineWalk-v0");
        var obs = new double[1];
        var ex = Assert.Throws<InvalidOperationException>(() => env.Step([0], obs));
        Assert.Contains("LineWalk-v0", ex.Message, StringComparison.Ordinal);
        env.Reset(null, obs);
        Assert.True(env.HasReset);
        var bad = Assert.ThrowsAny<ArgumentException>(() => env.Step([2], obs));
        Assert.Contains("Discrete(2)", bad.Message, StringComparison.Ordinal);
        Assert.ThrowsAny<ArgumentException>(() => env.Step([double.NaN], obs));
        Assert.ThrowsAny<ArgumentException>(() => env.Step([0, 1], obs));
        env.Step([1], obs);
    }

    [Fact]
    public void ClipAction_ClipsToBoxBounds_NaNStillRejected()
    {
        using var clipped = new ClipAction(new PendulumEnv());
        using var plain = new PendulumEnv();
        var a = new double[3];
        var b = new double[3];
        clipped.Reset(5, a);
        plain.Reset(5, b);
        StepResult ra = clipped.Step([7.5], a);
        StepResult rb = plain.Step([2.0], b);
        Assert.Equal(b, a);
        Assert.Equal(rb.Reward, ra.Reward);
        Assert.ThrowsAny<ArgumentException>(() => clipped.Step([double.NaN], a));
        Assert.Throws<ArgumentException>(() => new ClipAction(new CartPoleEnv()));
    }

    [Fact]
    public void EpisodeStatistics_RecordsReturnAndLength()
    {
        using var env = new EpisodeStatistics(new TimeLimit(new LineWalkEnv(episodeLength: 1000), 4));
        var obs = new double[1];
        env.Reset(null, obs);
        Assert.True(double.IsNaN(env.LastEpisodeReturn));
        env.Step([0], obs); // -1
        env.Step([1], obs); // 0
        env.Step([1], obs); // 1
        Assert.Equal(0.0, env.CurrentReturn);
        env.Step([1], obs); // 2, truncated
        Assert.Equal(2.0, env.LastEpisodeReturn);
        Assert.Equal(4, env.LastEpisodeLength);
        Assert.Equal(1, env.CompletedEpisodes);
        Assert.Equal(0, env.CurrentLength);
    }

    [Fact]
    public void Find_And_Unwrapped_LookThroughWrappers()
    {
        using IEnv env = EnvRegistry.Default.Make(AcrobotEnv.Id);
        Assert.IsType<AcrobotEnv>(env.Unwrapped());
        Assert.NotNull(env.Find<IEnvState>());
        Assert.Equal(500, env.Find<TimeLimit>()!.MaxEpisodeSteps);
        Assert.NotNull(env.Find<OrderEnforcing>());
        Assert.Null(env.Find<ClipAction>());
        Assert.False(env.TryGetInfo(out DummyInfo _));
        using var infoEnv = new TimeLimit(new InfoEnv(), 3);
        var obs = new double[1];
        infoEnv.Reset(null, obs);
        infoEnv.Step([0.25], obs);
        Assert.True(infoEnv.TryGetInfo(out DummyInfo info));
        Assert.Equal(0.25, info.LastAction);
    }

    private readonly record struct DummyInfo(double LastAction);

    private sealed class InfoEnv : IEnv, IEnvInfo<DummyInfo>
    {
        public Space ObservationSpace { get; } = Box.Uniform(-1, 1, 1);
        public Space ActionSpace { get; } = Box.Uniform(-1, 1, 1);
        public DummyInfo LastInfo { get; private set; }

        public void Reset(ulong? seed, Span<double> observation) => observation[0] = 0;

        public StepResult Step(ReadOnlySpan<double> action, Span<double> observation)
        {
            LastInfo = new DummyInfo(action[0]);
            observation[0] = 0;
            return default;
        }

        public void Dispose()
        {
        }
    }
}
