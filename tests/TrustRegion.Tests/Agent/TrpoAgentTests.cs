using TrustRegion.Envs;
using TrustRegion.Envs.Wrappers;
using TrustRegion.Numerics;
using TrustRegion.Training;
using TrustRegion.Trpo;

namespace TrustRegion.Tests.Agent;

public sealed class TrpoAgentTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("trpo-agent-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static TrpoConfig PendulumConfig(ulong seed = 4) =>
        ConfigResolver.Resolve("Pendulum-v1", overrides: ["use_sde=false", "normalize=true", "n_steps=256", "batch_size=64", "n_critic_updates=3"]) with { Seed = seed };

    private string PathOf(string name) => Path.Combine(_dir, name);

    [Fact]
    public void SaveLoad_RoundTrip_KeepsParametersStatisticsAndPredictions()
    {
        using var agent = new TrpoAgent("Pendulum-v1", PendulumConfig());
        agent.Learn(2048);
        string path = PathOf("pendulum.ckpt");
        agent.Save(path);
        using TrpoAgent loaded = TrpoAgent.Load(path);

        Assert.Equal(ConfigResolver.ToYaml(agent.Config), ConfigResolver.ToYaml(loaded.Config));
        Assert.Equal(agent.TotalSteps, loaded.TotalSteps);
        Assert.True(agent.Policy.Parameters.SequenceEqual(loaded.Policy.Parameters));
        Assert.True(agent.Value.Parameters.SequenceEqual(loaded.Value.Parameters));
        Assert.True(agent.Value.Optimizer.FirstMoment.SequenceEqual(loaded.Value.Optimizer.FirstMoment));
        NormalizationState a = agent.Trainer.Normalizer!.ExportState(), b = loaded.Trainer.Normalizer!.ExportState();
        Assert.Equal(a.ObservationMean, b.ObservationMean);
        Assert.Equal(a.ObservationVariance, b.ObservationVariance);
        Assert.Equal(a.ReturnVariance, b.ReturnVariance);

        var rng = new Rng(11);
        Span<double> obs = stackalloc double[3];
        Span<double> x = stackalloc double[1];
        Span<double> y = stackalloc double[1];
        for (int i = 0; i < 50; i++)
        {
            agent.ObservationSpace.Sample(rng, obs);
            agent.Predict(obs, x);
            loaded.Predict(obs, y);
            Assert.Equal(x[0], y[0]);
            Assert.InRange(x[0], -2.0, 2.0); // clipped to the Box
        }
        Assert.Equal(agent.Evaluate(2, seed: 3), loaded.Evaluate(2, seed: 3));
    }

    [Fact]
    public void Predict_AppliesTheFrozenNormalisation()
    {
        using var agent = new TrpoAgent("Pendulum-v1", PendulumConfig());
        agent.Learn(1024);
        VecNormalize norm = agent.Trainer.Normalizer!;
        Assert.NotEqual(0.0, norm.ObservationStatistics.Mean[0]);
        double[] raw = [0.3, -0.8, 1.5];
        double[] normalized = new double[3];
        norm.NormalizeObservations(raw, normalized);
        Span<double> expected = stackalloc double[1];
        agent.Policy.Predict(normalized, expected, deterministic: true);
        Span<double> action = stackalloc double[1];
        double count = norm.ObservationStatistics.Count;
        agent.Predict(raw, action);
        Assert.Equal(Math.Clamp(expected[0], -2, 2), action[0]);
        Assert.Equal(count, norm.ObservationStatistics.Count); // Predict does not update the statistics
    }

    [Fact]
    public void Learn_InTwoCalls_EqualsOneCall()
    {
        using var once = new TrpoAgent("Pendulum-v1", PendulumConfig());
        once.Learn(2048);
        using var twice = new TrpoAgent("Pendulum-v1", PendulumConfig());
        twice.Learn(1024);
        twice.Learn(1024);
        Assert.Equal(once.Trainer.ParameterHash(), twice.Trainer.ParameterHash());
    }

    [Fact]
    public void SaveThenLoadThenLearn_EqualsLearningWithoutInterruption()
    {
        using var reference = new TrpoAgent("Pendulum-v1", PendulumConfig());
        reference.Learn(2560);
        using var first = new TrpoAgent("Pendulum-v1", PendulumConfig());
        first.Learn(1024);
        string path = PathOf("half.ckpt");
        first.Save(path);
        using TrpoAgent resumed = TrpoAgent.Load(path);
        resumed.Learn(1536);
        Assert.Equal(reference.TotalSteps, resumed.TotalSteps);
        Assert.Equal(reference.Trainer.ParameterHash(), resumed.Trainer.ParameterHash());
    }

    [Fact]
    public void CustomEnvironment_TrainsSavesAndLoadsWithItsFactory()
    {
        TrpoConfig config = ConfigResolver.Defaults("MyCartPole") with { NumSteps = 256, BatchSize = 64, CriticUpdates = 2 };
        static IEnv Factory() => new TimeLimit(new TrustRegion.Envs.ClassicControl.CartPoleEnv(), 200);
        using var agent = new TrpoAgent(Factory, config);
        agent.Learn(512);
        string path = PathOf("custom.ckpt");
        agent.Save(path);
        using TrpoAgent loaded = TrpoAgent.Load(path, Factory);
        Assert.True(agent.Policy.Parameters.SequenceEqual(loaded.Policy.Parameters));

        var unknown = Assert.ThrowsAny<ArgumentException>(() => TrpoAgent.Load(path));
        Assert.Contains("MyCartPole", unknown.Message, StringComparison.Ordinal);
        var mismatch = Assert.Throws<CheckpointException>(() => TrpoAgent.Load(path, () => EnvRegistry.Default.Make("Acrobot-v1")));
        Assert.Equal(CheckpointProblem.Incompatible, mismatch.Problem);
        Assert.Contains("observation space", mismatch.Message, StringComparison.Ordinal);
    }

    private static TrpoConfig SdeConfig(ulong seed = 4) =>
        ConfigResolver.Resolve("Pendulum-v1", overrides: ["normalize=true", "n_steps=256", "batch_size=64", "n_critic_updates=3"]) with { Seed = seed };

    [Fact]
    public void Sde_SaveThenLoadThenLearn_EqualsLearningWithoutInterruption()
    {
        Assert.True(SdeConfig().UseSde);
        Assert.Equal(4, SdeConfig().SdeSampleFreq);
        using var reference = new TrpoAgent("Pendulum-v1", SdeConfig());
        reference.Learn(2560);
        Assert.True(reference.Policy.UsesSde);
        using var first = new TrpoAgent("Pendulum-v1", SdeConfig());
        first.Learn(1024);
        string path = PathOf("sde-half.ckpt");
        first.Save(path);
        using TrpoAgent resumed = TrpoAgent.Load(path);
        resumed.Learn(1536);
        Assert.Equal(reference.TotalSteps, resumed.TotalSteps);
        Assert.Equal(reference.Trainer.ParameterHash(), resumed.Trainer.ParameterHash());

        using var other = new TrpoAgent("Pendulum-v1", SdeConfig() with { SdeSampleFreq = -1 });
        other.Learn(2560);
        Assert.NotEqual(reference.Trainer.ParameterHash(), other.Trainer.ParameterHash()); // the sample frequency matters
    }

    [Fact]
    public void Sde_SaveLoad_KeepsTheNoiseSoStochasticPredictionsMatch()
    {
        using var agent = new TrpoAgent("Pendulum-v1", SdeConfig());
        agent.Learn(1024);
        Assert.Equal(agent.Trainer.Config.NumEnvs, agent.Policy.NoiseEnvCount);
        string path = PathOf("sde.ckpt");
        agent.Save(path);
        using TrpoAgent loaded = TrpoAgent.Load(path);
        Assert.True(agent.Policy.Noise.SequenceEqual(loaded.Policy.Noise));
        Span<double> x = stackalloc double[1];
        Span<double> y = stackalloc double[1];
        double[] obs = [0.3, -0.8, 1.5];
        agent.Predict(obs, x, deterministic: false);
        loaded.Predict(obs, y, deterministic: false);
        Assert.Equal(x[0], y[0]);
        agent.Predict(obs, y, deterministic: true);
        Assert.NotEqual(x[0], y[0]); // the sample is not the mode

        // A stochastic evaluation draws its own noise and leaves the training noise as it was.
        double[] before = agent.Policy.Noise.ToArray();
        EvaluationResult a = agent.Evaluate(2, deterministic: false, seed: 8);
        Assert.True(before.AsSpan().SequenceEqual(agent.Policy.Noise));
        Assert.Equal(a, loaded.Evaluate(2, deterministic: false, seed: 8));
    }

    [Fact]
    public void Sde_WithDiscreteActions_IsRejectedByName()
    {
        TrpoConfig config = ConfigResolver.Resolve("CartPole-v1", overrides: ["use_sde=true"]);
        var e = Assert.Throws<NotSupportedException>(() => new TrpoAgent("CartPole-v1", config));
        Assert.Contains("use_sde", e.Message, StringComparison.Ordinal);
        Assert.Contains("Discrete", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Predict_WrongLengths_AreRejected()
    {
        using var agent = new TrpoAgent("CartPole-v1");
        Assert.Throws<ArgumentException>(() => agent.Predict(new double[3], new double[1]));
        Assert.Throws<ArgumentException>(() => agent.Predict(new double[4], new double[2]));
    }
}
