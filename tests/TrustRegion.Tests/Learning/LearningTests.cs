using System.Diagnostics;
using TrustRegion.Training;
using Xunit.Abstractions;

namespace TrustRegion.Tests.Learning;

/// <summary>
/// End-to-end learning with the RL Zoo presets and fixed seeds. These run in CI; each writes its measured figures to the test output.
/// </summary>
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
}
