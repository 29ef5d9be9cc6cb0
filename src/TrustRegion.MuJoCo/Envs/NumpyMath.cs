namespace TrustRegion.MuJoCo.Envs;

/// <summary>Reductions in NumPy's operation order, so rewards match Gymnasium's to the last bit where NumPy decides it.</summary>
internal static class NumpyMath
{
    /// <summary>
    /// <c>np.sum(np.square(a))</c> for float64: NumPy's pairwise sum, which for fewer than 8 elements adds left to
    /// right and for 8..128 elements keeps eight partial sums combined as ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)).
    /// </summary>
    internal static double SumOfSquares(ReadOnlySpan<double> a)
    {
        int n = a.Length;
        if (n < 8)
        {
            double res = 0.0;
            for (int i = 0; i < n; i++)
            {
                res += a[i] * a[i];
            }
            return res;
        }
        if (n > 128)
        {
            int half = (n / 2) - ((n / 2) % 8);
            return SumOfSquares(a[..half]) + SumOfSquares(a[half..]);
        }
        Span<double> r = stackalloc double[8];
        for (int j = 0; j < 8; j++)
        {
            r[j] = a[j] * a[j];
        }
        int k = 8;
        for (; k < n - (n % 8); k += 8)
        {
            for (int j = 0; j < 8; j++)
            {
                r[j] += a[k + j] * a[k + j];
            }
        }
        double sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; k < n; k++)
        {
            sum += a[k] * a[k];
        }
        return sum;
    }

    /// <summary><c>np.sum(a)</c> for float64 in NumPy's pairwise order (see <see cref="SumOfSquares"/>).</summary>
    internal static double Sum(ReadOnlySpan<double> a)
    {
        int n = a.Length;
        if (n < 8)
        {
            double res = 0.0;
            for (int i = 0; i < n; i++)
            {
                res += a[i];
            }
            return res;
        }
        if (n > 128)
        {
            int half = (n / 2) - ((n / 2) % 8);
            return Sum(a[..half]) + Sum(a[half..]);
        }
        Span<double> r = stackalloc double[8];
        a[..8].CopyTo(r);
        int k = 8;
        for (; k < n - (n % 8); k += 8)
        {
            for (int j = 0; j < 8; j++)
            {
                r[j] += a[k + j];
            }
        }
        double sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; k < n; k++)
        {
            sum += a[k];
        }
        return sum;
    }

    /// <summary><c>np.clip(x, lo, hi)</c> for one value (NaN stays NaN).</summary>
    internal static double Clip(double x, double lo, double hi) => x < lo ? lo : (x > hi ? hi : x);
}
