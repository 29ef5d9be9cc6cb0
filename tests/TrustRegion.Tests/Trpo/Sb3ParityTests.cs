using TrustRegion.Envs;
using TrustRegion.Numerics;
using TrustRegion.Trpo;

namespace TrustRegion.Tests.Trpo;

/// <summary>
/// Pins the points where TrustRegion's training was checked against Stable-Baselines3 / sb3-contrib TRPO
/// (docs/learning-parity.md): the timeout bootstrap, the line search's KL direction and strictness, and the critic's Adam ε.
/// </summary>
public class Sb3ParityTests
{
    /// <summary>
    /// SB3's form of the timeout bootstrap, written out independently: at a truncated step (not terminated) the reward becomes
    /// <c>r + γ·V(final observation)</c>, the step counts as done, and the GAE recursion of <c>compute_returns_and_advantage</c> runs
    /// with <c>next_non_terminal = 1 − done</c> (the episode start flag of the next row, or the last dones at the rollout's end).
    /// </summary>
    private static (double[] Advantages, double[] Returns) Sb3Reference(RolloutBuffer b, double gamma, double lambda)
    {
        int steps = b.NumSteps, envs = b.NumEnvs, n = b.Count;
        var reward = new double[n];
        var done = new bool[n];
        for (int i = 0; i < n; i++)
        {
            done[i] = b.Terminated[i] || b.Truncated[i];
            reward[i] = b.Rewards[i] + (b.Truncated[i] && !b.Terminated[i] ? gamma * b.TruncationValues[i] : 0.0);
        }
        var adv = new double[n];
        var ret = new double[n];
        for (int e = 0; e < envs; e++)
        {
            double lastGae = 0;
            for (int t = steps - 1; t >= 0; t--)
            {
                int i = (t * envs) + e;
                double nextNonTerminal = done[i] ? 0.0 : 1.0; // = 1 − episode_starts[t + 1], or 1 − dones after the last step
                double nextValue = t == steps - 1 ? b.LastValues[e] : b.Values[i + envs];
                double delta = reward[i] + (gamma * nextValue * nextNonTerminal) - b.Values[i];
                lastGae = delta + (gamma * lambda * nextNonTerminal * lastGae);
                adv[i] = lastGae;
                ret[i] = lastGae + b.Values[i];
            }
        }
        return (adv, ret);
    }

    [Theory]
    [InlineData(1UL, 0.99, 0.95)]
    [InlineData(2UL, 0.9, 0.8)]
    [InlineData(3UL, 0.9999, 1.0)]
    [InlineData(4UL, 0.99, 0.0)]
    public void Gae_KeepingTruncationApart_EqualsSb3RewardBootstrap(ulong seed, double gamma, double lambda)
    {
        var rng = new Rng(seed);
        var b = new RolloutBuffer(64, 3, 1, 1);
        int truncations = 0;
        for (int i = 0; i < b.Count; i++)
        {
            b.Rewards[i] = rng.NextGaussian();
            b.Values[i] = 3 * rng.NextGaussian();
            double u = rng.NextDouble();
            b.Terminated[i] = u < 0.05 || (u >= 0.10 && u < 0.12); // some steps both terminate and hit the limit
            b.Truncated[i] = u >= 0.05 && u < 0.12;
            b.TruncationValues[i] = 5 * rng.NextGaussian();
            truncations += b.Truncated[i] && !b.Terminated[i] ? 1 : 0;
        }
        // Env 0 is truncated on the rollout's very last step, env 1 terminates there, env 2 runs on.
        int last = (b.NumSteps - 1) * b.NumEnvs;
        (b.Terminated[last], b.Truncated[last]) = (false, true);
        (b.Terminated[last + 1], b.Truncated[last + 1]) = (true, false);
        (b.Terminated[last + 2], b.Truncated[last + 2]) = (false, false);
        for (int e = 0; e < b.NumEnvs; e++)
        {
            b.LastValues[e] = 100 + e; // read only for env 2
        }
        Assert.True(truncations > 3, "the random buffer should hold several truncations");

        Gae.Compute(b, gamma, lambda);
        (double[] adv, double[] ret) = Sb3Reference(b, gamma, lambda);
        for (int i = 0; i < b.Count; i++)
        {
            Assert.Equal(adv[i], b.Advantages[i], 12);
            Assert.Equal(ret[i], b.Returns[i], 12);
        }
    }

    [Theory]
    [InlineData("gaussian", 11UL)]
    [InlineData("discrete", 12UL)]
    public void LineSearch_ConstrainsKlFromOldToNew(string head, ulong seed)
    {
        int checkedSteps = 0, directionsDiffered = 0;
        for (ulong k = 0; k < 8; k++)
        {
            var s = TrpoUpdaterTests.Make(head, Activation.Tanh, seed * 100 + k, batch: 48);
            var options = new TrpoOptions { MaxKl = 0.05, CgIterations = 15, LineSearchBacktrack = 0.8 };
            var updater = new TrpoUpdater(s.Policy, s.N, options);
            double[] before = s.Policy.Parameters.ToArray();
            TrpoDiagnostics d = updater.Update(s.Obs, s.Actions, s.Advantages, s.N);
            if (d.Outcome != LineSearchOutcome.Accepted)
            {
                continue;
            }
            double[] after = s.Policy.Parameters.ToArray();
            int size = s.Policy.Head.DistributionSize;
            var oldDist = new double[s.N * size];
            var newDist = new double[s.N * size];
            var workspace = s.Policy.Network.CreateWorkspace(s.N);
            before.CopyTo(s.Policy.Parameters);
            s.Policy.ComputeDistribution(s.Obs, s.N, workspace, oldDist);
            after.CopyTo(s.Policy.Parameters);
            s.Policy.ComputeDistribution(s.Obs, s.N, workspace, newDist);
            var kl = new double[s.N];
            s.Policy.Head.Kl(newDist, oldDist, s.N, kl);
            double newToOld = kl.Average();
            s.Policy.Head.Kl(oldDist, newDist, s.N, kl);
            double oldToNew = kl.Average();

            // The trust region of the issue and the TRPO paper is KL(old ‖ new) ≤ δ (sb3-contrib measures KL(new ‖ old)).
            Assert.Equal(oldToNew, d.Kl, 12);
            Assert.True(d.Kl <= options.MaxKl, $"accepted KL {d.Kl} is above δ = {options.MaxKl}");
            checkedSteps++;
            directionsDiffered += Math.Abs(newToOld - oldToNew) > 1e-9 * newToOld ? 1 : 0;
        }
        Assert.True(checkedSteps >= 3, $"only {checkedSteps} accepted steps to check");
        Assert.True(directionsDiffered >= 1, "the two KL directions never differed, so the test does not tell them apart");
    }

    [Fact]
    public void ValueFit_UsesSb3AdamEpsilon_AndTheStepShowsIt()
    {
        var value = new ValueFunction(2, [4], Activation.Tanh, new Rng(5));
        Assert.Equal(1e-5, value.Optimizer.Epsilon);
        Assert.Equal(ValueFunction.AdamEpsilon, value.Optimizer.Epsilon);

        // One Adam step from zero moments moves every parameter with a non-zero gradient g by lr·g/(|g| + ε): with gradients
        // far below 1e-5 the step is much shorter than lr, which it would not be with PyTorch's ε = 1e-8 (nearly lr).
        double[] observations = [0.3, -0.2, 0.1, 0.4];
        double[] before = value.Parameters.ToArray();
        var predicted = new double[2];
        value.Predict(observations, 2, predicted);
        double[] targets = [predicted[0] + 1e-8, predicted[1] - 1e-8]; // errors of 1e-8: tiny gradients
        value.Fit(observations, targets, 2, new ValueFitOptions { Epochs = 1, MinibatchSize = 2, LearningRate = 1e-3 }, new Rng(6));
        double largest = 0;
        for (int i = 0; i < before.Length; i++)
        {
            largest = Math.Max(largest, Math.Abs(value.Parameters[i] - before[i]));
        }
        Assert.True(largest > 0, "the fit did not move the parameters");
        Assert.True(largest < 0.01 * 1e-3, $"largest step {largest}: ε = 1e-5 should shrink steps of gradients ~1e-8 to below 1% of lr");
    }
}
