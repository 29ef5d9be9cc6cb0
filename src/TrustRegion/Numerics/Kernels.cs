using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TrustRegion.Numerics;

/// <summary>
/// Element-wise kernels of the network passes: fused bias + activation, activation derivatives, column sums.
/// Rows are <c>[rows × cols]</c> row-major. Internal: shapes are asserted, not checked.
/// </summary>
internal static unsafe class Kernels
{
    /// <summary>In place: <c>z[r, c] += bias[c]</c>.</summary>
    public static void AddBias(Span<double> z, int rows, int cols, ReadOnlySpan<double> bias)
    {
        Debug.Assert(z.Length >= rows * cols && bias.Length >= cols);
        fixed (double* pz = z, pb = bias)
        {
            int c = 0;
            for (; c + 8 <= cols; c += 8)
            {
                var vb = Vector512.Load(pb + c);
                double* q = pz + c;
                for (int r = 0; r < rows; r++, q += cols)
                {
                    (Vector512.Load(q) + vb).Store(q);
                }
            }
            for (; c < cols; c++)
            {
                double bc = pb[c];
                double* q = pz + c;
                for (int r = 0; r < rows; r++, q += cols)
                {
                    *q += bc;
                }
            }
        }
    }

    // fdlibm's split of ln 2: the high part has trailing zero bits, so n · Ln2Hi is exact for |n| < 2^20.
    private const double Ln2Hi = 6.93147180369123816490e-01;
    private const double Ln2Lo = 1.90821492927058770002e-10;
    private const double InvLn2 = 1.44269504088896338700e+00;
    private const double Shifter = 6755399441055744.0; // 1.5 · 2⁵²

    /// <summary>
    /// In place: <c>z[i] = tanh(z[i])</c>, vectorised. With <c>y = 2|x|</c> (clamped to 40, beyond which tanh is ±1 in double),
    /// <c>tanh|x| = m / (m + 2)</c> where <c>m = expm1(y) = 2ⁿ·expm1(r) + (2ⁿ − 1)</c>, <c>y = n ln 2 + r</c>, <c>|r| ≤ ½ ln 2</c>, and
    /// <c>expm1(r)</c> is its Taylor polynomial of degree 13 (truncation below 1e-17). No cancellation occurs, so the result is
    /// accurate to a few ulp for every input, including tiny ones; the sign is copied from x.
    /// </summary>
    public static void Tanh(Span<double> z)
    {
        int n = z.Length;
        int i = 0;
        fixed (double* pz = z)
        {
            for (; i + 8 <= n; i += 8)
            {
                TanhVector(Vector512.Load(pz + i)).Store(pz + i);
            }
            if (i < n)
            {
                // Tail through the same vector code, so every element is computed identically wherever it sits.
                double* tmp = stackalloc double[8];
                for (int j = 0; j < 8; j++)
                {
                    tmp[j] = i + j < n ? pz[i + j] : 0.0;
                }
                var t = TanhVector(Vector512.Load(tmp));
                for (int j = 0; i + j < n; j++)
                {
                    pz[i + j] = t.GetElement(j);
                }
            }
        }
    }

    /// <summary>Vector tanh as described on <see cref="Tanh"/>; NaN propagates.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<double> TanhVector(Vector512<double> x)
    {
        var sign = Vector512.Create(-0.0);
        var y = Vector512.Min(Vector512.Abs(x) * 2.0, Vector512.Create(40.0));
        // n = round(y / ln 2) by the 1.5·2⁵² shifter: the sum's low mantissa bits hold n, and 2ⁿ is built from them below.
        var shifted = Vector512.FusedMultiplyAdd(y, Vector512.Create(InvLn2), Vector512.Create(Shifter));
        var nf = shifted - Vector512.Create(Shifter);
        var r = Vector512.FusedMultiplyAdd(nf, Vector512.Create(-Ln2Lo), Vector512.FusedMultiplyAdd(nf, Vector512.Create(-Ln2Hi), y));
        // expm1(r) = r + r²/2! + … + r¹³/13!, by Horner on r · (1 + r/2 + r²/6 + …).
        var p = Vector512.Create(1.0 / 6227020800.0);
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.0 / 479001600.0));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.0 / 39916800.0));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.0 / 3628800.0));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.0 / 362880.0));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.0 / 40320.0));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.0 / 5040.0));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.0 / 720.0));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.0 / 120.0));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.0 / 24.0));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.0 / 6.0));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(0.5));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512<double>.One);
        var em1 = p * r;
        // 2ⁿ from the exponent bits (0 ≤ n ≤ 58).
        var scale = Vector512.ShiftLeft(shifted.AsInt64() + Vector512.Create(1023L), 52).AsDouble(); // the shifter's bits leave through the top
        var m = Vector512.FusedMultiplyAdd(scale, em1, scale - Vector512<double>.One);
        var t = Quotient(m, m + Vector512.Create(2.0));
        t = Vector512.ConditionalSelect(Vector512.IsNaN(x), x, t);
        return (t & ~sign) | (x & sign);
    }

    /// <summary>
    /// <c>n / d</c> for <c>d ≥ 2</c> (finite or +∞) without the slow vector division: the 14-bit reciprocal estimate refined by two
    /// Newton steps (to about 2⁻⁵⁶), then one correction of the quotient by its exact FMA residual, which leaves it within about
    /// one ulp of the correctly rounded result.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> Quotient(Vector512<double> n, Vector512<double> d)
    {
        if (!Avx512F.IsSupported)
        {
            return n / d;
        }
        var one = Vector512<double>.One;
        var r = Avx512F.Reciprocal14(d);
        r = Vector512.FusedMultiplyAdd(r, Vector512.FusedMultiplyAdd(-d, r, one), r);
        r = Vector512.FusedMultiplyAdd(r, Vector512.FusedMultiplyAdd(-d, r, one), r);
        var q = n * r;
        var q1 = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(-q, d, n), r, q);
        // d = +∞ only when n = +∞ (an infinite or NaN input was clamped, so this cannot occur, but keep tanh → 1 exact there).
        return Vector512.ConditionalSelect(Vector512.IsPositiveInfinity(d), one, q1);
    }

    /// <summary>
    /// In place: multiplies <paramref name="d"/> by the activation's derivative, expressed through the saved output y:
    /// tanh: <c>d[i] *= 1 − y[i]²</c>; ReLU: <c>d[i] = y[i] &gt; 0 ? d[i] : 0</c>.
    /// </summary>
    public static void ActivationDerivative(ReadOnlySpan<double> y, Span<double> d, Activation activation)
    {
        Debug.Assert(y.Length == d.Length);
        int n = y.Length;
        int i = 0;
        fixed (double* py = y, pd = d)
        {
            if (activation == Activation.Tanh)
            {
                for (; i + 8 <= n; i += 8)
                {
                    var vy = Vector512.Load(py + i);
                    (Vector512.Load(pd + i) * Vector512.FusedMultiplyAdd(-vy, vy, Vector512<double>.One)).Store(pd + i);
                }
                for (; i < n; i++)
                {
                    pd[i] *= 1.0 - (py[i] * py[i]);
                }
            }
            else
            {
                for (; i + 8 <= n; i += 8)
                {
                    var mask = Vector512.GreaterThan(Vector512.Load(py + i), Vector512<double>.Zero);
                    Vector512.ConditionalSelect(mask, Vector512.Load(pd + i), Vector512<double>.Zero).Store(pd + i);
                }
                for (; i < n; i++)
                {
                    pd[i] = py[i] > 0 ? pd[i] : 0.0;
                }
            }
        }
    }

    /// <summary><c>destination[c] (+)= Σ_r x[r, c]</c> over <paramref name="rows"/> rows.</summary>
    public static void ColumnSums(ReadOnlySpan<double> x, int rows, int cols, Span<double> destination, bool accumulate)
    {
        Debug.Assert(x.Length >= rows * cols && destination.Length >= cols);
        fixed (double* px = x, pd = destination)
        {
            int c = 0;
            for (; c + 8 <= cols; c += 8)
            {
                Vector512<double> s0 = default, s1 = default;
                double* q = px + c;
                int r = 0;
                for (; r + 2 <= rows; r += 2, q += 2 * cols)
                {
                    s0 += Vector512.Load(q);
                    s1 += Vector512.Load(q + cols);
                }
                if (r < rows)
                {
                    s0 += Vector512.Load(q);
                }
                s0 += s1;
                if (accumulate)
                {
                    s0 += Vector512.Load(pd + c);
                }
                s0.Store(pd + c);
            }
            for (; c < cols; c++)
            {
                double s = 0;
                double* q = px + c;
                for (int r = 0; r < rows; r++, q += cols)
                {
                    s += *q;
                }
                pd[c] = accumulate ? pd[c] + s : s;
            }
        }
    }
}
