using System.Diagnostics;
using TrustRegion.Training;
using Xunit.Abstractions;

namespace TrustRegion.Tests.Learning;

/// <summary>Runs the learning tests alone, after the other tests, so that their CPU load does not disturb timing-sensitive tests.</summary>
[CollectionDefinition(nameof(LearningCollection), DisableParallelization = true)]
public sealed class LearningCollection;

/// <summary>
/// End-to-end learning with the RL Zoo presets and fixed seeds. These run in CI; each writes its measured figures to the test output.
/// </summary>
[Collection(nameof(LearningCollection))]
public sealed class LearningTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("trpo-learning-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>
    /// CartPole-v1 with its preset (100k steps, evaluation every 25k steps as <c>trpo train</c> does): the best model the
    /// trainer keeps, loaded from its file, scores a deterministic mean of at least 475 on 20 episodes whose seeds the
    /// training evaluations never used.
    /// </summary>
    [Theory]
    [InlineData(0UL)]
    [InlineData(1UL)]
    [InlineData(2UL)]
    public void CartPolePreset_BestModelSolvesTheTaskWithinItsBudget(ulong seed)
    {
        TrpoConfig config = ConfigResolver.Preset("CartPole-v1") with { Seed = seed };
        var clock = Stopwatch.StartNew();
        string best = Path.Combine(_dir, "best.ckpt");
        EvaluationResult final;
        using (var trainer = new Trainer(config))
        {
            trainer.Train(config.TotalTimesteps, new TrainerOutputs { BestModelPath = best });
            Assert.Equal(100_352, trainer.TotalSteps);
            final = trainer.Evaluate(20, deterministic: true, seed: 1000 + seed);
        }
        using Trainer loaded = Trainer.Load(Checkpoint.Load(best));
        EvaluationResult eval = loaded.Evaluate(20, deterministic: true, seed: 1000 + seed);
        output.WriteLine($"seed {seed}: best model (step {loaded.TotalSteps}) {eval.ReturnMean:F1} ± {eval.ReturnStd:F1}; final model {final.ReturnMean:F1} ± {final.ReturnStd:F1}; {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(eval.ReturnMean >= 475, $"seed {seed}: the best model's deterministic mean is {eval.ReturnMean} < 475.");
    }

    /// <summary>
    /// Pendulum-v1 with its preset, but <c>use_sde: false</c> (gSDE is not in this build's policy yet). Measured (seeds 0 and 1):
    /// the initial deterministic mean over 10 episodes is about −1,290 and the final one −140 to −230, with evaluations at every
    /// 10k steps improving steadily after 40k. The test asks for an initial mean below −1,000 and a final one of at least −500:
    /// more than half the initial cost removed, with a margin of about 2.5× the measured spread.
    /// </summary>
    [Fact]
    public void PendulumPreset_WithoutSde_ImprovesClearly()
    {
        TrpoConfig config = ConfigResolver.Resolve("Pendulum-v1", overrides: ["use_sde=false"]);
        (double initial, double final) = TrainAndEvaluate(config);
        Assert.True(initial < -1000, $"initial mean {initial}");
        Assert.True(final >= -500, $"Pendulum-v1: final deterministic mean {final} < -500 (initial {initial}).");
    }

    /// <summary>
    /// Acrobot-v1 with its preset (normalised observations and rewards). Measured (seeds 0 and 1): the initial deterministic
    /// mean is −500 or −324 (the untrained policy rarely swings up), the final −75 to −90 from 40k steps on. The test asks for
    /// an initial mean of at most −300 and a final one of at least −150 (Gymnasium's "solved" threshold is −100).
    /// </summary>
    [Fact]
    public void AcrobotPreset_ImprovesClearly()
    {
        TrpoConfig config = ConfigResolver.Preset("Acrobot-v1");
        (double initial, double final) = TrainAndEvaluate(config);
        Assert.True(initial <= -300, $"initial mean {initial}");
        Assert.True(final >= -150, $"Acrobot-v1: final deterministic mean {final} < -150 (initial {initial}).");
    }

    private (double Initial, double Final) TrainAndEvaluate(TrpoConfig config)
    {
        var clock = Stopwatch.StartNew();
        using var trainer = new Trainer(config);
        double initial = trainer.Evaluate(10, deterministic: true, seed: 99).ReturnMean;
        trainer.Train(config.TotalTimesteps);
        double final = trainer.Evaluate(10, deterministic: true, seed: 99).ReturnMean;
        output.WriteLine($"{config.EnvId} seed {config.Seed}: {initial:F1} -> {final:F1} in {trainer.TotalSteps} steps, {clock.Elapsed.TotalSeconds:F1} s");
        return (initial, final);
    }
}
