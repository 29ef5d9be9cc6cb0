using TrustRegion.Numerics;

namespace TrustRegion.MuJoCo.Tests;

/// <summary>
/// <see cref="MuJoCoData.Reset"/> skips the contact and constraint-row block that <c>mj_resetData</c> zeroes: every byte outside
/// that block must equal <c>mj_resetData</c>'s, and the simulation after either reset must agree bit for bit.
/// </summary>
public sealed class MuJoCoResetTests
{
    public static TheoryData<string> Models => new(MuJoCoModels.Names);

    [Theory]
    [MemberData(nameof(Models))]
    public void Reset_SkipsTheConstraintBlock_WhoseSizeMatchesThe222Layout(string model)
    {
        using MuJoCoModel m = MuJoCoModels.Load(model);
        using MuJoCoData data = m.CreateData();
        (long measured, long expected) = data.ConstraintBlockSizes();
        Assert.Equal(expected, measured);
        Assert.True(data.SkipsConstraintBlockOnReset);
        Assert.True(measured > data.BufferBytes / 2, "the skipped block is most of the buffer");
    }

    [Fact]
    public void ConstraintBlockBytes_AddsEachArrayOnA64ByteBoundary()
    {
        // nv = 1, njmax = 1, nconmax = 1: 24 arrays, each rounded up to 64 bytes (the contact is 528 → 576).
        Assert.Equal(576 + (23 * 64), MuJoCoData.ConstraintBlockBytes(1, 1, 1));
        // njmax² doubles dominate: 500 × 500 × 8 bytes.
        Assert.True(MuJoCoData.ConstraintBlockBytes(6, 500, 100) > 2_000_000);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Reset_FromADirtyState_EqualsMjResetDataOutsideTheBlock_AndTheSimulationAfterwardsAgreesBitForBit(string model)
    {
        using MuJoCoModel m = MuJoCoModels.Load(model);
        using MuJoCoData fast = m.CreateData();
        using MuJoCoData library = m.CreateData();
        var controls = new Rng(11);
        var kicks = new Rng(12);
        // The same dirty state in both: random controls and velocity kicks, with contacts and active limits on the robots.
        for (int t = 0; t < 300; t++)
        {
            StepBoth(fast, library, controls, kicks, kick: t % 50 == 0);
        }
        Assert.Equal(Raw(fast), Raw(library));
        Assert.True(fast.Time > 0);

        fast.Reset();
        library.ResetWithLibrary();
        AssertEqualOutsideBlock(fast, library);
        Assert.Equal(0, fast.ContactCount);
        Assert.Equal(0.0, fast.Time);
        Assert.Equal(m.Qpos0.ToArray(), fast.Qpos.ToArray());
        Assert.All(fast.Qvel.ToArray(), v => Assert.Equal(0.0, v));

        // Same noisy start, then 200 steps: every byte outside the block agrees after each step.
        var noise = new Rng(13);
        for (int i = 0; i < fast.Qpos.Length; i++)
        {
            double q = noise.NextDouble() * 0.02;
            fast.Qpos[i] += q;
            library.Qpos[i] += q;
        }
        fast.Forward();
        library.Forward();
        AssertEqualOutsideBlock(fast, library);
        for (int t = 0; t < 200; t++)
        {
            StepBoth(fast, library, controls, kicks, kick: false);
            fast.RnePostConstraint();
            library.RnePostConstraint();
            AssertEqualOutsideBlock(fast, library);
        }
    }

    private static void StepBoth(MuJoCoData a, MuJoCoData b, Rng controls, Rng kicks, bool kick)
    {
        for (int i = 0; i < a.Ctrl.Length; i++)
        {
            double c = (2 * controls.NextDouble()) - 1;
            a.Ctrl[i] = c;
            b.Ctrl[i] = c;
        }
        if (kick)
        {
            for (int i = 0; i < a.Qvel.Length; i++)
            {
                double v = (kicks.NextDouble() - 0.5) * 4;
                a.Qvel[i] += v;
                b.Qvel[i] += v;
            }
        }
        a.Step();
        b.Step();
    }

    private static byte[] Raw(MuJoCoData data)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            data.WriteRaw(writer);
        }
        return stream.ToArray();
    }

    /// <summary>The header and the buffer before and after the block, byte for byte (the block itself holds stale rows in one of them).</summary>
    private static void AssertEqualOutsideBlock(MuJoCoData a, MuJoCoData b)
    {
        byte[] x = Raw(a), y = Raw(b);
        Assert.Equal(x.Length, y.Length);
        int start = MuJoCoData.RawHeaderBytes + (int)a.ConstraintBlockOffset;
        int end = start + (int)a.ConstraintBlockSizes().Measured;
        Assert.Equal(x.AsSpan(0, start).ToArray(), y.AsSpan(0, start).ToArray());
        Assert.Equal(x.AsSpan(end).ToArray(), y.AsSpan(end).ToArray());
    }
}
