using TrustRegion.Distributions;

namespace TrustRegion.Tests.Distributions;

/// <summary>
/// The finite-difference check every action head meets: the analytic gradients of a weighted log-probability sum, an
/// entropy sum (weight 0.7) and a KL sum (weight 1.3), in the head's outputs and its parameters, against central
/// differences of the same sums recomputed from the outputs and parameters (relative error &lt; 1e-6).
/// </summary>
internal static class HeadGradientCheck
{
    /// <param name="head">The head under test.</param>
    /// <param name="outputs">Network outputs the distributions are computed from (perturbed by the check).</param>
    /// <param name="features">Latent features for heads that use them (gSDE, held constant); null for the others.</param>
    /// <param name="parameters">The head's own parameters (perturbed by the check).</param>
    /// <param name="distribution">The distributions of <paramref name="outputs"/> and <paramref name="parameters"/>.</param>
    /// <param name="oldDistribution">The reference distribution of the KL term.</param>
    /// <param name="actions">Actions of the log-probability term.</param>
    /// <param name="weights">Per-sample weights of the log-probability term.</param>
    /// <param name="n">Samples.</param>
    /// <param name="entropyIgnoresOutputs">The entropy depends on the parameters only: its output gradient must be exactly zero.</param>
    public static void AgainstFiniteDifferences(ActionHead head, double[] outputs, double[]? features, double[] parameters, double[] distribution,
        double[] oldDistribution, double[] actions, double[] weights, int n, bool entropyIgnoresOutputs = false)
    {
        double Eval(Func<double[], double> f)
        {
            var d = new double[n * head.DistributionSize];
            head.ComputeDistribution(outputs, features, parameters, n, d);
            return f(d);
        }
        double LogProbSum(double[] d)
        {
            var lp = new double[n];
            head.LogProb(d, actions, n, lp);
            return lp.Select((x, i) => x * weights[i]).Sum();
        }
        double EntropySum(double[] d)
        {
            var h = new double[n];
            head.Entropy(d, n, h);
            return 0.7 * h.Sum();
        }
        double KlSum(double[] d)
        {
            var k = new double[n];
            head.Kl(oldDistribution, d, n, k);
            return 1.3 * k.Sum();
        }
        void Check(Func<double[], double> f, Action<double[], double[]> backward, string what)
        {
            var go = new double[outputs.Length];
            var gp = new double[parameters.Length];
            backward(go, gp);
            double[] no = GradientCheck.Numerical(outputs, () => Eval(f));
            double[] np = GradientCheck.Numerical(parameters, () => Eval(f));
            if (entropyIgnoresOutputs && what == "entropy")
            {
                Assert.All(go, x => Assert.Equal(0.0, x));
                Assert.All(no, x => Assert.Equal(0.0, x, 8));
            }
            else
            {
                Assert.True(GradientCheck.RelativeError(go, no) < 1e-6, $"{what} output gradient error {GradientCheck.RelativeError(go, no)}");
            }
            if (parameters.Length > 0)
            {
                Assert.True(GradientCheck.RelativeError(gp, np) < 1e-6, $"{what} parameter gradient error {GradientCheck.RelativeError(gp, np)}");
            }
        }
        Check(LogProbSum, (go, gp) => head.LogProbBackward(distribution, actions, n, weights, go, gp), "log-prob");
        Check(EntropySum, (go, gp) => head.EntropyBackward(distribution, n, 0.7, go, gp), "entropy");
        Check(KlSum, (go, gp) => head.KlBackward(oldDistribution, distribution, n, 1.3, go, gp), "KL");
    }
}
