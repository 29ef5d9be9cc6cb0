namespace TrustRegion.Tests;

/// <summary>Central finite differences and the relative-error measure the gradient tests share.</summary>
internal static class GradientCheck
{
    /// <summary>Central difference of <paramref name="f"/> along every coordinate of <paramref name="x"/> (restored afterwards).</summary>
    public static double[] Numerical(double[] x, Func<double> f, double h = 1e-6)
    {
        var g = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            double xi = x[i];
            x[i] = xi + h;
            double fp = f();
            x[i] = xi - h;
            double fm = f();
            x[i] = xi;
            g[i] = (fp - fm) / (2 * h);
        }
        return g;
    }

    /// <summary><c>‖a − b‖ / max(‖a‖, ‖b‖, floor)</c>.</summary>
    public static double RelativeError(ReadOnlySpan<double> a, ReadOnlySpan<double> b, double floor = 1e-12)
    {
        Assert.Equal(a.Length, b.Length);
        double d = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            d += (a[i] - b[i]) * (a[i] - b[i]);
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return Math.Sqrt(d) / Math.Max(Math.Max(Math.Sqrt(na), Math.Sqrt(nb)), floor);
    }
}
