using TrustRegion.Envs;
using TrustRegion.MuJoCo.Envs;
using TrustRegion.Numerics;

namespace TrustRegion.MuJoCo.Tests;

[Collection(AllocationMeasurementCollection.Name)] // allocation checks run alone: beside other tests they saw sporadic charges of a few KB
public sealed class MuJoCoEnvTests
{
    public static TheoryData<string> EnvIds() => [.. MuJoCoEnvironments.All.Select(s => s.Id)];

    [Fact]
    public void Catalog_HasTheGymnasiumV4TimeLimitsAndThresholds()
    {
        Assert.Equal(
            ["InvertedPendulum-v4", "InvertedDoublePendulum-v4", "Reacher-v4", "Swimmer-v4", "Hopper-v4", "Walker2d-v4", "HalfCheetah-v4", "Ant-v4", "Humanoid-v4"],
            MuJoCoEnvironments.All.Select(s => s.Id));
        Assert.Equal(50, MuJoCoEnvironments.Get("Reacher-v4").MaxEpisodeSteps);
        Assert.Equal(-3.75, MuJoCoEnvironments.Get("Reacher-v4").RewardThreshold);
        Assert.Null(MuJoCoEnvironments.Get("Walker2d-v4").RewardThreshold);
        Assert.Equal(3800.0, MuJoCoEnvironments.Get("Hopper-v4").RewardThreshold);
        var ex = Assert.Throws<ArgumentException>(() => MuJoCoEnvironments.Get("Hopper-v3"));
        Assert.Contains("Hopper-v3", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("InvertedPendulum-v4", 4, 1, 3.0)]
    [InlineData("InvertedDoublePendulum-v4", 11, 1, 1.0)]
    [InlineData("Reacher-v4", 11, 2, 1.0)]
    [InlineData("Swimmer-v4", 8, 2, 1.0)]
    [InlineData("Hopper-v4", 11, 3, 1.0)]
    [InlineData("Walker2d-v4", 17, 6, 1.0)]
    [InlineData("HalfCheetah-v4", 17, 6, 1.0)]
    [InlineData("Ant-v4", 27, 8, 1.0)]
    [InlineData("Humanoid-v4", 376, 17, 0.4)]
    public void Spaces_MatchGymnasium(string id, int obsDim, int actDim, double bound)
    {
        using MuJoCoEnv env = MuJoCoEnvironments.Get(id).Create();
        var obs = Assert.IsType<Box>(env.ObservationSpace);
        var act = Assert.IsType<Box>(env.ActionSpace);
        Assert.Equal(obsDim, obs.FlatSize);
        Assert.Equal(ElementType.Float64, obs.ElementType);
        Assert.All(obs.Low.ToArray(), l => Assert.Equal(double.NegativeInfinity, l));
        Assert.Equal(actDim, act.FlatSize);
        Assert.Equal(ElementType.Float32, act.ElementType);
        Assert.All(act.Low.ToArray(), l => Assert.Equal((double)(float)-bound, l));
        Assert.All(act.High.ToArray(), h => Assert.Equal((double)(float)bound, h));
    }

    [Theory]
    [MemberData(nameof(EnvIds))]
    public void SameSeed_SameEpisode_DifferentSeed_DifferentStart(string id)
    {
        (double[] obs, double[] rewards) Run(ulong seed)
        {
            using MuJoCoEnv env = MuJoCoEnvironments.Get(id).Create();
            var rng = new Rng(seed ^ 0xABCDEF);
            var o = new double[env.ObservationSpace.FlatSize];
            var a = new double[env.ActionSpace.FlatSize];
            env.Reset(seed, o);
            var trace = new List<double>(o);
            var rewards = new List<double>();
            for (int t = 0; t < 30; t++)
            {
                env.ActionSpace.Sample(rng, a);
                StepResult r = env.Step(a, o);
                trace.AddRange(o);
                rewards.Add(r.Reward);
                Assert.False(r.Truncated);
                Assert.All(o, x => Assert.True(double.IsFinite(x)));
                if (r.Terminated)
                {
                    env.Reset(null, o);
                }
            }
            return ([.. trace], [.. rewards]);
        }
        var first = Run(7);
        var again = Run(7);
        var other = Run(8);
        Assert.Equal(first.obs, again.obs);
        Assert.Equal(first.rewards, again.rewards);
        Assert.NotEqual(first.obs[..4], other.obs[..4]);
    }

    [Fact]
    public void Reset_NoiseStaysWithinGymnasiumsBounds()
    {
        using var env = new HopperEnv();
        var o = new double[11];
        for (ulong seed = 0; seed < 50; seed++)
        {
            env.Reset(seed, o);
            ReadOnlySpan<double> q = env.Data.Qpos;
            ReadOnlySpan<double> v = env.Data.Qvel;
            Assert.InRange(q[1], 1.25 - 0.005, 1.25 + 0.005);
            for (int i = 0; i < 6; i++)
            {
                Assert.InRange(v[i], -0.005, 0.005);
            }
        }
        using var reacher = new ReacherEnv();
        var ro = new double[11];
        for (ulong seed = 0; seed < 50; seed++)
        {
            reacher.Reset(seed, ro);
            Assert.True(Math.Sqrt((ro[4] * ro[4]) + (ro[5] * ro[5])) < 0.2);
            Assert.Equal(0.0, reacher.Data.Qvel[2]);
            Assert.Equal(0.0, reacher.Data.Qvel[3]);
        }
    }

    [Fact]
    public void Ant_Reset_RenormalisesThePerturbedQuaternion()
    {
        using var env = new AntEnv();
        var o = new double[27];
        env.Reset(3, o);
        double norm = Math.Sqrt((o[1] * o[1]) + (o[2] * o[2]) + (o[3] * o[3]) + (o[4] * o[4]));
        Assert.Equal(1.0, norm, 12);
    }

    [Fact]
    public void Ant_WithContactForces_Has111Observations()
    {
        using var env = new AntEnv(new AntOptions { UseContactForces = true });
        var o = new double[111];
        env.Reset(1, o);
        var a = new double[8];
        for (int t = 0; t < 20; t++)
        {
            env.Step(a, o);
        }
        Assert.All(o[27..], x => Assert.InRange(x, -1.0, 1.0));
        Assert.Contains(o[27..], x => x != 0); // the legs touch the floor by now
    }

    [Fact]
    public void Reacher_RewardUsesTheDistanceBeforeThePhysics()
    {
        using var env = new ReacherEnv();
        var o = new double[11];
        env.Reset(11, o);
        double[] a = [0.5, -0.25];
        for (int t = 0; t < 5; t++)
        {
            double before = Math.Sqrt((o[8] * o[8]) + (o[9] * o[9]) + (o[10] * o[10]));
            StepResult r = env.Step(a, o);
            Assert.Equal(-before - ((0.5 * 0.5) + (0.25 * 0.25)), r.Reward, 14);
        }
    }

    [Fact]
    public void Step_RoundsTheActionToFloat32()
    {
        using var env = new HopperEnv();
        var o = new double[11];
        env.Reset(0, o);
        env.Step([0.1, -0.3, 0.7], o);
        Assert.Equal((double)0.1f, env.Data.Ctrl[0]);
        Assert.Equal((double)-0.3f, env.Data.Ctrl[1]);
        Assert.Equal((double)0.7f, env.Data.Ctrl[2]);
    }

    [Fact]
    public void Step_ActionOutsideTheBox_IsPassedUnclippedToMuJoCo()
    {
        using var env = new HalfCheetahEnv();
        var o = new double[17];
        env.Reset(0, o);
        double x0 = env.Data.Qpos[0];
        StepResult r = env.Step([2, 0, 0, 0, 0, 0], o);
        Assert.Equal(2.0, env.Data.Ctrl[0]);
        Assert.Equal(((env.Data.Qpos[0] - x0) / env.Dt) - (0.1 * 4), r.Reward, 14); // the control cost uses the unclipped action
    }

    [Fact]
    public void Step_WrongActionLength_Throws()
    {
        using var env = new HopperEnv();
        var o = new double[11];
        env.Reset(0, o);
        var ex = Assert.Throws<ArgumentException>(() => env.Step(new double[2], o));
        Assert.Contains("Hopper-v4: action has length 2; expected ActionSpace.Shape[0] = 3", ex.Message, StringComparison.Ordinal);
        Assert.Equal("action", ex.ParamName);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Step_NonFiniteAction_Throws(double bad)
    {
        using var env = new Walker2dEnv();
        var o = new double[17];
        env.Reset(0, o);
        env.Step(new double[6], o);
        var ex = Assert.Throws<ArgumentException>(() => env.Step([0, 0, 0, bad, 0, 0], o));
        Assert.Contains("Walker2d-v4: action[3] is", ex.Message, StringComparison.Ordinal);
        Assert.Contains("episode step 2", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, env.Data.WarningCount(MjWarning.BadCtrl)); // never reached MuJoCo
    }

    [Fact]
    public void Step_WrongObservationLength_Throws()
    {
        using var env = new SwimmerEnv();
        var o = new double[8];
        env.Reset(0, o);
        var ex = Assert.Throws<ArgumentException>(() => env.Step(new double[2], new double[7]));
        Assert.Contains("expected ObservationSpace.FlatSize = 8", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Step_BeforeReset_And_AfterTermination_Throw()
    {
        using var env = new InvertedPendulumEnv();
        var o = new double[4];
        var ex = Assert.Throws<InvalidOperationException>(() => env.Step([0], o));
        Assert.Contains("call Reset before Step", ex.Message, StringComparison.Ordinal);
        env.Reset(0, o);
        StepResult r;
        int steps = 0;
        do
        {
            r = env.Step([3], o); // push the cart hard until the pole falls past 0.2 rad
            steps++;
        }
        while (!r.Terminated && steps < 1000);
        Assert.True(r.Terminated);
        ex = Assert.Throws<InvalidOperationException>(() => env.Step([0], o));
        Assert.Contains($"terminated at step {steps}", ex.Message, StringComparison.Ordinal);
        env.Reset(null, o);
        env.Step([0], o);
    }

    [Fact]
    public void Divergence_EndsTheEpisode_ReportsMuJoCosWarning_AndIsCounted()
    {
        using var env = new HopperEnv();
        var o = new double[11];
        env.Reset(0, o);
        env.Step([0, 0, 0], o);
        env.Data.Qvel[3] = 1e12; // beyond MuJoCo's 1e10 guard: mj_step warns and resets the state
        StepResult r = env.Step([0, 0, 0], o);
        Assert.True(r.Terminated);
        Assert.False(r.Truncated);
        Assert.Equal(0.0, r.Reward);
        Assert.True(env.LastStepDiverged);
        Assert.Equal(1, env.DivergedEpisodes);
        Assert.All(o, x => Assert.True(double.IsFinite(x)));
        MuJoCoDivergence d = Assert.IsType<MuJoCoDivergence>(env.LastDivergence);
        Assert.Equal("Hopper-v4", d.EnvId);
        Assert.Equal(2, d.EpisodeStep);
        Assert.Equal(MjWarning.BadQvel, d.Warning);
        Assert.Contains("QVEL", d.WarningText, StringComparison.Ordinal); // MuJoCo's own text
        string line = d.ToString();
        Assert.Contains("Hopper-v4", line, StringComparison.Ordinal);
        Assert.Contains("episode step 2", line, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => env.Step([0, 0, 0], o));

        // A new episode runs normally; the next divergence is reported with MuJoCo's text again and counted.
        env.Reset(null, o);
        Assert.False(env.LastStepDiverged);
        Assert.False(env.Step([0, 0, 0], o).Terminated);
        env.Data.Qpos[2] = double.NaN;
        r = env.Step([0, 0, 0], o);
        Assert.True(r.Terminated);
        Assert.Equal(2, env.DivergedEpisodes);
        Assert.Contains("QPOS", env.LastDivergence!.WarningText, StringComparison.Ordinal);
    }

    [Fact]
    public void ParallelCopies_MatchSequential_AndOneDivergenceStaysInItsCopy()
    {
        const int copies = 4, steps = 60, badCopy = 2, badStep = 20;
        (double[] trace, long diverged, string? text)[] Run(bool parallel)
        {
            var results = new (double[], long, string?)[copies];
            void One(int c)
            {
                using var env = new Walker2dEnv();
                var o = new double[17];
                var a = new double[6];
                var rng = new Rng(100 + (ulong)c);
                var trace = new List<double>();
                env.Reset((ulong)c, o);
                for (int t = 0; t < steps; t++)
                {
                    env.ActionSpace.Sample(rng, a);
                    if (c == badCopy && t == badStep)
                    {
                        env.Data.Qvel[4] = double.PositiveInfinity;
                    }
                    StepResult r = env.Step(a, o);
                    trace.AddRange(o);
                    trace.Add(r.Reward);
                    if (r.Terminated)
                    {
                        env.Reset(null, o);
                    }
                }
                results[c] = ([.. trace], env.DivergedEpisodes, env.LastDivergence?.WarningText);
            }
            if (parallel)
            {
                Parallel.For(0, copies, new ParallelOptions { MaxDegreeOfParallelism = copies }, One);
            }
            else
            {
                for (int c = 0; c < copies; c++)
                {
                    One(c);
                }
            }
            return results;
        }
        var sequential = Run(false);
        var parallel = Run(true);
        for (int c = 0; c < copies; c++)
        {
            Assert.Equal(sequential[c].trace, parallel[c].trace);
            Assert.Equal(c == badCopy ? 1 : 0, parallel[c].diverged);
            Assert.All(parallel[c].trace, x => Assert.True(double.IsFinite(x)));
        }
        Assert.Contains("QVEL", parallel[badCopy].text, StringComparison.Ordinal);
    }

    [Fact]
    public void Step_AllocatesNothing()
    {
        using var env = new HopperEnv();
        var o = new double[11];
        var a = new double[3];
        var rng = new Rng(5);
        env.Reset(1, o);
        void Run(int n)
        {
            for (int t = 0; t < n; t++)
            {
                env.ActionSpace.Sample(rng, a);
                if (env.Step(a, o).Terminated)
                {
                    env.Reset(null, o);
                }
            }
        }
        Run(200);
        Assert.Equal(0, AllocationWindows.SmallestOnThisThread(() => Run(1000)));
    }

    [Fact]
    public void Constructor_WrongModel_ThrowsNamingTheSizes()
    {
        var ex = Assert.Throws<ArgumentException>(() => new HopperEnv(MuJoCoModels.Shared("walker2d.xml")));
        Assert.Contains("Hopper-v4 needs a model with nq = 6, nv = 6, nu = 3", ex.Message, StringComparison.Ordinal);
        Assert.Contains("nq = 9", ex.Message, StringComparison.Ordinal);
    }
}
