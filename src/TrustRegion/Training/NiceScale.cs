namespace TrustRegion.Training;

/// <summary>
/// Axis ranges and tick spacing at round numbers (1, 2, 5 × 10^k), after Heckbert, "Nice numbers for graph labels",
/// Graphics Gems (1990).
/// </summary>
internal readonly record struct NiceScale(double Min, double Max, double Step)
{
    /// <summary>A range covering [<paramref name="low"/>, <paramref name="high"/>] with about <paramref name="ticks"/> ticks.</summary>
    internal static NiceScale For(double low, double high, int ticks = 6)
    {
        if (!double.IsFinite(low) || !double.IsFinite(high))
        {
            (low, high) = (0, 1);
        }
        if (high - low < 1e-12 * Math.Max(1, Math.Abs(high)))
        {
            double pad = low == 0 ? 1 : Math.Abs(low) * 0.1;
            (low, high) = (low - pad, high + pad);
        }
        double step = NiceStep((high - low) / (ticks - 1));
        return new NiceScale(Math.Floor(low / step) * step, Math.Ceiling(high / step) * step, step);
    }

    /// <summary>The tick values from <see cref="Min"/> to <see cref="Max"/>.</summary>
    internal IEnumerable<double> Ticks()
    {
        int count = (int)Math.Round((Max - Min) / Step);
        for (int i = 0; i <= count; i++)
        {
            double v = Min + (i * Step);
            yield return Math.Abs(v) < Step * 1e-9 ? 0 : v;
        }
    }

    /// <summary>Decimal places that show every tick exactly.</summary>
    internal int Decimals => Math.Max(0, -(int)Math.Floor(Math.Log10(Step) + 1e-9));

    // Heckbert's rounding of a step to 1, 2, 5 or 10 times a power of ten. (His first pass, rounding the whole range
    // up before dividing, gives too coarse a step for ranges just above a round number, e.g. 100k → 50k steps.)
    private static double NiceStep(double x)
    {
        double exponent = Math.Floor(Math.Log10(x));
        double fraction = x / Math.Pow(10, exponent);
        double nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10;
        return nice * Math.Pow(10, exponent);
    }
}
