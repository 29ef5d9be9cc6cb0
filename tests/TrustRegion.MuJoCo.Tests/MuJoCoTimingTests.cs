using System.Globalization;
using TrustRegion.MuJoCo.Envs;
using TrustRegion.Numerics;

namespace TrustRegion.MuJoCo.Tests;

[CollectionDefinition(nameof(MuJoCoTimingTests), DisableParallelization = true)]
public sealed class MuJoCoTimingCollection;

// Alone: the process-wide clocks then only move with the environments of the test being run.
[Collection(nameof(MuJoCoTimingTests))]
public sealed class MuJoCoTimingTests
{
    [Fact]
    public void PhysicsTime_GrowsWithEveryResetAndStep_AndFeedsTheProcessTotal()
    {
        using var env = new HopperEnv();
        var o = new double[11];
        var a = new double[3];
        long stepsBefore = MuJoCoTiming.EnvSteps;
        long resetsBefore = MuJoCoTiming.Resets;
        long ticksBefore = MuJoCoTiming.PhysicsTicks;
        Assert.Equal(TimeSpan.Zero, env.PhysicsTime);

        env.Reset(3, o);
        TimeSpan afterReset = env.PhysicsTime;
        Assert.True(afterReset > TimeSpan.Zero, "the reset's mj_forward was not counted");

        var rng = new Rng(9);
        TimeSpan previous = afterReset;
        int steps = 0;
        for (int t = 0; t < 20; t++)
        {
            env.ActionSpace.Sample(rng, a);
            bool done = env.Step(a, o).Terminated;
            steps++;
            Assert.True(env.PhysicsTime > previous, $"step {t + 1} added no physics time");
            previous = env.PhysicsTime;
            if (done)
            {
                break;
            }
        }

        // Other tests may step environments concurrently: the process-wide counters grow by at least this env's share.
        Assert.True(MuJoCoTiming.EnvSteps - stepsBefore >= steps);
        Assert.True(MuJoCoTiming.Resets - resetsBefore >= 1);
        Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(ticksBefore, MuJoCoTiming.PhysicsTicks) >= env.PhysicsTime - TimeSpan.FromTicks(1));
    }

    [Fact]
    public void PhysicsTime_IsSmallerThanTheWallTimeOfTheSteps()
    {
        using var env = new HalfCheetahEnv();
        var o = new double[17];
        var a = new double[6];
        env.Reset(0, o);
        TimeSpan before = env.PhysicsTime;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (int t = 0; t < 200; t++)
        {
            env.Step(a, o);
        }
        watch.Stop();
        TimeSpan spent = env.PhysicsTime - before;
        Assert.InRange(spent, TimeSpan.FromTicks(1), watch.Elapsed);
    }

    [Fact]
    public void PhysicsWallTime_OnOneThread_EqualsThePhysicsTime()
    {
        using var env = new Walker2dEnv();
        var o = new double[17];
        var a = new double[6];
        long wallBefore = MuJoCoTiming.PhysicsWallTicks;
        long sumBefore = MuJoCoTiming.PhysicsTicks;
        long watchStart = System.Diagnostics.Stopwatch.GetTimestamp();
        env.Reset(0, o);
        for (int t = 0; t < 100; t++)
        {
            if (env.Step(a, o).Terminated)
            {
                env.Reset(null, o);
            }
        }
        TimeSpan elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(watchStart);
        long wall = MuJoCoTiming.PhysicsWallTicks - wallBefore;
        long sum = MuJoCoTiming.PhysicsTicks - sumBefore;
        Assert.Equal(sum, wall);
        Assert.InRange(System.Diagnostics.Stopwatch.GetElapsedTime(0, wall), env.PhysicsTime - TimeSpan.FromTicks(1), elapsed);
    }

    [Fact]
    public void PhysicsWallTime_OfTwoThreads_CoversEachAndStaysWithinTheSumAndTheElapsedTime()
    {
        using var a = new HopperEnv();
        using var b = new HopperEnv();
        long wallBefore = MuJoCoTiming.PhysicsWallTicks;
        long sumBefore = MuJoCoTiming.PhysicsTicks;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        static void Run(MuJoCoEnv env)
        {
            var o = new double[11];
            var act = new double[3];
            env.Reset(2, o);
            for (int t = 0; t < 300; t++)
            {
                if (env.Step(act, o).Terminated)
                {
                    env.Reset(null, o);
                }
            }
        }
        Parallel.Invoke(() => Run(a), () => Run(b));
        watch.Stop();
        TimeSpan union = System.Diagnostics.Stopwatch.GetElapsedTime(wallBefore, MuJoCoTiming.PhysicsWallTicks);
        TimeSpan sum = System.Diagnostics.Stopwatch.GetElapsedTime(sumBefore, MuJoCoTiming.PhysicsTicks);
        Assert.True(union >= a.PhysicsTime - TimeSpan.FromTicks(1) && union >= b.PhysicsTime - TimeSpan.FromTicks(1));
        Assert.True(sum >= a.PhysicsTime + b.PhysicsTime - TimeSpan.FromTicks(2));
        Assert.True(union <= sum, $"union {union} > sum {sum}");
        Assert.True(union <= watch.Elapsed, $"union {union} > elapsed {watch.Elapsed}");
    }

    [Fact]
    public void ResetTo_CountsItsForward()
    {
        using var env = new SwimmerEnv();
        var o = new double[8];
        env.ResetTo(new double[5], new double[5], o);
        Assert.True(env.PhysicsTime > TimeSpan.Zero);
    }

    [Fact]
    public void ExitReport_CarriesTheCounters()
    {
        using var env = new InvertedPendulumEnv();
        var o = new double[4];
        env.Reset(1, o);
        env.Step([0.0], o);
        string line = MuJoCoTiming.FormatReport();
        string[] fields = line.Split(' ');
        Assert.Equal(["mujoco_physics_seconds", "mujoco_wall_seconds", "env_steps", "resets", "process_seconds"], fields.Select(f => f.Split('=')[0]));
        double seconds = double.Parse(fields[0].Split('=')[1], CultureInfo.InvariantCulture);
        long steps = long.Parse(fields[2].Split('=')[1], CultureInfo.InvariantCulture);
        Assert.True(seconds > 0);
        Assert.True(steps >= 1);
    }
}
