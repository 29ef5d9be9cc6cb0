using TrustRegion.Envs;
using TrustRegion.Envs.ClassicControl;
using TrustRegion.Envs.Wrappers;

namespace TrustRegion.Tests.Envs;

public class ClassicControlTests
{
    public static TheoryData<string> Ids() => [CartPoleEnv.Id, AcrobotEnv.Id, MountainCarEnv.Id, MountainCarContinuousEnv.Id, PendulumEnv.Id];

    [Theory]
    [MemberData(nameof(Ids))]
    public void EnvChecker_PassesOnEveryBuiltInEnv_MadeAndRaw(string id)
    {
        using IEnv made = EnvRegistry.Default.Make(id);
        EnvCheckReport report = EnvChecker.Check(made, seed: 3, steps: 1200, name: id);
        Assert.True(report.Passed, report.ToString());
        Assert.True(report.EpisodesEnded > 0 || id == MountainCarContinuousEnv.Id, report.ToString());

        using IEnv raw = EnvRegistry.Default.GetSpec(id).Factory();
        EnvCheckReport rawReport = EnvChecker.Check(raw, seed: 5, steps: 200, name: id);
        Assert.True(rawReport.Passed, rawReport.ToString());
    }

    [Fact]
    public void EnvChecker_FlagsNonDeterministicAndOutOfSpaceEnv()
    {
        using var env = new SloppyEnv();
        EnvCheckReport report = EnvChecker.Check(env, steps: 20);
        Assert.False(report.Passed);
        Assert.Contains(report.Problems, p => p.Contains("not in the observation space", StringComparison.Ordinal));
        Assert.Contains(report.Problems, p => p.Contains("Not deterministic", StringComparison.Ordinal) || p.Contains("twice gave different", StringComparison.Ordinal));
        Assert.Contains(report.Problems, p => p.Contains("NaN action", StringComparison.Ordinal));
        Assert.Throws<InvalidOperationException>(report.ThrowIfFailed);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Reset_SameSeed_SameObservation_DifferentSeed_DifferentObservation(string id)
    {
        using IEnv env = EnvRegistry.Default.Make(id);
        var a = new double[env.ObservationSpace.FlatSize];
        var b = new double[a.Length];
        var c = new double[a.Length];
        env.Reset(11, a);
        env.Reset(11, b);
        env.Reset(12, c);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.True(env.ObservationSpace.Contains(a));
    }

    [Fact]
    public void ResetDistributions_StayInsideGymnasiumRanges()
    {
        var obs4 = new double[4];
        var state = new double[4];
        using var cart = new CartPoleEnv(1);
        using var acro = new AcrobotEnv(1);
        using var car = new MountainCarEnv(1);
        using var pend = new PendulumEnv(1);
        var obs6 = new double[6];
        var obs2 = new double[2];
        var obs3 = new double[3];
        var s2 = new double[2];
        for (int i = 0; i < 2000; i++)
        {
            cart.Reset(null, obs4);
            cart.GetState(state);
            Assert.All(state, v => Assert.InRange(v, -0.05, 0.05));
            acro.Reset(null, obs6);
            acro.GetState(state);
            Assert.All(state, v => Assert.True(v >= -0.1 - 1e-7 && v <= 0.1 + 1e-7 && (double)(float)v == v));
            car.Reset(null, obs2);
            car.GetState(s2);
            Assert.InRange(s2[0], -0.6, -0.4);
            Assert.Equal(0.0, s2[1]);
            pend.Reset(null, obs3);
            pend.GetState(s2);
            Assert.InRange(s2[0], -Math.PI, Math.PI);
            Assert.InRange(s2[1], -1.0, 1.0);
        }
        cart.SetResetBounds(-0.2, 0.2);
        cart.Reset(4, obs4);
        Assert.Throws<ArgumentException>(() => cart.SetResetBounds(0.3, 0.2));
    }

    [Fact]
    public void Constants_HaveGymnasiumsDoubleValues()
    {
        Assert.Equal(0x3FCACEE9F37BEBD5L, BitConverter.DoubleToInt64Bits(CartPoleEnv.ThetaThresholdRadians));
        Assert.Equal(0.20943951023931953, CartPoleEnv.ThetaThresholdRadians);
    }

    [Fact]
    public void Step_BeforeReset_Throws_InRawAndMadeEnvs()
    {
        var obs = new double[4];
        using var raw = new CartPoleEnv();
        var ex = Assert.Throws<InvalidOperationException>(() => raw.Step([0], obs));
        Assert.Contains("Reset", ex.Message, StringComparison.Ordinal);
        using IEnv made = EnvRegistry.Default.Make(CartPoleEnv.Id);
        ex = Assert.Throws<InvalidOperationException>(() => made.Step([0], obs));
        Assert.Contains("CartPole-v1", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2.0)]
    [InlineData(-1.0)]
    [InlineData(0.5)]
    [InlineData(double.NaN)]
    public void DiscreteAction_OutOfRange_ThrowsNamingEnvActionAndSpace(double action)
    {
        using var env = new CartPoleEnv();
        var obs = new double[4];
        env.Reset(0, obs);
        var ex = Assert.ThrowsAny<ArgumentException>(() => env.Step([action], obs));
        Assert.Contains("CartPole-v1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Discrete(2)", ex.Message, StringComparison.Ordinal);
        Assert.Contains(EnvGuardFormat(action), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Action_WrongLength_ThrowsExpectedVsFound()
    {
        using IEnv env = EnvRegistry.Default.Make(PendulumEnv.Id);
        var obs = new double[3];
        env.Reset(0, obs);
        var ex = Assert.ThrowsAny<ArgumentException>(() => env.Step([0.5, 0.5], obs));
        Assert.Contains("length 2", ex.Message, StringComparison.Ordinal);
        Assert.Contains("= 1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Pendulum-v1", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(1e300)]
    public void ContinuousAction_NotFinite_Throws(double action)
    {
        using var env = new MountainCarContinuousEnv();
        var obs = new double[2];
        env.Reset(0, obs);
        var ex = Assert.Throws<ArgumentException>(() => env.Step([action], obs));
        Assert.Contains("MountainCarContinuous-v0", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Box(", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ContinuousAction_OutOfBounds_IsClippedInsideButPenalisedUnclipped()
    {
        // Same motion for 1.0 and 3.0 (the force is clipped), but the penalty is 0.1·a² of the unclipped action (spec §6).
        using var a = new MountainCarContinuousEnv();
        using var b = new MountainCarContinuousEnv();
        var oa = new double[2];
        var ob = new double[2];
        a.Reset(9, oa);
        b.Reset(9, ob);
        StepResult ra = a.Step([1.0], oa);
        StepResult rb = b.Step([3.0], ob);
        Assert.Equal(oa, ob);
        Assert.Equal(-0.1, ra.Reward);
        Assert.Equal(-(9.0 * 0.1), rb.Reward);
    }

    [Fact]
    public void StepAfterTermination_IsAllowed_CartPoleRewardBecomesZero()
    {
        using IEnv env = EnvRegistry.Default.Make(CartPoleEnv.Id);
        var obs = new double[4];
        env.Reset(0, obs);
        StepResult r;
        int guard = 0;
        do
        {
            r = env.Step([1], obs);
        }
        while (!r.Terminated && ++guard < 500);
        Assert.True(r.Terminated);
        Assert.Equal(1.0, r.Reward);
        r = env.Step([1], obs);
        Assert.True(r.Terminated);
        Assert.Equal(0.0, r.Reward);
    }

    [Fact]
    public void SetState_RejectsWrongLengthAndNaN()
    {
        using var env = new AcrobotEnv();
        Assert.Throws<ArgumentException>(() => env.SetState([0.0, 0.0]));
        Assert.Throws<ArgumentException>(() => env.SetState([0.0, double.NaN, 0.0, 0.0]));
        env.SetState([0.1, 0.2, 0.3, 0.4]);
        var s = new double[4];
        env.GetState(s);
        Assert.Equal([0.1, 0.2, 0.3, 0.4], s);
    }

    [Fact]
    public void ObservationBuffer_WrongLength_Throws()
    {
        using var env = new MountainCarEnv();
        var ex = Assert.Throws<ArgumentException>(() => env.Reset(0, new double[3]));
        Assert.Contains("expected ObservationSpace.FlatSize = 2", ex.Message, StringComparison.Ordinal);
    }

    private static string EnvGuardFormat(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Violates the contract on purpose: observations outside the space, a different start each reset, NaN actions accepted.</summary>
    private sealed class SloppyEnv : IEnv
    {
        private int _resets;

        public Space ObservationSpace { get; } = Box.Uniform(-1, 1, 2);
        public Space ActionSpace { get; } = Box.Uniform(-1, 1, 1);

        public void Reset(ulong? seed, Span<double> observation)
        {
            _resets++;
            observation[0] = 0.001 * _resets;
            observation[1] = 0;
        }

        public StepResult Step(ReadOnlySpan<double> action, Span<double> observation)
        {
            observation[0] = 5; // outside [-1, 1]
            observation[1] = 0;
            return new StepResult(0, false, false);
        }

        public void Dispose()
        {
        }
    }
}
