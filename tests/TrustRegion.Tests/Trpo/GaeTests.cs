using TrustRegion.Trpo;

namespace TrustRegion.Tests.Trpo;

public class GaeTests
{
    [Fact]
    public void Compute_HandWorkedExample_WithTerminationAndTruncation()
    {
        // T = 4 steps, E = 2 envs, γ = 0.9, λ = 0.8.
        // env 0: terminates at t = 1, new episode continues to the end (bootstrap LastValues[0] = 4).
        // env 1: truncated at t = 2 with V(final obs) = 10, then the last step ends by termination.
        var buf = new RolloutBuffer(4, 2, 1, 1);
        double[] r0 = [1, 2, 3, 4], v0 = [0.5, 1.5, 2.5, 3.5];
        double[] r1 = [-1, 0, 1, 2], v1 = [1, 2, 3, 4];
        for (int t = 0; t < 4; t++)
        {
            buf.Rewards[2 * t] = r0[t];
            buf.Values[2 * t] = v0[t];
            buf.Rewards[(2 * t) + 1] = r1[t];
            buf.Values[(2 * t) + 1] = v1[t];
        }
        buf.Terminated[2 * 1] = true;
        buf.Truncated[(2 * 2) + 1] = true;
        buf.TruncationValues[(2 * 2) + 1] = 10;
        buf.Terminated[(2 * 3) + 1] = true;
        buf.LastValues[0] = 4;
        buf.LastValues[1] = 99; // must be ignored: env 1's last step terminated
        Gae.Compute(buf, 0.9, 0.8);

        // env 0, by hand:
        // t3: δ = 4 + 0.9·4 − 3.5 = 4.1;                 A3 = 4.1
        // t2: δ = 3 + 0.9·3.5 − 2.5 = 3.65;              A2 = 3.65 + 0.72·4.1 = 6.602
        // t1: terminated: δ = 2 − 1.5 = 0.5;             A1 = 0.5
        // t0: δ = 1 + 0.9·1.5 − 0.5 = 1.85;              A0 = 1.85 + 0.72·0.5 = 2.21
        // env 1:
        // t3: terminated: δ = 2 − 4 = −2;                A3 = −2
        // t2: truncated: δ = 1 + 0.9·10 − 3 = 7;         A2 = 7
        // t1: δ = 0 + 0.9·3 − 2 = 0.7;                   A1 = 0.7 + 0.72·7 = 5.74
        // t0: δ = −1 + 0.9·2 − 1 = −0.2;                 A0 = −0.2 + 0.72·5.74 = 3.9328
        double[] a0 = [2.21, 0.5, 6.602, 4.1];
        double[] a1 = [3.9328, 5.74, 7, -2];
        for (int t = 0; t < 4; t++)
        {
            Assert.Equal(a0[t], buf.Advantages[2 * t], 12);
            Assert.Equal(a1[t], buf.Advantages[(2 * t) + 1], 12);
            Assert.Equal(a0[t] + v0[t], buf.Returns[2 * t], 12);
            Assert.Equal(a1[t] + v1[t], buf.Returns[(2 * t) + 1], 12);
        }
    }

    private static RolloutBuffer RandomBuffer(int steps, int envs, ulong seed)
    {
        var rng = new TrustRegion.Numerics.Rng(seed);
        var buf = new RolloutBuffer(steps, envs, 1, 1);
        for (int i = 0; i < buf.Count; i++)
        {
            buf.Rewards[i] = rng.NextGaussian();
            buf.Values[i] = rng.NextGaussian();
            double u = rng.NextDouble();
            buf.Terminated[i] = u < 0.1;
            buf.Truncated[i] = u is >= 0.1 and < 0.2;
            buf.TruncationValues[i] = rng.NextGaussian();
        }
        for (int e = 0; e < envs; e++)
        {
            buf.LastValues[e] = rng.NextGaussian();
        }
        return buf;
    }

    [Fact]
    public void Compute_LambdaOne_GivesDiscountedReturnsMinusValues()
    {
        const double gamma = 0.97;
        var buf = RandomBuffer(30, 3, 1);
        Gae.Compute(buf, gamma, 1.0);
        for (int e = 0; e < 3; e++)
        {
            for (int t = 0; t < 30; t++)
            {
                // Discounted return from t to the episode end (or the rollout end), with the bootstrap value there.
                double g = 0, discount = 1;
                for (int u = t; u < 30; u++)
                {
                    int i = (u * 3) + e;
                    g += discount * buf.Rewards[i];
                    discount *= gamma;
                    if (buf.Terminated[i])
                    {
                        break;
                    }
                    if (buf.Truncated[i])
                    {
                        g += discount * buf.TruncationValues[i];
                        break;
                    }
                    if (u == 29)
                    {
                        g += discount * buf.LastValues[e];
                    }
                }
                int k = (t * 3) + e;
                Assert.Equal(g - buf.Values[k], buf.Advantages[k], 10);
                Assert.Equal(g, buf.Returns[k], 10);
            }
        }
    }

    [Fact]
    public void Compute_LambdaZero_GivesTdErrors()
    {
        const double gamma = 0.9;
        var buf = RandomBuffer(20, 2, 2);
        Gae.Compute(buf, gamma, 0.0);
        for (int t = 0; t < 20; t++)
        {
            for (int e = 0; e < 2; e++)
            {
                int i = (t * 2) + e;
                double next = buf.Terminated[i] ? 0 : buf.Truncated[i] ? buf.TruncationValues[i] : t == 19 ? buf.LastValues[e] : buf.Values[i + 2];
                Assert.Equal(buf.Rewards[i] + (gamma * next) - buf.Values[i], buf.Advantages[i], 12);
            }
        }
    }

    [Fact]
    public void Compute_ConstantValue_OneRewardAtEpisodeEnd()
    {
        // After SB3 tests/test_gae.py: reward 1 only at the terminal step of a 5-step episode, values 0, λ = 1:
        // the advantage at step t is γ^(4 − t).
        var buf = new RolloutBuffer(5, 1, 1, 1);
        buf.Rewards[4] = 1;
        buf.Terminated[4] = true;
        Gae.Compute(buf, 0.99, 1.0);
        for (int t = 0; t < 5; t++)
        {
            Assert.Equal(Math.Pow(0.99, 4 - t), buf.Advantages[t], 14);
        }
    }

    [Fact]
    public void Compute_RejectsGammaOutsideUnitInterval()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Gae.Compute(new RolloutBuffer(2, 1, 1, 1), 1.5, 0.95));
        Assert.Contains("gamma is 1.5", ex.Message);
    }

    [Fact]
    public void ExplainedVariance_PerfectZeroAndNegative()
    {
        double[] ret = [1, 2, 3, 4];
        Assert.Equal(1.0, Gae.ExplainedVariance(ret, ret), 14);
        Assert.Equal(0.0, Gae.ExplainedVariance([2.5, 2.5, 2.5, 2.5], ret), 14);
        Assert.True(Gae.ExplainedVariance([4, 3, 2, 1], ret) < 0);
        Assert.True(double.IsNaN(Gae.ExplainedVariance([1, 2], [3, 3])));
    }
}
