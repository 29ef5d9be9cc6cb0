using TrustRegion.Envs;
using TrustRegion.Envs.Wrappers;
using TrustRegion.MuJoCo.Envs;
using TrustRegion.Numerics;
using static TrustRegion.TestShared.SnapshotBytes;

namespace TrustRegion.MuJoCo.Tests;

/// <summary>
/// Exact resume of every MuJoCo environment: run the registry-style stack k steps, snapshot, continue m steps recording every
/// output bit; load the snapshot into a fresh stack, replay the same actions, and demand the identical record.
/// </summary>
public sealed class SnapshotTests
{
    private const int TimeLimit = 25;
    private const int ContinueSteps = 60; // crosses at least two 25-step truncations

    public static TheoryData<string> EnvIds() => [.. MuJoCoEnvironments.All.Select(s => s.Id)];

    private static readonly EnvRegistry s_registry = CreateRegistry();

    private static EnvRegistry CreateRegistry()
    {
        var registry = new EnvRegistry();
        foreach (MuJoCoEnvSpec spec in MuJoCoEnvironments.All)
        {
            registry.Register(new EnvSpec(spec.Id, spec.Create, TimeLimit, spec.RewardThreshold, "snapshot test"));
        }
        return registry;
    }

    // EpisodeStatistics(ClipAction(TimeLimit(OrderEnforcing(env)))).
    private static IEnv BuildStack(string id) => new EpisodeStatistics(new ClipAction(s_registry.Make(id)));

    private static void SampleAction(Box box, Rng rng, Span<double> action)
    {
        for (int i = 0; i < action.Length; i++)
        {
            double w = box.High[i] - box.Low[i];
            action[i] = rng.NextDouble(box.Low[i] - (0.25 * w), box.High[i] + (0.25 * w));
        }
    }

    /// <summary>Steps with resets after every episode end; records every output bit; returns the steps after which a reset happened.</summary>
    private static List<int> Drive(IEnv env, Rng rng, int steps, List<long> trace)
    {
        var obs = new double[env.ObservationSpace.FlatSize];
        var act = new double[env.ActionSpace.FlatSize];
        var box = (Box)env.ActionSpace;
        var stats = (EpisodeStatistics)env;
        var resets = new List<int>();
        IEnv inner = env;
        while (inner is IEnvWrapper w)
        {
            inner = w.Inner;
        }
        MuJoCoData data = ((MuJoCoEnv)inner).Data;
        for (int t = 0; t < steps; t++)
        {
            SampleAction(box, rng, act);
            StepResult r = env.Step(act, obs);
            AddBits(trace, obs);
            trace.Add(BitConverter.DoubleToInt64Bits(r.Reward));
            trace.Add((r.Terminated ? 1 : 0) | (r.Truncated ? 2 : 0));
            trace.Add(BitConverter.DoubleToInt64Bits(stats.CurrentReturn));
            trace.Add(BitConverter.DoubleToInt64Bits(stats.LastEpisodeReturn));
            trace.Add(stats.CompletedEpisodes);
            // mjData's scalar header too: simulation time, contact count, warnings.
            trace.Add(BitConverter.DoubleToInt64Bits(data.Time));
            trace.Add(data.ContactCount);
            trace.Add((long?)data.FirstSimulationWarning() ?? -1);
            if (r.Terminated || r.Truncated)
            {
                env.Reset(null, obs);
                AddBits(trace, obs);
                resets.Add(t + 1);
            }
        }
        return resets;
    }

    [Theory]
    [MemberData(nameof(EnvIds))]
    public void Stack_ResumesBitForBit_MidEpisodeAndAfterAutoreset(string id)
    {
        // A dry run finds the steps right after a reset; the other points are mid-episode.
        List<int> resets;
        using (IEnv probe = BuildStack(id))
        {
            probe.Reset(11, new double[probe.ObservationSpace.FlatSize]);
            resets = Drive(probe, new Rng(5), 60, []);
        }
        Assert.NotEmpty(resets);
        int[] points = [0, 7, 13, .. resets.Take(2)];
        foreach (int k in points.Distinct())
        {
            using IEnv a = BuildStack(id);
            a.Reset(11, new double[a.ObservationSpace.FlatSize]);
            var rng = new Rng(5);
            Drive(a, rng, k, []);
            byte[] snapshot = Save((ISnapshotable)a);
            RngState actionState = rng.GetState();
            var expected = new List<long>();
            Drive(a, rng, ContinueSteps, expected);

            using IEnv b = BuildStack(id);
            b.Reset(12345, new double[b.ObservationSpace.FlatSize]);
            Drive(b, new Rng(77), 9, []); // another history, which loading must erase
            Load((ISnapshotable)b, snapshot);
            var actual = new List<long>();
            Drive(b, Rng.FromState(actionState), ContinueSteps, actual);
            AssertSameTrace(expected, actual, $"{id}, snapshot after {k} steps{(resets.Contains(k) ? " (right after an autoreset)" : "")}");
        }
    }

    [Theory]
    [InlineData(VectorMode.Sequential, VectorMode.Parallel)]
    [InlineData(VectorMode.Parallel, VectorMode.Parallel)]
    public void VecNormalizeOverVectorEnv_Hopper_ResumesBitForBit(VectorMode saveMode, VectorMode loadMode)
    {
        static VecNormalize Build(VectorMode mode) =>
            new(new VectorEnv(_ => BuildStack("Hopper-v4"), 3, new VectorEnvOptions { Mode = mode, Threads = 2 }));

        static void Run(VecNormalize env, Rng rng, int steps, VectorStepBuffers buf, List<long> trace)
        {
            var actions = new double[3 * env.ActionSpace.FlatSize];
            int n = env.ActionSpace.FlatSize;
            for (int t = 0; t < steps; t++)
            {
                for (int i = 0; i < 3; i++)
                {
                    SampleAction((Box)env.ActionSpace, rng, actions.AsSpan(i * n, n));
                }
                env.Step(actions, buf);
                AddBits(trace, buf.Observations);
                AddBits(trace, buf.Rewards);
                for (int i = 0; i < 3; i++)
                {
                    trace.Add((buf.Terminated[i] ? 1 : 0) | (buf.Truncated[i] ? 2 : 0));
                    if (buf.Terminated[i] || buf.Truncated[i]) // the other rows are stale by contract
                    {
                        AddBits(trace, buf.FinalObservations.AsSpan(i * 11, 11));
                        trace.Add(BitConverter.DoubleToInt64Bits(buf.EpisodeReturns[i]));
                        trace.Add(buf.EpisodeLengths[i]);
                    }
                }
            }
        }

        foreach (int k in new[] { 4, 17 })
        {
            using VecNormalize a = Build(saveMode);
            var buf = new VectorStepBuffers(3, 11);
            a.Reset(99, new double[33]);
            var rng = new Rng(3);
            Run(a, rng, k, buf, []);
            byte[] snapshot = Save(a);
            RngState actionState = rng.GetState();
            var expected = new List<long>();
            Run(a, rng, 50, buf, expected);

            using VecNormalize b = Build(loadMode);
            b.Reset(1, new double[33]);
            var bufB = new VectorStepBuffers(3, 11);
            Load(b, snapshot);
            var actual = new List<long>();
            Run(b, Rng.FromState(actionState), 50, bufB, actual);
            AssertSameTrace(expected, actual, $"Hopper ×3 {saveMode}->{loadMode}, snapshot after {k} steps");
        }
    }

    [Fact]
    public void QposQvelAlone_IsNotEnough_TheSnapshotIs()
    {
        // Ant's reward reads the torso xpos left stale by the previous step (spec 1.3.5); restoring qpos/qvel and calling
        // mj_forward makes it fresh, so the next rewards change. The full snapshot does not.
        using var a = new AntEnv();
        var obs = new double[a.ObservationSpace.FlatSize];
        a.Reset(21, obs);
        var rng = new Rng(8);
        var act = new double[8];
        for (int t = 0; t < 10; t++)
        {
            SampleAction((Box)a.ActionSpace, rng, act);
            a.Step(act, obs);
        }
        byte[] snapshot = Save(a);
        using var partial = new AntEnv();
        partial.Reset(21, obs);
        partial.ResetTo(a.Data.Qpos, a.Data.Qvel, obs);
        using var full = new AntEnv();
        Load(full, snapshot);

        var expected = new List<long>();
        var fromPartial = new List<long>();
        var fromFull = new List<long>();
        var o = new double[obs.Length];
        for (int t = 0; t < 5; t++)
        {
            SampleAction((Box)a.ActionSpace, rng, act);
            expected.Add(BitConverter.DoubleToInt64Bits(a.Step(act, o).Reward));
            AddBits(expected, o);
            fromPartial.Add(BitConverter.DoubleToInt64Bits(partial.Step(act, o).Reward));
            AddBits(fromPartial, o);
            fromFull.Add(BitConverter.DoubleToInt64Bits(full.Step(act, o).Reward));
            AddBits(fromFull, o);
        }
        Assert.NotEqual(expected, fromPartial);
        AssertSameTrace(expected, fromFull, "Ant from a full snapshot");
        Assert.Equal(a.EpisodeStep, full.EpisodeStep);
    }

    private static InvalidDataException LoadFails(ISnapshotable target, byte[] snapshot) =>
        Assert.Throws<InvalidDataException>(() =>
        {
            using var reader = new BinaryReader(new MemoryStream(snapshot));
            target.LoadSnapshot(reader);
        });

    [Fact]
    public void Load_OtherEnvironmentOrModel_ThrowsNamingTheMismatch()
    {
        using var hopper = new HopperEnv();
        hopper.Reset(1, new double[11]);
        byte[] snapshot = Save(hopper);

        using var walker = new Walker2dEnv();
        InvalidDataException ex = LoadFails(walker, snapshot);
        Assert.Contains("Hopper-v4", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Walker2d-v4", ex.Message, StringComparison.Ordinal);

        string mjcf = MuJoCoModels.GetMjcf("hopper.xml");
        using MuJoCoModel renamed = MuJoCoModel.FromXml(mjcf, "hopper-variant.xml");
        using var renamedHopper = new HopperEnv(renamed);
        ex = LoadFails(renamedHopper, snapshot);
        Assert.Contains("the model name is 'hopper.xml' in the snapshot but 'hopper-variant.xml' here", ex.Message, StringComparison.Ordinal);

        // Same name and sizes, but room for fewer contacts: the data buffer has another size.
        using MuJoCoModel resized = MuJoCoModel.FromXml(mjcf.Replace("<option ", "<size nconmax=\"7\"/>\n  <option ", StringComparison.Ordinal), "hopper.xml");
        using var resizedHopper = new HopperEnv(resized);
        ex = LoadFails(resizedHopper, snapshot);
        Assert.Contains("nbuffer", ex.Message, StringComparison.Ordinal);

        using IEnv stack = BuildStack("Hopper-v4");
        ex = LoadFails((ISnapshotable)stack, snapshot);
        Assert.Contains("EpisodeStatistics", ex.Message, StringComparison.Ordinal);

        using var other = new HopperEnv();
        Assert.Contains("truncated", LoadFails(other, snapshot[..(snapshot.Length / 2)]).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Snapshot_LeavesOutTheContactAndConstraintBlock_AndAFormat1SnapshotStillResumesBitForBit()
    {
        using var a = new AntEnv();
        a.Reset(3, new double[a.ObservationSpace.FlatSize]);
        var rng = new Rng(8);
        var act = new double[a.ActionSpace.FlatSize];
        var obs = new double[a.ObservationSpace.FlatSize];
        for (int t = 0; t < 200 && (t < 15 || a.Data.ContactCount == 0); t++)
        {
            SampleAction((Box)a.ActionSpace, rng, act);
            if (a.Step(act, obs).Terminated)
            {
                a.Reset(null, obs);
            }
        }
        Assert.True(a.Data.ContactCount > 0, "the saved state has contacts");
        byte[] current = Save(a);
        byte[] format1;
        using (var stream = new MemoryStream())
        {
            using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            {
                a.SaveSnapshot(writer, version: 1);
            }
            format1 = stream.ToArray();
        }
        Assert.True(format1.Length > a.Data.BufferBytes, "format 1 holds the whole buffer");
        Assert.True(current.Length < format1.Length - a.Data.ConstraintBlockSizes().Measured + 64, $"format 2 leaves the block out ({current.Length} bytes)");
        Assert.True(current.Length < 200_000, $"an Ant snapshot is {current.Length} bytes");

        RngState actionState = rng.GetState();
        List<long> expected = Record(a, rng);
        foreach ((string name, byte[] snapshot) in new[] { ("format 2", current), ("format 1", format1) })
        {
            using var b = new AntEnv();
            b.Reset(99, new double[b.ObservationSpace.FlatSize]);
            var other = new Rng(21);
            for (int t = 0; t < 20; t++)
            {
                SampleAction((Box)b.ActionSpace, other, act);
                if (b.Step(act, obs).Terminated) // another history with contacts, which loading must erase
                {
                    b.Reset(null, obs);
                }
            }
            Load(b, snapshot);
            AssertSameTrace(expected, Record(b, Rng.FromState(actionState)), $"Ant-v4 resumed from a {name} snapshot");
        }

        // 40 steps (or up to the episode's end) with actions from rng: observation, reward, contact count and cfrc_ext bits.
        static List<long> Record(AntEnv env, Rng rng)
        {
            var trace = new List<long>();
            var act = new double[env.ActionSpace.FlatSize];
            var obs = new double[env.ObservationSpace.FlatSize];
            for (int t = 0; t < 40; t++)
            {
                SampleAction((Box)env.ActionSpace, rng, act);
                StepResult r = env.Step(act, obs);
                AddBits(trace, obs);
                trace.Add(BitConverter.DoubleToInt64Bits(r.Reward));
                trace.Add(env.Data.ContactCount);
                AddBits(trace, env.Data.CfrcExt);
                if (r.Terminated)
                {
                    break;
                }
            }
            return trace;
        }
    }
}
