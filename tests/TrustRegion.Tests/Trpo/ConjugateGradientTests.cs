using TrustRegion.Numerics;
using TrustRegion.Trpo;

namespace TrustRegion.Tests.Trpo;

public class ConjugateGradientTests
{
    private sealed class DenseOperator(double[,] a) : ILinearOperator
    {
        public int Applications { get; private set; }

        public void Apply(ReadOnlySpan<double> x, Span<double> destination)
        {
            Applications++;
            int n = x.Length;
            for (int i = 0; i < n; i++)
            {
                double s = 0;
                for (int j = 0; j < n; j++)
                {
                    s += a[i, j] * x[j];
                }
                destination[i] = s;
            }
        }
    }

    /// <summary>A = Q diag(eigenvalues) Qᵀ with a random orthogonal Q (Gram–Schmidt of a Gaussian matrix).</summary>
    private static double[,] Spd(double[] eigenvalues, Rng rng)
    {
        int n = eigenvalues.Length;
        var q = new double[n, n];
        for (int j = 0; j < n; j++)
        {
            for (int i = 0; i < n; i++)
            {
                q[i, j] = rng.NextGaussian();
            }
            for (int pass = 0; pass < 2; pass++)
            {
                for (int k = 0; k < j; k++)
                {
                    double d = 0;
                    for (int i = 0; i < n; i++)
                    {
                        d += q[i, k] * q[i, j];
                    }
                    for (int i = 0; i < n; i++)
                    {
                        q[i, j] -= d * q[i, k];
                    }
                }
            }
            double norm = 0;
            for (int i = 0; i < n; i++)
            {
                norm += q[i, j] * q[i, j];
            }
            norm = Math.Sqrt(norm);
            for (int i = 0; i < n; i++)
            {
                q[i, j] /= norm;
            }
        }
        var a = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int k = 0; k < n; k++)
                {
                    s += q[i, k] * eigenvalues[k] * q[j, k];
                }
                a[i, j] = s;
            }
        }
        return a;
    }

    /// <summary>Direct solve by Gaussian elimination with partial pivoting.</summary>
    private static double[] DirectSolve(double[,] a, double[] b)
    {
        int n = b.Length;
        var m = (double[,])a.Clone();
        var x = (double[])b.Clone();
        for (int c = 0; c < n; c++)
        {
            int piv = c;
            for (int r = c + 1; r < n; r++)
            {
                if (Math.Abs(m[r, c]) > Math.Abs(m[piv, c]))
                {
                    piv = r;
                }
            }
            for (int k = 0; k < n; k++)
            {
                (m[c, k], m[piv, k]) = (m[piv, k], m[c, k]);
            }
            (x[c], x[piv]) = (x[piv], x[c]);
            for (int r = c + 1; r < n; r++)
            {
                double f = m[r, c] / m[c, c];
                for (int k = c; k < n; k++)
                {
                    m[r, k] -= f * m[c, k];
                }
                x[r] -= f * x[c];
            }
        }
        for (int r = n - 1; r >= 0; r--)
        {
            double s = x[r];
            for (int k = r + 1; k < n; k++)
            {
                s -= m[r, k] * x[k];
            }
            x[r] = s / m[r, r];
        }
        return x;
    }

    [Theory]
    [InlineData(1UL, 5)]
    [InlineData(2UL, 20)]
    [InlineData(3UL, 40)]
    public void Solve_RandomSpdSystem_MatchesDirectSolve(ulong seed, int n)
    {
        var rng = new Rng(seed);
        var eig = Enumerable.Range(0, n).Select(_ => 0.5 + (9.5 * rng.NextDouble())).ToArray(); // condition number ≤ 20
        var a = Spd(eig, rng);
        var b = new double[n];
        rng.FillGaussian(b);
        var x = new double[n];
        var op = new DenseOperator(a);
        CgResult r = ConjugateGradient.Solve(op, b, x, new double[n], new double[n], new double[n], 500, 1e-20);
        Assert.True(r.Converged);
        Assert.True(r.ResidualNorm < 1e-10);
        Assert.True(GradientCheck.RelativeError(x, DirectSolve(a, b)) < 1e-9);
        Assert.Equal(r.Iterations, op.Applications);
    }

    [Fact]
    public void Solve_StopsEarly_WhenMatrixHasFewDistinctEigenvalues()
    {
        // In exact arithmetic CG converges in as many iterations as A has distinct eigenvalues (here 3).
        var rng = new Rng(4);
        int n = 30;
        var eig = Enumerable.Range(0, n).Select(i => new[] { 1.0, 2.0, 5.0 }[i % 3]).ToArray();
        var a = Spd(eig, rng);
        var b = new double[n];
        rng.FillGaussian(b);
        var x = new double[n];
        var op = new DenseOperator(a);
        CgResult r = ConjugateGradient.Solve(op, b, x, new double[n], new double[n], new double[n], 25, 1e-16);
        Assert.True(r.Converged);
        Assert.InRange(r.Iterations, 3, 4);
        Assert.Equal(r.Iterations, op.Applications);
        Assert.True(GradientCheck.RelativeError(x, DirectSolve(a, b)) < 1e-7);
    }

    [Fact]
    public void Solve_ReportsIterationLimit_WhenNotConverged()
    {
        var rng = new Rng(6);
        int n = 30;
        var eig = Enumerable.Range(0, n).Select(i => 1.0 + i).ToArray();
        var a = Spd(eig, rng);
        var b = new double[n];
        rng.FillGaussian(b);
        CgResult r = ConjugateGradient.Solve(new DenseOperator(a), b, new double[n], new double[n], new double[n], new double[n], 3, 1e-20);
        Assert.False(r.Converged);
        Assert.Equal(3, r.Iterations);
        Assert.True(r.ResidualNorm > 0);
    }

    [Fact]
    public void Solve_ZeroRightHandSide_ReturnsZeroWithoutIterating()
    {
        var x = new double[] { 1, 2, 3 };
        var op = new DenseOperator(new double[3, 3]);
        CgResult r = ConjugateGradient.Solve(op, new double[3], x, new double[3], new double[3], new double[3], 10, 0);
        Assert.Equal(0, r.Iterations);
        Assert.Equal(new double[3], x);
    }
}
