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
    public void PrecisionKey_DefaultsToSingle_ParsesBoth_AndRoundTripsThroughYaml()
    {
        Assert.Equal(NetworkPrecision.Single, ConfigResolver.Resolve("CartPole-v1").Precision);
        Assert.Equal(NetworkPrecision.Single, new TrpoConfig().Precision);
        Assert.Equal(NetworkPrecision.Double, ConfigResolver.Resolve("CartPole-v1", overrides: ["precision=double"]).Precision);
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
    [Fact]
    public void CheckpointWithoutPrecisionKey_WrittenBeforeTheKeyExisted_ResumesInDouble()
    {
        TrpoConfig config = ConfigResolver.Resolve("CartPole-v1", overrides: ["precision=double", "n_steps=64", "n_envs=2", "batch_size=64", "n_critic_updates=2", "eval_freq=0"]);
        string dir = Directory.CreateTempSubdirectory("trpo-f32-old-").FullName;
        try
        {
            (_, string old) = TrainAndWriteAsBeforeKey(config, dir, "precision:");
            using Trainer loaded = Trainer.Load(Checkpoint.Load(old));
            Assert.Equal(NetworkPrecision.Double, loaded.Policy.Precision);
            Assert.Equal(NetworkPrecision.Double, loaded.Value.Precision);
            Assert.Equal(NetworkPrecision.Double, loaded.Config.Precision);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// Trains <paramref name="config"/> for one short rollout and saves it in <paramref name="dir"/>, then writes the checkpoint
    /// again as a version before the config key <paramref name="prefix"/> existed: every section as it is, the config without
    /// that line. Returns both paths.
    /// </summary>
    private static (string Current, string Old) TrainAndWriteAsBeforeKey(TrpoConfig config, string dir, string prefix)
    {
        string path = Path.Combine(dir, "run.ckpt");
        using (var trainer = new Trainer(config))
        {
            trainer.Train(128, new TrainerOutputs());
            trainer.Save(path);
        }
        Checkpoint current = Checkpoint.Load(path);
        var writer = new CheckpointWriter();
        foreach (CheckpointSection section in current.Sections)
        {
            _ = section.Type switch
            {
                CheckpointSectionType.Text when section.Name == "config" => writer.AddText(section.Name,
                    string.Join('\n', current.GetText(section.Name).Split('\n').Where(l => !l.StartsWith(prefix, StringComparison.Ordinal)))),
                CheckpointSectionType.Text => writer.AddText(section.Name, current.GetText(section.Name)),
                CheckpointSectionType.Float64Array => writer.AddDoubles(section.Name, current.GetDoubles(section.Name)),
                CheckpointSectionType.UInt64Array => writer.AddUInt64s(section.Name, current.GetUInt64s(section.Name)),
                CheckpointSectionType.Int64 => writer.AddInt64(section.Name, current.GetInt64(section.Name)),
                CheckpointSectionType.Float64 => writer.AddDouble(section.Name, current.GetDouble(section.Name)),
                _ => writer.AddBytes(section.Name, current.GetBytes(section.Name)),
            };
        }
        string old = Path.Combine(dir, "old.ckpt");
        writer.Save(old);
        Assert.DoesNotContain(prefix, Checkpoint.Load(old).GetText("config"), StringComparison.Ordinal);
        return (path, old);
    }

    [Fact]
    public void CheckpointWithoutKlPerActionDimKey_WrittenBeforeTheKeyExisted_ResumesWithTheWholeActionKl()
    {
        TrpoConfig config = ConfigResolver.Resolve("Pendulum-v1", overrides: ["use_sde=false", "n_steps=64", "n_envs=2", "batch_size=64", "n_critic_updates=2", "eval_freq=0"]);
        Assert.True(config.KlPerActionDim);
        string dir = Directory.CreateTempSubdirectory("trpo-kl-old-").FullName;
        try
        {
            (string path, string old) = TrainAndWriteAsBeforeKey(config, dir, "kl_per_action_dim:");
            using (Trainer current = Trainer.Load(Checkpoint.Load(path)))
            {
                Assert.True(current.Config.KlPerActionDim);
            }
            using Trainer loaded = Trainer.Load(Checkpoint.Load(old));
            Assert.False(loaded.Config.KlPerActionDim);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

/// <summary>
/// End-to-end learning in double precision, run with (and like) the other learning tests: those run the presets at the default
/// single precision, this keeps the double learner's learning covered.
/// </summary>
[Collection(nameof(LearningCollection))]
public sealed class DoublePrecisionLearningTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("trpo-learning-f64-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>
    /// The bar of <see cref="LearningTests.CartPolePreset_BestModelSolvesTheTaskWithinItsBudget"/> with <c>precision: double</c>:
    /// CartPole-v1's preset (100k steps), the best model kept by the trainer, loaded from its file, scores a deterministic mean
    /// of at least 475 on 20 episodes with unseen seeds.
    /// </summary>
    [Theory]
    [InlineData(0UL)]
    [InlineData(1UL)]
    public void CartPolePreset_InDoublePrecision_BestModelSolvesTheTask(ulong seed)
    {
        TrpoConfig config = ConfigResolver.Preset("CartPole-v1") with { Seed = seed, Precision = NetworkPrecision.Double };
        var clock = Stopwatch.StartNew();
        string best = Path.Combine(_dir, $"best{seed}.ckpt");
        using (var trainer = new Trainer(config))
        {
            trainer.Train(config.TotalTimesteps, new TrainerOutputs { BestModelPath = best });
        }
        using Trainer loaded = Trainer.Load(Checkpoint.Load(best));
        Assert.Equal(NetworkPrecision.Double, loaded.Policy.Precision);
        EvaluationResult eval = loaded.Evaluate(20, deterministic: true, seed: 1000 + seed);
        output.WriteLine($"seed {seed} (double precision): best model (step {loaded.TotalSteps}) {eval.ReturnMean:F1} ± {eval.ReturnStd:F1}; {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(eval.ReturnMean >= 475, $"seed {seed}: the best model's deterministic mean is {eval.ReturnMean} < 475.");
    }
}
