using TrustRegion.Numerics;
using TrustRegion.Trpo;

namespace TrustRegion.Tests.Trpo;

/// <summary>Checks of <see cref="TrpoUpdater"/> that every action head must pass, shared by the per-head test classes.</summary>
internal static class UpdaterChecks
{
    /// <summary>
    /// With <c>FisherSubsampling = 3</c>, the Fisher-vector product over a batch of at least 7 samples equals the product a
    /// full-batch updater computes from rows 0, 3 and 6 alone (relative error &lt; 1e-13).
    /// </summary>
    public static void FisherSubsamplingUsesEveryThirdSample(Policy policy, double[] observations, double[] actions, double[] advantages, int n)
    {
        var sub = new TrpoUpdater(policy, n, new TrpoOptions { FisherSubsampling = 3 });
        sub.Prepare(observations, actions, advantages, n);
        sub.PrepareFisher();
        var v = new double[policy.ParameterCount];
        new Rng(8).FillGaussian(v);
        var fvSub = new double[v.Length];
        sub.FisherVectorProduct(v, fvSub);
        // The same product from a full-batch updater given only rows 0, 3, 6.
        int obs = policy.ObservationSize, act = policy.ActionSize;
        var o3 = new double[3 * obs];
        var a3 = new double[3 * act];
        for (int i = 0; i < 3; i++)
        {
            observations.AsSpan(i * 3 * obs, obs).CopyTo(o3.AsSpan(i * obs));
            actions.AsSpan(i * 3 * act, act).CopyTo(a3.AsSpan(i * act));
        }
        var full = new TrpoUpdater(policy, 3, new TrpoOptions());
        full.Prepare(o3, a3, [1.0, 2.0, 3.0], 3);
        full.PrepareFisher();
        var fvFull = new double[v.Length];
        full.FisherVectorProduct(v, fvFull);
        Assert.True(GradientCheck.RelativeError(fvSub, fvFull) < 1e-13);
    }

    /// <summary>The explicit p × p matrix whose column j is <paramref name="times"/> applied to the j-th unit vector.</summary>
    public static double[,] ExplicitMatrix(int p, Func<double[], double[]> times)
    {
        var matrix = new double[p, p];
        for (int j = 0; j < p; j++)
        {
            var e = new double[p];
            e[j] = 1;
            double[] col = times(e);
            for (int i = 0; i < p; i++)
            {
                matrix[i, j] = col[i];
            }
        }
        return matrix;
    }

    /// <summary>The largest magnitude of the matrix's entries (the scale of the entry-by-entry tolerances).</summary>
    public static double MaxAbs(double[,] matrix)
    {
        double scale = 0;
        foreach (double x in matrix)
        {
            scale = Math.Max(scale, Math.Abs(x));
        }
        return scale;
    }

    /// <summary>Symmetric positive semi-definite by construction: vᵀFv ≥ 0 for 20 random directions.</summary>
    public static void FisherIsPositiveSemiDefinite(TrpoUpdater updater, int p)
    {
        var rng = new Rng(5);
        for (int t = 0; t < 20; t++)
        {
            var v = new double[p];
            rng.FillGaussian(v);
            var fv = new double[p];
            updater.FisherVectorProduct(v, fv);
            Assert.True(v.Zip(fv, (a, b) => a * b).Sum() >= -1e-14);
        }
    }
}
