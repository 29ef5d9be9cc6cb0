using System.Diagnostics;
using TrustRegion.Training;
using Xunit.Abstractions;

namespace TrustRegion.Tests.Learning;

/// <summary>
/// End-to-end learning with the RL Zoo presets and fixed seeds. These run in CI; each reports its measured figures.
/// </summary>
public sealed class LearningTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(0UL)]
    [InlineData(1UL)]
    [InlineData(2UL)]
    public void CartPolePreset_ReachesTheRewardThresholdWithinItsBudget(ulong seed)
    {
        TrpoConfig config = ConfigResolver.Preset("CartPole-v1") with { Seed = seed };
        var clock = Stopwatch.StartNew();
        using var trainer = new Trainer(config);
        trainer.Train(config.TotalTimesteps);
        EvaluationResult eval = trainer.Evaluate(10, deterministic: true, seed: 1000 + seed);
        output.WriteLine($"seed {seed}: {trainer.TotalSteps} steps, eval {eval.ReturnMean:F1} ± {eval.ReturnStd:F1}, {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(eval.ReturnMean >= 475, $"seed {seed}: deterministic evaluation mean {eval.ReturnMean} < 475 after {trainer.TotalSteps} steps.");
    }
}
