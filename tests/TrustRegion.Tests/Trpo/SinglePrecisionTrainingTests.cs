using System.Diagnostics;
using TrustRegion.Networks;
using TrustRegion.Tests.Learning;
using TrustRegion.Training;
using Xunit.Abstractions;

namespace TrustRegion.Tests.Trpo;

/// <summary>The <c>precision</c> configuration key: parsing, checkpoints, and learning with it.</summary>
public class SinglePrecisionConfigTests
{
    [Fact]
    public void PrecisionKey_DefaultsToDouble_ParsesSingle_AndRoundTripsThroughYaml()
    {
        Assert.Equal(NetworkPrecision.Double, ConfigResolver.Resolve("CartPole-v1").Precision);
        TrpoConfig c = ConfigResolver.Resolve("CartPole-v1", overrides: ["precision=single"]);
        Assert.Equal(NetworkPrecision.Single, c.Precision);
        string yaml = ConfigResolver.ToYaml(c);
        Assert.Contains("\nprecision: single\n", yaml, StringComparison.Ordinal);
        Assert.Equal(NetworkPrecision.Single, ConfigResolver.FromYaml(yaml).Precision);
        Assert.Equal(NetworkPrecision.Single, ConfigResolver.Resolve("CartPole-v1", "precision: SINGLE\n").Precision);
    }

    [Fact]
    public void PrecisionKey_RejectsOtherValues_NamingTheValidOnes()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigResolver.Resolve("CartPole-v1", overrides: ["precision=half"]));
        Assert.Contains("precision", e.Message, StringComparison.Ordinal);
        Assert.Contains("half", e.Message, StringComparison.Ordinal);
        Assert.Contains("double or single", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Trainer_BuildsSinglePrecisionNetworks_AndACheckpointResumesInSinglePrecision()
    {
        TrpoConfig config = ConfigResolver.Resolve("CartPole-v1", overrides: ["precision=single", "n_steps=64", "n_envs=2", "batch_size=64", "n_critic_updates=2", "eval_freq=0"]);
        string path = Path.Combine(Directory.CreateTempSubdirectory("trpo-f32-").FullName, "run.ckpt");
        try
        {
            using (var trainer = new Trainer(config))
            {
                Assert.Equal(NetworkPrecision.Single, trainer.Policy.Precision);
                Assert.Equal(NetworkPrecision.Single, trainer.Value.Precision);
                trainer.Train(256, new TrainerOutputs());
                trainer.Save(path);
            }
            using Trainer loaded = Trainer.Load(Checkpoint.Load(path));
            Assert.Equal(NetworkPrecision.Single, loaded.Policy.Precision);
            Assert.Equal(NetworkPrecision.Single, loaded.Value.Precision);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }
}

/// <summary>End-to-end learning in single precision, run with (and like) the other learning tests.</summary>
[Collection(nameof(LearningCollection))]
public sealed class SinglePrecisionLearningTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("trpo-learning-f32-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>
    /// The bar of <see cref="LearningTests.CartPolePreset_BestModelSolvesTheTaskWithinItsBudget"/> with <c>precision: single</c>:
    /// CartPole-v1's preset (100k steps), the best model kept by the trainer, loaded from its file, scores a deterministic mean
    /// of at least 475 on 20 episodes with unseen seeds.
    /// </summary>
    [Theory]
    [InlineData(0UL)]
    [InlineData(1UL)]
    public void CartPolePreset_InSinglePrecision_BestModelSolvesTheTask(ulong seed)
    {
        TrpoConfig config = ConfigResolver.Preset("CartPole-v1") with { Seed = seed, Precision = NetworkPrecision.Single };
        var clock = Stopwatch.StartNew();
        string best = Path.Combine(_dir, $"best{seed}.ckpt");
        using (var trainer = new Trainer(config))
        {
            trainer.Train(config.TotalTimesteps, new TrainerOutputs { BestModelPath = best });
        }
        using Trainer loaded = Trainer.Load(Checkpoint.Load(best));
        Assert.Equal(NetworkPrecision.Single, loaded.Policy.Precision);
        EvaluationResult eval = loaded.Evaluate(20, deterministic: true, seed: 1000 + seed);
        output.WriteLine($"seed {seed} (single precision): best model (step {loaded.TotalSteps}) {eval.ReturnMean:F1} ± {eval.ReturnStd:F1}; {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(eval.ReturnMean >= 475, $"seed {seed}: the best model's deterministic mean is {eval.ReturnMean} < 475.");
    }
}
