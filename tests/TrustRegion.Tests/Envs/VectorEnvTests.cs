using TrustRegion.Envs;
using TrustRegion.Envs.ClassicControl;
using TrustRegion.Numerics;

namespace TrustRegion.Tests.Envs;

public class VectorEnvTests
{
    private static (double[] Obs, double[] Final, double[] Rewards, bool[] Term, bool[] Trunc, double[] EpRet, int[] EpLen) Run(string id, VectorEnvOptions options, int numEnvs, int steps, ulong seed)
    {
        using var venv = VectorEnv.Make(id, numEnvs, options);
        var buf = new VectorStepBuffers(numEnvs, venv.ObservationSpace.FlatSize);
        var obs = new List<double>();
        var final = new List<double>();
        var rewards = new List<double>();
        var term = new List<bool>();
        var trunc = new List<bool>();
        var epRet = new List<double>();
        var epLen = new List<int>();
        var first = new double[numEnvs * venv.ObservationSpace.FlatSize];
        venv.Reset(seed, first);
        obs.AddRange(first);
        var rng = new Rng(seed + 1);
        var actions = new double[numEnvs * venv.ActionSpace.FlatSize];
        for (int t = 0; t < steps; t++)
        {
            for (int i = 0; i < numEnvs; i++)
            {
                venv.ActionSpace.Sample(rng, actions.AsSpan(i * venv.ActionSpace.FlatSize, venv.ActionSpace.FlatSize));
            }
            venv.Step(actions, buf);
            obs.AddRange(buf.Observations);
            rewards.AddRange(buf.Rewards);
            term.AddRange(buf.Terminated);
            trunc.AddRange(buf.Truncated);
            for (int i = 0; i < numEnvs; i++)
            {
                if (buf.Terminated[i] || buf.Truncated[i])
                {
                    final.AddRange(buf.FinalObservations.AsSpan(i * buf.ObsSize, buf.ObsSize).ToArray());
                    epRet.Add(buf.EpisodeReturns[i]);
                    epLen.Add(buf.EpisodeLengths[i]);
                }
            }
        }
        return ([.. obs], [.. final], [.. rewards], [.. term], [.. trunc], [.. epRet], [.. epLen]);
    }

    [Theory]
    [InlineData(CartPoleEnv.Id)]
    [InlineData(PendulumEnv.Id)]
    [InlineData(AcrobotEnv.Id)]
    public void SequentialAndParallel_GiveIdenticalResults(string id)
    {
        var seq = Run(id, new VectorEnvOptions { Mode = VectorMode.Sequential }, 5, 700, 42);
        var par = Run(id, new VectorEnvOptions { Mode = VectorMode.Parallel, Threads = 3 }, 5, 700, 42);
        var auto = Run(id, new VectorEnvOptions { Mode = VectorMode.Auto }, 5, 700, 42);
        foreach (var other in new[] { par, auto })
        {
            Assert.Equal(seq.Obs, other.Obs);
            Assert.Equal(seq.Final, other.Final);
            Assert.Equal(seq.Rewards, other.Rewards);
            Assert.Equal(seq.Term, other.Term);
            Assert.Equal(seq.Trunc, other.Trunc);
            Assert.Equal(seq.EpRet, other.EpRet);
            Assert.Equal(seq.EpLen, other.EpLen);
        }
        Assert.NotEmpty(seq.EpLen);
    }

    [Fact]
    public void CopySeeds_DependOnRunSeedAndIndexOnly()
    {
        using var a = new VectorEnv(_ => new LineWalkEnv(), 4);
        using var b = new VectorEnv(_ => new LineWalkEnv(), 2);
        a.Reset(77, new double[4]);
        b.Reset(77, new double[2]);
        for (int i = 0; i < 2; i++)
        {
            ulong expected = new Rng(77).Split((ulong)i).NextUInt64();
            Assert.Equal(expected, VectorEnv.CopySeed(77, i));
            Assert.Equal(expected, ((LineWalkEnv)a.GetEnv(i)).LastSeed);
            Assert.Equal(expected, ((LineWalkEnv)b.GetEnv(i)).LastSeed);
        }
        Assert.NotEqual(((LineWalkEnv)a.GetEnv(0)).LastSeed, ((LineWalkEnv)a.GetEnv(1)).LastSeed);
    }

    [Fact]
    public void Autoreset_KeepsFinalObservationFlagsAndRawEpisodeReturn()
    {
        // LineWalk from 0 always moving right: positions 1, 2, 3 → terminated at step 3 with return 1+2+3 = 6.
        using var venv = new VectorEnv(_ => new LineWalkEnv(episodeLength: 10), 1, new VectorEnvOptions { Mode = VectorMode.Sequential });
        var buf = new VectorStepBuffers(1, 1);
        var obs = new double[1];
        venv.Reset(3, obs); // LineWalk starts at (derived seed mod 3); a reset without seed starts at 0
        double start = obs[0];
        int steps = 0;
        do
        {
            venv.Step([1], buf);
            steps++;
        }
        while (!buf.Terminated[0] && steps < 10);
        Assert.True(buf.Terminated[0]);
        Assert.False(buf.Truncated[0]);
        Assert.Equal(3.0, buf.FinalObservations[0]);
        Assert.Equal(0.0, buf.Observations[0]); // reset without seed starts at 0
        double expectedReturn = 0;
        for (double p = start + 1; p <= 3; p++)
        {
            expectedReturn += p;
        }
        Assert.Equal(expectedReturn, buf.EpisodeReturns[0]);
        Assert.Equal(steps, buf.EpisodeLengths[0]);
        Assert.Equal(1, buf.EpisodesEnded);
        venv.Step([1], buf);
        Assert.Equal(0, buf.EpisodesEnded);
    }

    [Fact]
    public void Autoreset_TimeLimitTruncation_ReportsBothFlagsSeparately()
    {
        using var venv = VectorEnv.Make(PendulumEnv.Id, 2);
        var buf = new VectorStepBuffers(2, 3);
        venv.Reset(1, new double[6]);
        for (int t = 1; t <= 200; t++)
        {
            venv.Step([0.0, 0.0], buf);
            Assert.Equal(t == 200, buf.Truncated[0]);
            Assert.False(buf.Terminated[0]);
        }
        Assert.Equal(200, buf.EpisodeLengths[1]);
        Assert.Equal(2, buf.EpisodesEnded);
        Assert.NotEqual(buf.FinalObservations.AsSpan(0, 3).ToArray(), buf.Observations.AsSpan(0, 3).ToArray());
    }

    [Theory]
    [InlineData(VectorMode.Sequential, false)]
    [InlineData(VectorMode.Parallel, false)]
    [InlineData(VectorMode.Sequential, true)]
    [InlineData(VectorMode.Parallel, true)]
    public void NonFiniteObservationOrReward_IsCaught_NamingCopyEnvAndStep(VectorMode mode, bool reward)
    {
        using var venv = new VectorEnv(i => new LineWalkEnv(episodeLength: 50, poisonAtStep: i == 2 ? 4 : -1, poisonReward: reward), 3,
            new VectorEnvOptions { Mode = mode, Threads = 2, Name = "LineWalk-v0" });
        var buf = new VectorStepBuffers(3, 1);
        venv.Reset(0, new double[3]);
        double[] actions = [0, 0, 0];
        for (int t = 0; t < 3; t++)
        {
            venv.Step(actions, buf);
        }
        var ex = Assert.Throws<InvalidOperationException>(() => venv.Step(actions, buf));
        Assert.Contains("copy 2", ex.Message, StringComparison.Ordinal);
        Assert.Contains("LineWalk-v0", ex.Message, StringComparison.Ordinal);
        Assert.Contains("vector step 4", ex.Message, StringComparison.Ordinal);
        Assert.Contains(reward ? "reward" : "observation", ex.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => venv.Step(actions, buf)); // must reset after a failure
    }

    [Theory]
    [InlineData(VectorMode.Sequential, 1)]
    [InlineData(VectorMode.Parallel, 1)]
    [InlineData(VectorMode.Sequential, 13)]
    [InlineData(VectorMode.Parallel, 13)]
    [InlineData(VectorMode.Parallel, 40)]
    public void NonFiniteCheck_FindsEveryElementOfEveryRow(VectorMode mode, int size)
    {
        // Every (copy, element) position and both infinities as well as NaN, so that every lane and tail of the batched check is covered.
        double[] poisons = [double.NaN, double.PositiveInfinity, double.NegativeInfinity];
        for (int copy = 0; copy < 3; copy++)
        {
            for (int element = 0; element < size; element++)
            {
                double poison = poisons[(copy + element) % 3];
                using var venv = new VectorEnv(
                    i => new ScriptedEnv(size) { PoisonAtStep = i == copy ? 2 : -1, PoisonElement = element, PoisonValue = poison },
                    3, new VectorEnvOptions { Mode = mode, Threads = 2, Name = "Scripted-v0" });
                var buf = new VectorStepBuffers(3, size);
                venv.Reset(0, new double[3 * size]);
                venv.Step([0, 0, 0], buf);
                var ex = Assert.Throws<InvalidOperationException>(() => venv.Step([0, 0, 0], buf));
                Assert.Contains($"copy {copy} returned a non-finite observation element {element} = {poison}", ex.Message, StringComparison.Ordinal);
                Assert.Contains("vector step 2 (step 2 of its episode)", ex.Message, StringComparison.Ordinal);
            }
        }
    }

    [Theory]
    [InlineData(VectorMode.Sequential)]
    [InlineData(VectorMode.Parallel)]
    public void StepErrors_AreReportedInCopyOrder(VectorMode mode)
    {
        // Copies 0 and 1 share a chunk in parallel mode (4 copies, 2 threads); copy 3 sits in the other chunk.
        static Exception Fail(VectorMode mode, Func<int, ScriptedEnv> make)
        {
            using var venv = new VectorEnv(make, 4, new VectorEnvOptions { Mode = mode, Threads = 2, Name = "Scripted-v0" });
            var buf = new VectorStepBuffers(4, 3);
            venv.Reset(0, new double[12]);
            venv.Step([0, 0, 0, 0], buf);
            Exception ex = Record.Exception(() => venv.Step([0, 0, 0, 0], buf));
            Assert.NotNull(ex);
            Assert.Throws<InvalidOperationException>(() => venv.Step([0, 0, 0, 0], buf)); // a failed step requires Reset
            return ex;
        }

        // A rejected action in copy 0 comes before a NaN in copy 1.
        Exception e1 = Fail(mode, i => new ScriptedEnv(3) { ThrowAtStep = i == 0 ? 2 : -1, PoisonAtStep = i == 1 ? 2 : -1 });
        Assert.IsType<ArgumentException>(e1);
        Assert.Contains("rejected at step 2", e1.Message, StringComparison.Ordinal);

        // A NaN in copy 0 comes before a rejected action in copy 1 or copy 3.
        Exception e2 = Fail(mode, i => new ScriptedEnv(3) { PoisonAtStep = i == 0 ? 2 : -1, ThrowAtStep = i is 1 or 3 ? 2 : -1 });
        Assert.IsType<InvalidOperationException>(e2);
        Assert.Contains("copy 0 returned a non-finite observation element 0", e2.Message, StringComparison.Ordinal);

        // A NaN from copy 0's autoreset (its episode ends at step 2) comes before a rejected action in copy 1.
        Exception e3 = Fail(mode, i => new ScriptedEnv(3, episodeLength: 2) { PoisonSecondReset = i == 0, PoisonElement = 1, ThrowAtStep = i == 1 ? 2 : -1 });
        Assert.IsType<InvalidOperationException>(e3);
        Assert.Contains("copy 0 returned a non-finite observation from autoreset element 1", e3.Message, StringComparison.Ordinal);

        // Only a later copy fails: its error is reported, with the step of its own episode.
        Exception e4 = Fail(mode, i => new ScriptedEnv(3) { PoisonAtStep = i == 3 ? 2 : -1, PoisonElement = 2, PoisonValue = double.NegativeInfinity });
        Assert.Contains($"copy 3 returned a non-finite observation element 2 = {double.NegativeInfinity}", e4.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadInput_IsRejected()
    {
        Assert.Throws<ArgumentException>(() => new VectorEnv(_ => s_shared, 2));
        using var venv = VectorEnv.Make(CartPoleEnv.Id, 2);
        var buf = new VectorStepBuffers(2, 4);
        Assert.Throws<InvalidOperationException>(() => venv.Step([0, 0], buf));
        venv.Reset(0, new double[8]);
        Assert.Throws<ArgumentException>(() => venv.Step([0, 0, 0], buf));
        Assert.Throws<ArgumentException>(() => venv.Step([0, 0], new VectorStepBuffers(3, 4)));
        venv.Reset(0, new double[8]);
        var ex = Assert.ThrowsAny<ArgumentException>(() => venv.Step([0, 7], buf));
        Assert.Contains("CartPole-v1", ex.Message, StringComparison.Ordinal);
        var unknown = Assert.Throws<ArgumentException>(() => VectorEnv.Make("CartPole-v2", 2));
        Assert.Contains("CartPole-v1", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StepGuards_NameTheProblemAndTheExpectedSizes()
    {
        using var venv = VectorEnv.Make(CartPoleEnv.Id, 2);
        var buf = new VectorStepBuffers(2, 4);
        var notReady = Assert.Throws<InvalidOperationException>(() => venv.Step([0, 0], buf));
        Assert.Contains("CartPole-v1: Step was called before Reset", notReady.Message, StringComparison.Ordinal);
        venv.Reset(0, new double[8]);
        var length = Assert.Throws<ArgumentException>(() => venv.Step([0, 0, 0], buf));
        Assert.Equal("actions", length.ParamName);
        Assert.Contains("actions has length 3; expected NumEnvs × ActionSpace.FlatSize = 2 × 1 = 2", length.Message, StringComparison.Ordinal);
        var shape = Assert.Throws<ArgumentException>(() => venv.Step([0, 0], new VectorStepBuffers(3, 4)));
        Assert.Equal("result", shape.ParamName);
        Assert.Contains("result buffers are for 3 copies × 4 observation values; expected 2 × 4", shape.Message, StringComparison.Ordinal);
        venv.Step([0, 1], buf); // rejected arguments do not end the run: nothing was stepped
        Assert.Equal(1, venv.StepCount);
    }

    [Theory]
    [InlineData(VectorMode.Sequential)]
    [InlineData(VectorMode.Parallel)]
    public void FailedStep_KeepsWhatTheCopiesBeforeTheFailureDid(VectorMode mode)
    {
        // Every copy's episode is truncated at its 3rd step; copy 2 throws on its 3rd step. Copies 0 and 1 were stepped before
        // it (in parallel mode they form the other chunk), so their rewards, flags, episode records and autoresets stand.
        using var venv = new VectorEnv(i => new ScriptedEnv(2, episodeLength: 3) { ThrowAtStep = i == 2 ? 3 : -1 }, 4,
            new VectorEnvOptions { Mode = mode, Threads = 2, Name = "Scripted-v0" });
        var buf = new VectorStepBuffers(4, 2);
        venv.Reset(0, new double[8]);
        venv.Step([0, 0, 0, 0], buf);
        venv.Step([0, 0, 0, 0], buf);
        var ex = Assert.Throws<ArgumentException>(() => venv.Step([0, 0, 0, 0], buf));
        Assert.Contains("rejected at step 3", ex.Message, StringComparison.Ordinal);
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(1.0, buf.Rewards[i]);
            Assert.True(buf.Truncated[i]);
            Assert.False(buf.Terminated[i]);
            Assert.Equal(3.0, buf.EpisodeReturns[i]);
            Assert.Equal(3, buf.EpisodeLengths[i]);
            Assert.Equal([3.0, 4.0], buf.FinalObservations.AsSpan(i * 2, 2).ToArray());
            Assert.Equal([0.5, 0.5], buf.Observations.AsSpan(i * 2, 2).ToArray());
        }
        Assert.Throws<InvalidOperationException>(() => venv.Step([0, 0, 0, 0], buf)); // a failed step requires Reset
        venv.Reset(1, new double[8]);
        venv.Step([0, 0, 0, 0], buf);
        Assert.Equal(1, venv.StepCount);
        Assert.Equal([1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0], buf.Observations);
    }

    [Theory]
    [InlineData(VectorMode.Sequential)]
    [InlineData(VectorMode.Parallel)]
    public void AutoresetFailure_IsReportedOnce_AndEarlierEpisodeEndsAreRecordedOnce(VectorMode mode)
    {
        // All episodes end at step 2; copy 1's autoreset returns a NaN. Copy 0 (same chunk in parallel mode) ended its
        // episode first: it must be recorded once, with its return, not replayed after the failure.
        using var venv = new VectorEnv(i => new ScriptedEnv(2, episodeLength: 2) { PoisonSecondReset = i == 1, PoisonElement = 1 }, 3,
            new VectorEnvOptions { Mode = mode, Threads = 2, Name = "Scripted-v0" });
        var buf = new VectorStepBuffers(3, 2);
        venv.Reset(0, new double[6]);
        venv.Step([0, 0, 0], buf);
        var ex = Assert.Throws<InvalidOperationException>(() => venv.Step([0, 0, 0], buf));
        Assert.Contains("copy 1 returned a non-finite observation from autoreset element 1", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2.0, buf.EpisodeReturns[0]);
        Assert.Equal(2, buf.EpisodeLengths[0]);
        Assert.Equal([2.0, 3.0], buf.FinalObservations.AsSpan(0, 2).ToArray());
        Assert.Equal([0.5, 0.5], buf.Observations.AsSpan(0, 2).ToArray());
        Assert.Throws<InvalidOperationException>(() => venv.Step([0, 0, 0], buf));
    }

    private static readonly LineWalkEnv s_shared = new();

    [Fact]
    public void Auto_StaysSequentialForCheapEnvs()
    {
        using var venv = VectorEnv.Make(CartPoleEnv.Id, 8);
        var buf = new VectorStepBuffers(8, 4);
        venv.Reset(0, new double[32]);
        var actions = new double[8];
        for (int t = 0; t < 100; t++)
        {
            venv.Step(actions, buf);
        }
        Assert.False(venv.IsParallel);
        Assert.Equal(VectorMode.Auto, venv.Mode);
    }
}
