using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TrustRegion.Numerics;

/// <summary>
/// Element-wise kernels of the network passes: fused bias + activation, activation derivatives, column sums, and the
/// double ↔ single conversions of the single-precision passes. Rows are <c>[rows × cols]</c> row-major. Internal: shapes are
/// asserted, not checked.
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
    public static void Tanh(Span<double> z) => TanhInPlace(z);

    /// <summary>
    /// The span loop of both tanh overloads: whole vectors, then the tail through the same vector code (zero-padded), so every
    /// element is computed identically wherever it sits.
    /// </summary>
    private static void TanhInPlace<T>(Span<T> z)
        where T : unmanaged
    {
        int n = z.Length;
        int width = Vector512<T>.Count;
        int i = 0;
        fixed (T* pz = z)
        {
            for (; i + width <= n; i += width)
            {
                TanhVectorOf(Vector512.Load(pz + i)).Store(pz + i);
            }
            if (i < n)
            {
                Vector512<T> padded = Vector512<T>.Zero;
                for (int j = 0; i + j < n; j++)
                {
                    padded = padded.WithElement(j, pz[i + j]);
                }
                var t = TanhVectorOf(padded);
                for (int j = 0; i + j < n; j++)
                {
                    pz[i + j] = t.GetElement(j);
                }
            }
        }
    }

    /// <summary>The vector tanh of either element type (the type test folds away when the JIT specialises).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<T> TanhVectorOf<T>(Vector512<T> x)
        where T : unmanaged =>
        typeof(T) == typeof(double) ? TanhVector(x.As<T, double>()).As<double, T>() : TanhVector(x.As<T, float>()).As<float, T>();

    /// <summary>Vector tanh as described on <see cref="Tanh(Span{double})"/>; NaN propagates.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<double> TanhVector(Vector512<double> x)
    {
        var sign = Vector512.Create(-0.0);
        // MinNative (one vminpd) instead of the IEEE minimum: the operands are never −0, and a NaN x, clamped to 40 here, is
        // restored at the end, so the result is the same bit for bit.
        var y = Vector512.MinNative(Vector512.Abs(x) * 2.0, Vector512.Create(40.0));
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

    // Single precision: ln 2 split so that n · Ln2HiF is exact for |n| < 2^15 (Ln2HiF has 9 significant bits).
    private const float Ln2HiF = 0.693359375f;
    private const float Ln2LoF = -2.12194440e-4f;
    private const float InvLn2F = 1.44269504f;
    private const float ShifterF = 12582912.0f; // 1.5 · 2²³

    /// <summary>
    /// In place: <c>z[i] = tanh(z[i])</c> in single precision, vectorised (<see cref="TanhVector(Vector512{float})"/>).
    /// </summary>
    public static void Tanh(Span<float> z) => TanhInPlace(z);

    /// <summary>
    /// Single-precision vector tanh, the same construction as the double one with float constants: with <c>y = 2|x|</c>
    /// (clamped to 20, beyond which tanh is ±1 in float), <c>tanh|x| = m / (m + 2)</c>, <c>m = expm1(y) = 2ⁿ·expm1(r) + (2ⁿ − 1)</c>,
    /// <c>y = n ln 2 + r</c>, <c>|r| ≤ ½ ln 2</c>, and <c>expm1(r)</c> its Taylor polynomial of degree 8 (truncation below 1e-9
    /// relative, well under the float ulp of 6e-8). No cancellation occurs, so tiny inputs stay accurate; the sign is copied from
    /// x (so ±0 → ±0), ±∞ → ±1, NaN propagates. Measured against <see cref="Math.Tanh"/>: at most 1.35 float ulp (tests bound 1.5).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> TanhVector(Vector512<float> x)
    {
        var sign = Vector512.Create(-0.0f);
        // MinNative/MaxNative (single instructions) instead of the IEEE minimum/maximum, as in the double version: bit-identical.
        var y = Vector512.MinNative(Vector512.Abs(x) * 2.0f, Vector512.Create(20.0f));
        var shifted = Vector512.FusedMultiplyAdd(y, Vector512.Create(InvLn2F), Vector512.Create(ShifterF));
        var nf = shifted - Vector512.Create(ShifterF);
        var r = Vector512.FusedMultiplyAdd(nf, Vector512.Create(-Ln2LoF), Vector512.FusedMultiplyAdd(nf, Vector512.Create(-Ln2HiF), y));
        // expm1(r) = r + r² · (1/2 + r/6 + … + r⁶/8!), Horner on the bracket; r itself enters exactly, so the bracket's
        // rounding errors are scaled down by r/2 (at most 0.17).
        var p = Vector512.Create(1.0f / 40320.0f);
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.0f / 5040.0f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.0f / 720.0f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.0f / 120.0f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.0f / 24.0f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.0f / 6.0f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(0.5f));
        var em1 = Vector512.FusedMultiplyAdd(r * r, p, r);
        // 2ⁿ from the exponent bits (0 ≤ n ≤ 29); the shifter's bits leave through the top.
        var scale = Vector512.ShiftLeft(shifted.AsInt32() + Vector512.Create(127), 23).AsSingle();
        var m = Vector512.FusedMultiplyAdd(scale, em1, scale - Vector512<float>.One);
        // d = m + 2 rounds away up to half an ulp of d; dLo is that rounding error exactly (Fast2Sum of max(m, 2) and min(m, 2)),
        // and the quotient's correction step divides by d + dLo, so the float rounding of the denominator costs nothing.
        var two = Vector512.Create(2.0f);
        var d = m + two;
        var dLo = Vector512.MinNative(m, two) - (d - Vector512.MaxNative(m, two));
        var t = Quotient(m, d, dLo);
        t = Vector512.ConditionalSelect(Vector512.IsNaN(x), x, t);
        return (t & ~sign) | (x & sign);
    }

    /// <summary>
    /// <c>n / (d + dLo)</c> for finite <c>d ≥ 2</c> and <c>|dLo| ≤ ½ ulp(d)</c> in single precision: the 14-bit reciprocal estimate
    /// refined by one Newton step (to about 2⁻²⁸), then one correction of the quotient by its residual
    /// <c>n − q·d − q·dLo</c> (the first part exact by FMA).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Quotient(Vector512<float> n, Vector512<float> d, Vector512<float> dLo)
    {
        Vector512<float> r;
        if (Avx512F.IsSupported)
        {
            r = Avx512F.Reciprocal14(d);
            r = Vector512.FusedMultiplyAdd(r, Vector512.FusedMultiplyAdd(-d, r, Vector512<float>.One), r);
        }
        else
        {
            r = Vector512<float>.One / d;
        }
        var q = n * r;
        var residual = Vector512.FusedMultiplyAdd(-q, dLo, Vector512.FusedMultiplyAdd(-q, d, n));
        return Vector512.FusedMultiplyAdd(residual, r, q);
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

    /// <summary><c>destination[c] (+)= Σ_r x[r, c]</c> over <paramref name="rows"/> rows (in double or single precision).</summary>
    public static void ColumnSums<T>(ReadOnlySpan<T> x, int rows, int cols, Span<T> destination, bool accumulate)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Debug.Assert(x.Length >= rows * cols && destination.Length >= cols);
        int lanes = Vector512<T>.Count;
        fixed (T* px = x, pd = destination)
        {
            int c = 0;
            for (; c + lanes <= cols; c += lanes)
            {
                Vector512<T> s0 = default, s1 = default;
                T* q = px + c;
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
            if (cols < lanes && rows > lanes)
            {
                // Fewer columns than lanes (the output layers' biases): one vector holds all the column sums in its first lanes,
                // and row r is added to it with one load of the L elements from the row's start. Each lane still adds its
                // column's rows one after another, in row order, exactly as the scalar loop below, but all columns at once.
                // The last rows, whose L-element load would run past the end, go through the scalar loop.
                int vectorRows = rows - ((lanes + cols - 1) / cols);
                Vector512<T> acc = default;
                T* q = px;
                for (int r = 0; r < vectorRows; r++, q += cols)
                {
                    acc += Vector512.Load(q);
                }
                for (; c < cols; c++)
                {
                    T s = acc.GetElement(c);
                    T* qc = px + (vectorRows * cols) + c;
                    for (int r = vectorRows; r < rows; r++, qc += cols)
                    {
                        s += *qc;
                    }
                    pd[c] = accumulate ? pd[c] + s : s;
                }
                return;
            }
            for (; c < cols; c++)
            {
                T s = T.Zero;
                T* q = px + c;
                for (int r = 0; r < rows; r++, q += cols)
                {
                    s += *q;
                }
                pd[c] = accumulate ? pd[c] + s : s;
            }
        }
    }

    /// <summary><c>destination[i] = (float)source[i]</c> (round to nearest even) over <c>source.Length</c> elements.</summary>
    public static void Narrow(ReadOnlySpan<double> source, Span<float> destination)
    {
        Debug.Assert(destination.Length >= source.Length);
        int n = source.Length;
        fixed (double* ps = source)
        fixed (float* pd = destination)
        {
            int i = 0;
            for (; i + 16 <= n; i += 16)
            {
                Vector512.Narrow(Vector512.Load(ps + i), Vector512.Load(ps + i + 8)).Store(pd + i);
            }
            for (; i < n; i++)
            {
                pd[i] = (float)ps[i];
            }
        }
    }

    /// <summary><c>destination[i] (+)= source[i]</c> widened exactly to double, over <c>source.Length</c> elements.</summary>
    public static void Widen(ReadOnlySpan<float> source, Span<double> destination, bool accumulate)
    {
        Debug.Assert(destination.Length >= source.Length);
        int n = source.Length;
        fixed (float* ps = source)
        fixed (double* pd = destination)
        {
            int i = 0;
            for (; i + 16 <= n; i += 16)
            {
                var v = Vector512.Load(ps + i);
                var lo = Vector512.WidenLower(v);
                var hi = Vector512.WidenUpper(v);
                if (accumulate)
                {
                    lo += Vector512.Load(pd + i);
                    hi += Vector512.Load(pd + i + 8);
                }
                lo.Store(pd + i);
                hi.Store(pd + i + 8);
            }
            for (; i < n; i++)
            {
                pd[i] = accumulate ? pd[i] + ps[i] : ps[i];
            }
        }
    }
}
