using TrustRegion.Numerics;
using TrustRegion.Training;

namespace TrustRegion.Tests.Training;

public sealed class ParallelEvaluationTests
{
    private static Trainer Trained(string id, VecEnvMode mode, params string[] overrides)
    {
        TrpoConfig config = ConfigResolver.Resolve(id, overrides: overrides) with { Seed = 5, VecEnv = mode };
        var trainer = new Trainer(config);
        trainer.Train(1024, new TrainerOutputs()); // early policies: episodes of many lengths
        return trainer;
    }

    /// <summary>
    /// A deterministic evaluation runs its episodes on one environment copy per pool thread, and its result is bit for bit
    /// that of running them one after the other on a single copy (vec_env: sequential), episodes of different lengths and
    /// observation normalisation included.
    /// </summary>
    [Theory]
    [InlineData("CartPole-v1", new string[0])]
    [InlineData("Pendulum-v1", new[] { "use_sde=false", "normalize=true", "n_steps=256" })]
    [InlineData("Acrobot-v1", new string[0])]
    public void DeterministicEvaluation_InParallel_EqualsSequential(string id, string[] overrides)
    {
        using Trainer sequential = Trained(id, VecEnvMode.Sequential, overrides);
        using Trainer parallel = Trained(id, VecEnvMode.Auto, overrides);
        Assert.Equal(sequential.ParameterHash(), parallel.ParameterHash());
        foreach ((int episodes, ulong seed) in new[] { (7, 3UL), (2, 9UL), (1, 4UL), (12, 3UL) })
        {
            EvaluationResult a = sequential.Evaluate(episodes, seed: seed);
            EvaluationResult b = parallel.Evaluate(episodes, seed: seed);
            Assert.Equal(a, b);
            Assert.Equal(episodes, b.Episodes);
        }
        Assert.Equal(1, sequential.EvaluationCopies);
        Assert.Equal(Math.Min(ComputePool.Shared.Threads, 12), parallel.EvaluationCopies);
        // The same evaluation again gives the same result (each copy is reset by the episode's own seed).
        Assert.Equal(sequential.Evaluate(12, seed: 3), parallel.Evaluate(12, seed: 3));
        if (id == "CartPole-v1")
        {
            Assert.True(sequential.Evaluate(12, seed: 3).LengthStd > 0); // the episodes end at different steps
        }
    }

    /// <summary>Different seeds give different episodes; a stochastic evaluation keeps one sampling stream on the calling thread.</summary>
    [Fact]
    public void StochasticEvaluation_StaysOnOneCopy_AndRepeats()
    {
        string[] pendulum = ["use_sde=false", "n_steps=256"];
        using Trainer trainer = Trained("Pendulum-v1", VecEnvMode.Auto, pendulum);
        Assert.NotEqual(trainer.Evaluate(6, seed: 1), trainer.Evaluate(6, seed: 2));
        using Trainer fresh = Trained("Pendulum-v1", VecEnvMode.Auto, pendulum);
        EvaluationResult a = fresh.Evaluate(6, deterministic: false, seed: 1);
        Assert.Equal(1, fresh.EvaluationCopies);
        Assert.Equal(a, fresh.Evaluate(6, deterministic: false, seed: 1));
        Assert.NotEqual(a, fresh.Evaluate(6, deterministic: true, seed: 1));
    }
}
