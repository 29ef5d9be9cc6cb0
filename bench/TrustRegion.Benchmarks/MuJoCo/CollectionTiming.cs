using System.Diagnostics;
using System.Globalization;
using TrustRegion.Envs;
using TrustRegion.Envs.Wrappers;
using TrustRegion.MuJoCo;
using TrustRegion.MuJoCo.Envs;
using TrustRegion.Networks;
using TrustRegion.Numerics;
using TrustRegion.Trpo;

namespace TrustRegion.Benchmarks.MuJoCo;

/// <summary>
/// Rollout collection alone, as a MuJoCo preset runs it (two copies, observation and reward normalisation, a 64 × 64 tanh
/// Gaussian policy and value), with the wall time split into the time at least one copy was inside MuJoCo's physics and the
/// rest: what collection adds to a run's time outside MuJoCo, per vector step.
/// </summary>
/// <remarks>Run: <c>dotnet run -c Release --project bench/TrustRegion.Benchmarks -- collection-timing HalfCheetah-v4 [rollouts] [repeats]</c>.</remarks>
internal static class CollectionTiming
{
    internal static void Run(string[] args)
    {
        string id = args.Length > 1 ? args[1] : "HalfCheetah-v4";
        int rollouts = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 60;
        int repeats = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 5;
        const int numEnvs = 2, numSteps = 1024;
        EnvRegistry registry = MuJoCoRegistration.Register(EnvRegistry.CreateWithBuiltIns());
        using var vector = new VectorEnv(_ => registry.Make(id), numEnvs, new VectorEnvOptions { Mode = VectorMode.Auto, Name = id });
        using var envs = new VecNormalize(vector, new NormalizationOptions { Gamma = 0.99 });
        int obs = vector.ObservationSpace.FlatSize;
        var root = new Rng(7);
        var policy = new Policy(vector.ActionSpace, obs, [64, 64], Activation.Tanh, 0.0, root.Split(1), precision: NetworkPrecision.Single);
        var value = new ValueFunction(obs, [64, 64], Activation.Tanh, root.Split(2), NetworkPrecision.Single);
        var buffer = new RolloutBuffer(numSteps, numEnvs, obs, policy.ActionSize);
        var collector = new RolloutCollector(envs, policy, value);
        var episodes = new EpisodeLog();
        Rng sampling = root.Split(3);
        collector.Reset(11);
        for (int w = 0; w < 10; w++)
        {
            collector.Collect(buffer, sampling, episodes); // warm-up: tiered JIT, Auto's calibration
        }
        Console.WriteLine($"{id}: {rollouts} rollouts of {numSteps} × {numEnvs} steps per repeat; parallel = {vector.IsParallel}");
        for (int r = 0; r < repeats; r++)
        {
            long physics0 = MuJoCoTiming.PhysicsWallTicks, t0 = Stopwatch.GetTimestamp();
            for (int k = 0; k < rollouts; k++)
            {
                collector.Collect(buffer, sampling, episodes);
            }
            long wall = Stopwatch.GetTimestamp() - t0, physics = MuJoCoTiming.PhysicsWallTicks - physics0;
            double steps = (double)rollouts * numSteps;
            double perStep = wall * 1e6 / Stopwatch.Frequency / steps, outside = (wall - physics) * 1e6 / Stopwatch.Frequency / steps;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"repeat {r}: {perStep:F2} µs per vector step, {outside:F2} µs of it outside MuJoCo (checksum {buffer.Actions[^1]:R})"));
        }
    }
}

/// <summary>
/// What <c>mj_rnePostConstraint</c> (which Gymnasium's MuJoCo environments call after the <c>frame_skip</c> physics steps of every
/// step, to fill <c>cacc</c>, <c>cfrc_int</c> and <c>cfrc_ext</c>) costs beside the physics steps themselves, per environment.
/// Random controls; a reset every 500 steps.
/// </summary>
/// <remarks>Run: <c>dotnet run -c Release --project bench/TrustRegion.Benchmarks -- rne-timing</c>.</remarks>
internal static class RneTiming
{
    internal static void Run()
    {
        const int steps = 20000, warmUp = 1000;
        foreach (MuJoCoEnvSpec spec in MuJoCoEnvironments.All)
        {
            string id = spec.Id;
            using MuJoCoEnv env = spec.Create();
            var observation = new double[env.ObservationSpace.FlatSize];
            var control = new double[env.ActionSpace.FlatSize];
            var rng = new Rng(3);
            env.Reset(1, observation);
            long stepTicks = 0, rneTicks = 0;
            for (int t = 0; t < steps; t++)
            {
                rng.FillGaussian(control);
                for (int j = 0; j < control.Length; j++)
                {
                    control[j] = Math.Clamp(0.3 * control[j], -0.9, 0.9);
                }
                control.CopyTo(env.Data.Ctrl);
                long a = Stopwatch.GetTimestamp();
                for (int k = 0; k < env.FrameSkip; k++)
                {
                    env.Data.Step();
                }
                long b = Stopwatch.GetTimestamp();
                env.Data.RnePostConstraint();
                long c = Stopwatch.GetTimestamp();
                if (t >= warmUp)
                {
                    stepTicks += b - a;
                    rneTicks += c - b;
                }
                if (t % 500 == 499)
                {
                    env.Reset(null, observation);
                }
            }
            double perStep = 1e6 / Stopwatch.Frequency / (steps - warmUp);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{id}: {env.FrameSkip} × mj_step {stepTicks * perStep:F2} µs, mj_rnePostConstraint {rneTicks * perStep:F2} µs ({100.0 * rneTicks / (stepTicks + rneTicks):F1}% of both)"));
        }
    }
}
