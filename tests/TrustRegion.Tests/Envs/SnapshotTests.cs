using TrustRegion.Envs;
using TrustRegion.Envs.Wrappers;
using TrustRegion.Numerics;
using static TrustRegion.TestShared.SnapshotBytes;

namespace TrustRegion.Tests.Envs;

/// <summary>
/// Exact resume: run a stack k steps, snapshot, continue m steps recording every output bit; load the snapshot into a fresh
/// stack built the same way, replay the same m actions, and demand the identical record.
/// </summary>
public sealed class SnapshotTests
{
    private const int TimeLimit = 40;
    private const int ContinueSteps = 160; // crosses several 40-step truncations and terminations

    public static TheoryData<string> ClassicIds() =>
        ["CartPole-v1", "Acrobot-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Pendulum-v1"];

    // EpisodeStatistics(ClipAction?(TimeLimit(OrderEnforcing(env)))): the registry's stack plus the other built-in wrappers.
    private static IEnv BuildStack(string id, int timeLimit = TimeLimit)
    {
        IEnv env = EnvRegistry.Default.Make(id, timeLimit);
        if (env.ActionSpace is Box)
        {
            env = new ClipAction(env);
        }
        return new EpisodeStatistics(env);
    }

    private static void SampleAction(Space space, Rng rng, Span<double> action)
    {
        if (space is Box box)
        {
            // Half a range beyond each bound, so that ClipAction has work to do.
            for (int i = 0; i < action.Length; i++)
            {
                double w = box.High[i] - box.Low[i];
                action[i] = rng.NextDouble(box.Low[i] - (0.5 * w), box.High[i] + (0.5 * w));
            }
        }
        else
        {
            space.Sample(rng, action);
        }
    }

    /// <summary>What happened on the step just taken, for classifying snapshot points.</summary>
    private enum Phase
    {
        MidEpisode,
        AfterReset,
        PastEnd,
    }

    /// <summary>
    /// Steps <paramref name="env"/> <paramref name="steps"/> times with actions from <paramref name="rng"/>, appending every output
    /// bit to <paramref name="trace"/>. After an episode end it resets, except that with probability 0.3 it steps on (Gymnasium allows
    /// it; CartPole then pays reward 0 and counts the extra steps). Returns the phase after the last step.
    /// </summary>
    private static Phase Drive(IEnv env, Rng rng, int steps, List<long> trace)
    {
        var obs = new double[env.ObservationSpace.FlatSize];
        var act = new double[env.ActionSpace.FlatSize];
        var stats = (EpisodeStatistics)env;
        Phase phase = Phase.MidEpisode;
        bool pastEnd = false;
        for (int t = 0; t < steps; t++)
        {
            SampleAction(env.ActionSpace, rng, act);
            StepResult r = env.Step(act, obs);
            AddBits(trace, obs);
            trace.Add(BitConverter.DoubleToInt64Bits(r.Reward));
            trace.Add((r.Terminated ? 1 : 0) | (r.Truncated ? 2 : 0));
            trace.Add(BitConverter.DoubleToInt64Bits(stats.CurrentReturn));
            trace.Add(stats.CurrentLength);
            trace.Add(BitConverter.DoubleToInt64Bits(stats.LastEpisodeReturn));
            trace.Add(stats.LastEpisodeLength);
            trace.Add(stats.CompletedEpisodes);
            phase = pastEnd ? Phase.PastEnd : Phase.MidEpisode;
            if (r.Terminated || r.Truncated)
            {
                if (rng.NextDouble() < 0.3)
                {
                    pastEnd = true;
                    phase = Phase.PastEnd;
                }
                else
                {
                    env.Reset(null, obs);
                    AddBits(trace, obs);
                    pastEnd = false;
                    phase = Phase.AfterReset;
                }
            }
        }
        return phase;
    }

    private static void AssertSameTrace(List<long> expected, List<long> actual, string context)
    {
        Assert.True(expected.Count > 0, "empty trace");
        SnapshotBytes.AssertSameTrace(expected, actual, context);
    }

    [Theory]
    [MemberData(nameof(ClassicIds))]
    public void SingleEnvStack_ResumesBitForBit_FromEveryStep(string id)
    {
        var phases = new HashSet<Phase>();
        for (int k = 0; k <= 90; k++)
        {
            using IEnv a = BuildStack(id);
            var rng = new Rng(1234);
            var obs = new double[a.ObservationSpace.FlatSize];
            a.Reset(77, obs);
            Phase phase = Drive(a, rng, k, []);
            phases.Add(phase);
            byte[] snapshot = Save((ISnapshotable)a);
            RngState actionState = rng.GetState();
            var expected = new List<long>();
            Drive(a, rng, ContinueSteps, expected);

            // A fresh stack that was never reset: the snapshot alone must make it steppable and identical.
            using IEnv b = BuildStack(id);
            Load((ISnapshotable)b, snapshot);
            var actual = new List<long>();
            Drive(b, Rng.FromState(actionState), ContinueSteps, actual);
            AssertSameTrace(expected, actual, $"{id}, snapshot after {k} steps ({phase})");
        }
        Assert.Contains(Phase.MidEpisode, phases);
        Assert.Contains(Phase.AfterReset, phases);
        Assert.Contains(Phase.PastEnd, phases);
    }

    [Fact]
    public void SingleEnvStack_LoadOverridesAStackThatRanElsewhere()
    {
        using IEnv a = BuildStack("CartPole-v1");
        var obs = new double[4];
        a.Reset(5, obs);
        var rng = new Rng(9);
        Drive(a, rng, 33, []);
        byte[] snapshot = Save((ISnapshotable)a);
        RngState actionState = rng.GetState();
        var expected = new List<long>();
        Drive(a, rng, ContinueSteps, expected);

        using IEnv b = BuildStack("CartPole-v1");
        b.Reset(999, obs);
        Drive(b, new Rng(3), 57, []);
        var withoutLoad = new List<long>();
        Drive(b, Rng.FromState(actionState), ContinueSteps, withoutLoad);
        Assert.NotEqual(expected, withoutLoad); // the comparison is sensitive: another history gives another record

        Load((ISnapshotable)b, snapshot);
        var actual = new List<long>();
        Drive(b, Rng.FromState(actionState), ContinueSteps, actual);
        AssertSameTrace(expected, actual, "CartPole loaded over another history");
    }

    // ---- VectorEnv + VecNormalize ----

    private static VecNormalize BuildVector(string id, VectorMode mode, int numEnvs = 3, double gamma = 0.99)
    {
        var venv = new VectorEnv(_ => BuildStack(id, 20), numEnvs, new VectorEnvOptions { Mode = mode, Threads = 2, Name = id });
        return new VecNormalize(venv, new NormalizationOptions { Gamma = gamma });
    }

    private static void DriveVector(VecNormalize env, Rng rng, int steps, VectorStepBuffers buf, List<long> trace, out bool endedOnLastStep)
    {
        var actions = new double[env.NumEnvs * env.ActionSpace.FlatSize];
        int a = env.ActionSpace.FlatSize, o = buf.ObsSize;
        var inner = (VectorEnv)env.Inner;
        endedOnLastStep = false;
        AddBits(trace, env.RawObservations); // the last call's raw values are part of the state a resume must see
        AddBits(trace, env.RawRewards);
        for (int t = 0; t < steps; t++)
        {
            for (int i = 0; i < env.NumEnvs; i++)
            {
                SampleAction(env.ActionSpace, rng, actions.AsSpan(i * a, a));
            }
            env.Step(actions, buf);
            AddBits(trace, buf.Observations);
            AddBits(trace, buf.Rewards);
            AddBits(trace, env.RawObservations);
            AddBits(trace, env.RawRewards);
            for (int i = 0; i < env.NumEnvs; i++)
            {
                trace.Add((buf.Terminated[i] ? 1 : 0) | (buf.Truncated[i] ? 2 : 0));
                if (buf.Terminated[i] || buf.Truncated[i])
                {
                    AddBits(trace, buf.FinalObservations.AsSpan(i * o, o));
                    trace.Add(BitConverter.DoubleToInt64Bits(buf.EpisodeReturns[i]));
                    trace.Add(buf.EpisodeLengths[i]);
                }
            }
            trace.Add(buf.EpisodesEnded);
            trace.Add(inner.StepCount);
            AddBits(trace, env.ObservationStatistics.Mean);
            AddBits(trace, env.ObservationStatistics.Variance);
            trace.Add(BitConverter.DoubleToInt64Bits(env.ObservationStatistics.Count));
            AddBits(trace, env.ReturnStatistics.Variance);
            endedOnLastStep = buf.EpisodesEnded > 0;
        }
    }

    [Theory]
    [InlineData("CartPole-v1", VectorMode.Sequential, VectorMode.Sequential)]
    [InlineData("CartPole-v1", VectorMode.Parallel, VectorMode.Parallel)]
    [InlineData("Pendulum-v1", VectorMode.Sequential, VectorMode.Sequential)]
    [InlineData("Pendulum-v1", VectorMode.Parallel, VectorMode.Parallel)]
    [InlineData("Acrobot-v1", VectorMode.Sequential, VectorMode.Parallel)]
    [InlineData("MountainCarContinuous-v0", VectorMode.Parallel, VectorMode.Sequential)]
    public void VecNormalizeOverVectorEnv_ResumesBitForBit(string id, VectorMode saveMode, VectorMode loadMode)
    {
        const int m = 70;
        bool sawMid = false, sawEnd = false;
        for (int k = 0; k <= 42; k++)
        {
            using VecNormalize a = BuildVector(id, saveMode);
            var buf = new VectorStepBuffers(3, a.ObservationSpace.FlatSize);
            var obs = new double[3 * a.ObservationSpace.FlatSize];
            a.Reset(2024, obs);
            var rng = new Rng(42);
            DriveVector(a, rng, k, buf, [], out bool ended);
            sawEnd |= k > 0 && ended;
            sawMid |= k > 0 && !ended;
            a.Training = k % 9 != 4; // some snapshots freeze the statistics (evaluation-style), which must carry over too
            byte[] snapshot = Save(a);
            RngState actionState = rng.GetState();
            var expected = new List<long>();
            DriveVector(a, rng, m, buf, expected, out _);

            // The fresh stack ran its own history first; loading must replace all of it.
            using VecNormalize b = BuildVector(id, loadMode);
            var bufB = new VectorStepBuffers(3, b.ObservationSpace.FlatSize);
            b.Reset(7, obs);
            DriveVector(b, new Rng(8), 11, bufB, [], out _);
            Load(b, snapshot);
            var actual = new List<long>();
            DriveVector(b, Rng.FromState(actionState), m, bufB, actual, out _);
            AssertSameTrace(expected, actual, $"{id} {saveMode}->{loadMode}, snapshot after {k} steps");
        }
        Assert.True(sawMid && sawEnd, $"snapshot points covered mid-episode {sawMid}, right after an autoreset {sawEnd}");
    }

    [Fact]
    public void VectorEnv_SnapshotBeforeReset_RestoresTheNeedForReset()
    {
        using var a = new VectorEnv(_ => BuildStack("CartPole-v1"), 3, new VectorEnvOptions { Mode = VectorMode.Sequential });
        byte[] snapshot = Save(a);
        using var b = new VectorEnv(_ => BuildStack("CartPole-v1"), 3, new VectorEnvOptions { Mode = VectorMode.Sequential });
        var obs = new double[12];
        b.Reset(1, obs);
        Load(b, snapshot);
        var buf = new VectorStepBuffers(3, 4);
        Assert.Throws<InvalidOperationException>(() => b.Step(new double[3], buf));
    }

    // ---- mismatches ----

    private static InvalidDataException LoadFails(ISnapshotable target, byte[] snapshot) =>
        Assert.Throws<InvalidDataException>(() =>
        {
            using var reader = new BinaryReader(new MemoryStream(snapshot));
            target.LoadSnapshot(reader);
        });

    private static byte[] SnapshotOfResetStack(IEnv env)
    {
        env.Reset(1, new double[env.ObservationSpace.FlatSize]);
        return Save((ISnapshotable)env);
    }

    [Fact]
    public void Load_OtherEnvironment_ThrowsNamingBoth()
    {
        using IEnv cartPole = BuildStack("CartPole-v1");
        byte[] snapshot = SnapshotOfResetStack(cartPole);
        using var pendulum = new TrustRegion.Envs.ClassicControl.PendulumEnv();
        InvalidDataException ex = LoadFails(pendulum, snapshot);
        Assert.Contains("EpisodeStatistics", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Pendulum-v1", ex.Message, StringComparison.Ordinal);

        using IEnv pendulumStack = BuildStack("Pendulum-v1");
        ex = LoadFails((ISnapshotable)pendulumStack, snapshot);
        Assert.Contains("ClipAction", ex.Message, StringComparison.Ordinal); // the stacks differ in their wrappers
    }

    [Fact]
    public void Load_OtherTimeLimit_ThrowsNamingMaxEpisodeSteps()
    {
        using IEnv a = BuildStack("CartPole-v1", 40);
        byte[] snapshot = SnapshotOfResetStack(a);
        using IEnv b = BuildStack("CartPole-v1", 50);
        InvalidDataException ex = LoadFails((ISnapshotable)b, snapshot);
        Assert.Contains("MaxEpisodeSteps is 40 in the snapshot but 50 here", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_OtherNumberOfCopiesOrOptions_Throws()
    {
        using VecNormalize a = BuildVector("CartPole-v1", VectorMode.Sequential);
        a.Reset(3, new double[12]);
        byte[] snapshot = Save(a);

        using VecNormalize twoCopies = BuildVector("CartPole-v1", VectorMode.Sequential, numEnvs: 2);
        Assert.Contains("NumEnvs is 3 in the snapshot but 2 here", LoadFails(twoCopies, snapshot).Message, StringComparison.Ordinal);

        using VecNormalize otherGamma = BuildVector("CartPole-v1", VectorMode.Sequential, gamma: 0.9);
        Assert.Contains("Options.Gamma is 0.99 in the snapshot but 0.9 here", LoadFails(otherGamma, snapshot).Message, StringComparison.Ordinal);

        using VecNormalize otherEnv = BuildVector("Acrobot-v1", VectorMode.Sequential);
        Assert.Contains("ObservationSpace.FlatSize", LoadFails(otherEnv, snapshot).Message, StringComparison.Ordinal);

        using var bare = new VectorEnv(_ => BuildStack("CartPole-v1", 20), 3, new VectorEnvOptions { Mode = VectorMode.Sequential });
        Assert.Contains("VecNormalize", LoadFails(bare, snapshot).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_DamagedOrTruncatedSnapshot_ThrowsInvalidData()
    {
        using VecNormalize a = BuildVector("CartPole-v1", VectorMode.Sequential);
        a.Reset(3, new double[12]);
        byte[] snapshot = Save(a);
        using VecNormalize b = BuildVector("CartPole-v1", VectorMode.Sequential);
        Assert.Contains("truncated", LoadFails(b, snapshot[..(snapshot.Length - 5)]).Message, StringComparison.Ordinal);
        Assert.Contains("truncated", LoadFails(b, snapshot[..40]).Message, StringComparison.Ordinal);
        Assert.Contains("not a TrustRegion snapshot", LoadFails(b, new byte[64]).Message, StringComparison.Ordinal);
        Assert.Contains("truncated", LoadFails(b, []).Message, StringComparison.Ordinal);
    }

    private sealed class CountingWrapper(IEnv inner) : EnvWrapper(inner)
    {
        public int Steps { get; private set; }

        public override StepResult Step(ReadOnlySpan<double> action, Span<double> observation)
        {
            Steps++;
            return Inner.Step(action, observation);
        }
    }

    private sealed class SnapshotCountingWrapper(IEnv inner) : EnvWrapper(inner)
    {
        protected override bool SupportsSnapshot => true;
    }

    [Fact]
    public void Save_CopyWithoutSnapshotSupport_ThrowsNotSupportedNamingTheType_AndWritesNothing()
    {
        using var custom = new VectorEnv(_ => new LineWalkEnv(), 2, new VectorEnvOptions { Mode = VectorMode.Sequential });
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream);
        NotSupportedException ex = Assert.Throws<NotSupportedException>(() => custom.SaveSnapshot(writer));
        Assert.Contains(typeof(LineWalkEnv).FullName!, ex.Message, StringComparison.Ordinal);

        // A user's wrapper that has not opted in is refused, even over a supported environment ...
        using var wrapped = new VectorEnv(_ => new CountingWrapper(BuildStack("CartPole-v1")), 2, new VectorEnvOptions { Mode = VectorMode.Sequential });
        ex = Assert.Throws<NotSupportedException>(() => wrapped.SaveSnapshot(writer));
        Assert.Contains(nameof(CountingWrapper), ex.Message, StringComparison.Ordinal);

        // ... and an opted-in wrapper over an unsupported environment names the environment.
        using var deep = new VectorEnv(_ => new SnapshotCountingWrapper(new TimeLimit(new LineWalkEnv(), 9)), 2, new VectorEnvOptions { Mode = VectorMode.Sequential });
        ex = Assert.Throws<NotSupportedException>(() => deep.SaveSnapshot(writer));
        Assert.Contains(nameof(LineWalkEnv), ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, stream.Length);

        using var vn = new VecNormalize(custom);
        Assert.Throws<NotSupportedException>(() => vn.SaveSnapshot(writer));
    }

    [Fact]
    public void OptedInUserWrapper_RoundTrips()
    {
        using IEnv a = new SnapshotCountingWrapper(BuildStack("Acrobot-v1"));
        a.Reset(4, new double[6]);
        byte[] snapshot = Save((ISnapshotable)a);
        using IEnv b = new SnapshotCountingWrapper(BuildStack("Acrobot-v1"));
        Load((ISnapshotable)b, snapshot);
        var oa = new double[6];
        var ob = new double[6];
        for (int t = 0; t < 30; t++)
        {
            double[] act = [t % 3];
            StepResult ra = a.Step(act, oa);
            StepResult rb = b.Step(act, ob);
            Assert.Equal(ra, rb);
            Assert.Equal(oa, ob);
        }
    }
}
