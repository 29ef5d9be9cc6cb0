using TrustRegion.Envs;
using TrustRegion.MuJoCo.Envs;
using TrustRegion.Training;

namespace TrustRegion.MuJoCo.Tests;

public sealed class MuJoCoEvaluationTests
{
    private static readonly EnvRegistry s_registry = MuJoCoRegistration.Register(new EnvRegistry());

    /// <summary>
    /// Deterministic evaluation episodes run in parallel on copies of their own, each reset by its episode's seed: the result
    /// equals a single copy running them in order, bit for bit. Hopper-v4 and Ant-v4 end episodes at different steps and
    /// touch the ground, so a copy that kept anything (warm start, contacts) from its previous episode would show.
    /// </summary>
    [Theory]
    [InlineData("Hopper-v4")]
    [InlineData("Ant-v4")]
    [InlineData("Reacher-v4")]
    public void DeterministicEvaluation_InParallel_EqualsSequential(string id)
    {
        EvaluationResult Run(VecEnvMode mode)
        {
            TrpoConfig config = ConfigResolver.Resolve(id, overrides: ["n_steps=256", "n_critic_updates=2"]) with { Seed = 3, VecEnv = mode };
            using var trainer = new Trainer(config, s_registry);
            trainer.Train(512, new TrainerOutputs());
            EvaluationResult first = trainer.Evaluate(5, seed: 21);
            Assert.Equal(first, trainer.Evaluate(5, seed: 21));
            return first;
        }
        EvaluationResult sequential = Run(VecEnvMode.Sequential);
        EvaluationResult parallel = Run(VecEnvMode.Auto);
        Assert.Equal(sequential, parallel);
        Assert.True(sequential.ReturnStd > 0, sequential.ToString());
    }
}
