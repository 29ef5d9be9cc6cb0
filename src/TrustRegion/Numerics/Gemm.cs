using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TrustRegion.Numerics;

/// <summary>
/// Register-blocked matrix products for the network passes, in double or single precision (one generic implementation;
/// the JIT compiles a separate specialised copy for <see cref="double"/> and for <see cref="float"/>). One product shape
/// serves all three passes: <c>C[m×n] (+)= A[m×k] · B[k×n]</c>, with B and C row-major and A addressed through strides
/// (<c>A(i, p) = a[i·rsA + p·csA]</c>), so that
/// <list type="bullet">
/// <item>forward <c>Y = X · W</c> (W stored [in × out]) is <c>rsA = in, csA = 1</c>;</item>
/// <item>the weight gradient <c>dW = Xᵀ · dY</c> is <c>rsA = 1, csA = in</c> (A read transposed, no copy);</item>
/// <item>the input gradient <c>dX = dY · Wᵀ</c> uses a transposed copy of the small weight matrix (<see cref="Transpose"/>).</item>
/// </list>
/// </summary>
/// <remarks>
/// With L = <c>Vector512&lt;T&gt;.Count</c> lanes (8 doubles or 16 floats), the main micro-kernel keeps a 4 × 4L block of C in
/// sixteen 512-bit accumulators (4 rows × 4 vectors): per step of p it loads one row of B (4 vectors), broadcasts 4 elements
/// of A and issues 16 fused multiply-adds. The inner dimension is split into panels of <see cref="KBlock"/> so the B panel stays
/// in the first-level cache when k is a batch of thousands. Column tails narrower than L use a dot-product form along p
/// (A rows contiguous) or along i (A columns contiguous). Sums are reordered relative to the scalar reference, so results
/// agree to rounding only. Internal: callers are trusted; shapes are asserted, not checked.
/// </remarks>
internal static unsafe class Gemm
{
    /// <summary>Element-wise function fused after a product (and its bias).</summary>
    internal enum Epilogue
    {
        /// <summary>Identity.</summary>
        None,

        /// <summary><c>tanh(c)</c> (<see cref="Kernels.TanhVector(Vector512{double})"/> or its single-precision counterpart).</summary>
        Tanh,

        /// <summary><c>max(c, 0)</c>.</summary>
        ReLU,

        /// <summary><c>c · (1 − y²)</c> with y the saved tanh output.</summary>
        TanhDerivative,

        /// <summary><c>y &gt; 0 ? c : 0</c> with y the saved ReLU output.</summary>
        ReLUDerivative,
    }

    /// <summary>Inner-dimension panel length.</summary>
    private const int KBlock = 64;

    /// <summary>
    /// <c>C = A·B</c>, or <c>C += A·B</c> when <paramref name="accumulate"/>; then, if given, the fused epilogue
    /// <c>C[i, j] = f(C[i, j] + bias[j], saved[i, j])</c> while the block is still in cache (see <see cref="Epilogue"/>).
    /// </summary>
    /// <typeparam name="T"><see cref="double"/> or <see cref="float"/>.</typeparam>
    /// <param name="m">Rows of C.</param>
    /// <param name="n">Columns of C.</param>
    /// <param name="k">Inner dimension.</param>
    /// <param name="a">A, addressed as <c>a[i·rsA + p·csA]</c>.</param>
    /// <param name="rsA">Row stride of A.</param>
    /// <param name="csA">Column stride of A.</param>
    /// <param name="b">B, row-major.</param>
    /// <param name="ldb">Leading dimension of B.</param>
    /// <param name="c">C, row-major.</param>
    /// <param name="ldc">Leading dimension of C.</param>
    /// <param name="accumulate">Add the product to C instead of overwriting it.</param>
    /// <param name="bias">Added to every row (length ≥ n) when non-empty.</param>
    /// <param name="epilogue">Element-wise function applied after the bias.</param>
    /// <param name="saved">For the derivative epilogues: the saved activations y, laid out like C (leading dimension ldc).</param>
    public static void Multiply<T>(int m, int n, int k, ReadOnlySpan<T> a, int rsA, int csA, ReadOnlySpan<T> b, int ldb, Span<T> c, int ldc, bool accumulate,
        ReadOnlySpan<T> bias = default, Epilogue epilogue = Epilogue.None, ReadOnlySpan<T> saved = default)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Debug.Assert(typeof(T) == typeof(double) || typeof(T) == typeof(float));
        Debug.Assert(bias.IsEmpty || bias.Length >= n);
        Debug.Assert(epilogue is not (Epilogue.TanhDerivative or Epilogue.ReLUDerivative) || saved.Length >= ((m - 1) * ldc) + n);
        Debug.Assert(m >= 0 && n >= 0 && k >= 0);
        Debug.Assert(m == 0 || k == 0 || a.Length >= ((m - 1) * rsA) + ((k - 1) * csA) + 1);
        Debug.Assert(k == 0 || n == 0 || b.Length >= ((k - 1) * ldb) + n);
        Debug.Assert(m == 0 || n == 0 || c.Length >= ((m - 1) * ldc) + n);
        if (m == 0 || n == 0)
        {
            return;
        }
        fixed (T* pa = a, pb = b, pc = c, pbias = bias, psaved = saved)
        {
            var post = new Post<T>(bias.IsEmpty ? null : pbias, epilogue, psaved, ldc);
            if (k == 0)
            {
                if (!accumulate)
                {
                    for (int i = 0; i < m; i++)
                    {
                        new Span<T>(pc + (i * ldc), n).Clear();
                    }
                }
                Finish(post, pc, 0, 0, m, n);
                return;
            }
            for (int p0 = 0; p0 < k; p0 += KBlock)
            {
                int kc = Math.Min(KBlock, k - p0);
                bool acc = accumulate || p0 > 0;
                Panel(m, n, kc, pa + (p0 * csA), rsA, csA, pb + (p0 * ldb), ldb, pc, ldc, acc, p0 + kc == k ? post : default);
            }
        }
    }

    /// <summary>Writes the transpose of the row-major [rows × cols] matrix <paramref name="source"/> into <paramref name="destination"/> [cols × rows].</summary>
    public static void Transpose<T>(ReadOnlySpan<T> source, int rows, int cols, Span<T> destination)
        where T : unmanaged
    {
        if (source.Length < rows * cols || destination.Length < rows * cols)
        {
            throw new ArgumentException($"Transpose of [{rows} × {cols}] needs {rows * cols} elements; source has {source.Length}, destination {destination.Length}.");
        }
        fixed (T* ps = source, pd = destination)
        {
            if (typeof(T) == typeof(float) && Avx512F.IsSupported && rows >= 16 && cols >= 16)
            {
                TransposeSingle((float*)ps, rows, cols, (float*)pd);
                return;
            }
            // 8 × 8 tiles: 8 source rows are read together and each destination row of the tile is written contiguously.
            int r = 0;
            for (; r + 8 <= rows; r += 8)
            {
                T* s0 = ps + (r * cols);
                for (int q = 0; q < cols; q++)
                {
                    T* d = pd + (q * rows) + r;
                    d[0] = s0[q];
                    d[1] = s0[cols + q];
                    d[2] = s0[(2 * cols) + q];
                    d[3] = s0[(3 * cols) + q];
                    d[4] = s0[(4 * cols) + q];
                    d[5] = s0[(5 * cols) + q];
                    d[6] = s0[(6 * cols) + q];
                    d[7] = s0[(7 * cols) + q];
                }
            }
            for (; r < rows; r++)
            {
                T* row = ps + (r * cols);
                for (int q = 0; q < cols; q++)
                {
                    pd[(q * rows) + r] = row[q];
                }
            }
        }
    }

    /// <summary>
    /// <see cref="Transpose{T}"/> in single precision: 16 × 16 tiles transposed in registers (pairs of floats, then of pairs,
    /// then whole 128-bit quarters interleaved), the edges element by element.
    /// </summary>
    private static void TransposeSingle(float* ps, int rows, int cols, float* pd)
    {
        int r = 0;
        for (; r + 16 <= rows; r += 16)
        {
            int q = 0;
            for (; q + 16 <= cols; q += 16)
            {
                Transpose16(ps + (r * cols) + q, cols, pd + (q * rows) + r, rows);
            }
            for (; q < cols; q++)
            {
                for (int i = r; i < r + 16; i++)
                {
                    pd[(q * rows) + i] = ps[(i * cols) + q];
                }
            }
        }
        for (; r < rows; r++)
        {
            for (int q = 0; q < cols; q++)
            {
                pd[(q * rows) + r] = ps[(r * cols) + q];
            }
        }
    }

    /// <summary>One 16 × 16 tile: source rows <paramref name="lds"/> apart, destination rows <paramref name="ldd"/> apart.</summary>
    private static void Transpose16(float* s, int lds, float* d, int ldd)
    {
        // Pairs: t(2k) = [r(2k)[4L], r(2k+1)[4L], r(2k)[4L+1], r(2k+1)[4L+1]] in each 128-bit quarter L, t(2k+1) the upper halves.
        var t0 = Avx512F.UnpackLow(Vector512.Load(s), Vector512.Load(s + lds));
        var t1 = Avx512F.UnpackHigh(Vector512.Load(s), Vector512.Load(s + lds));
        var t2 = Avx512F.UnpackLow(Vector512.Load(s + (2 * lds)), Vector512.Load(s + (3 * lds)));
        var t3 = Avx512F.UnpackHigh(Vector512.Load(s + (2 * lds)), Vector512.Load(s + (3 * lds)));
        var t4 = Avx512F.UnpackLow(Vector512.Load(s + (4 * lds)), Vector512.Load(s + (5 * lds)));
        var t5 = Avx512F.UnpackHigh(Vector512.Load(s + (4 * lds)), Vector512.Load(s + (5 * lds)));
        var t6 = Avx512F.UnpackLow(Vector512.Load(s + (6 * lds)), Vector512.Load(s + (7 * lds)));
        var t7 = Avx512F.UnpackHigh(Vector512.Load(s + (6 * lds)), Vector512.Load(s + (7 * lds)));
        var t8 = Avx512F.UnpackLow(Vector512.Load(s + (8 * lds)), Vector512.Load(s + (9 * lds)));
        var t9 = Avx512F.UnpackHigh(Vector512.Load(s + (8 * lds)), Vector512.Load(s + (9 * lds)));
        var t10 = Avx512F.UnpackLow(Vector512.Load(s + (10 * lds)), Vector512.Load(s + (11 * lds)));
        var t11 = Avx512F.UnpackHigh(Vector512.Load(s + (10 * lds)), Vector512.Load(s + (11 * lds)));
        var t12 = Avx512F.UnpackLow(Vector512.Load(s + (12 * lds)), Vector512.Load(s + (13 * lds)));
        var t13 = Avx512F.UnpackHigh(Vector512.Load(s + (12 * lds)), Vector512.Load(s + (13 * lds)));
        var t14 = Avx512F.UnpackLow(Vector512.Load(s + (14 * lds)), Vector512.Load(s + (15 * lds)));
        var t15 = Avx512F.UnpackHigh(Vector512.Load(s + (14 * lds)), Vector512.Load(s + (15 * lds)));
        // Pairs of pairs: u(4g + c) holds, in quarter L, column 4L + c of rows 4g … 4g + 3.
        Quarters(PairLow(t0, t2), PairLow(t4, t6), PairLow(t8, t10), PairLow(t12, t14), d, ldd);
        Quarters(PairHigh(t0, t2), PairHigh(t4, t6), PairHigh(t8, t10), PairHigh(t12, t14), d + ldd, ldd);
        Quarters(PairLow(t1, t3), PairLow(t5, t7), PairLow(t9, t11), PairLow(t13, t15), d + (2 * ldd), ldd);
        Quarters(PairHigh(t1, t3), PairHigh(t5, t7), PairHigh(t9, t11), PairHigh(t13, t15), d + (3 * ldd), ldd);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> PairLow(Vector512<float> x, Vector512<float> y) => Avx512F.UnpackLow(x.AsDouble(), y.AsDouble()).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> PairHigh(Vector512<float> x, Vector512<float> y) => Avx512F.UnpackHigh(x.AsDouble(), y.AsDouble()).AsSingle();

    /// <summary>
    /// Given, for one c, the vectors whose quarter L holds column 4L + c of rows 0–3, 4–7, 8–11 and 12–15, writes columns c,
    /// 4 + c, 8 + c and 12 + c (destination rows <paramref name="d"/>, + 4, + 8, + 12 rows of <paramref name="ldd"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Quarters(Vector512<float> x, Vector512<float> y, Vector512<float> z, Vector512<float> w, float* d, int ldd)
    {
        var p0 = Avx512F.Shuffle4x128(x, y, 0b01_00_01_00); // x.L0 x.L1 y.L0 y.L1
        var p1 = Avx512F.Shuffle4x128(x, y, 0b11_10_11_10); // x.L2 x.L3 y.L2 y.L3
        var q0 = Avx512F.Shuffle4x128(z, w, 0b01_00_01_00);
        var q1 = Avx512F.Shuffle4x128(z, w, 0b11_10_11_10);
        Avx512F.Shuffle4x128(p0, q0, 0b10_00_10_00).Store(d);
        Avx512F.Shuffle4x128(p0, q0, 0b11_01_11_01).Store(d + (4 * ldd));
        Avx512F.Shuffle4x128(p1, q1, 0b10_00_10_00).Store(d + (8 * ldd));
        Avx512F.Shuffle4x128(p1, q1, 0b11_01_11_01).Store(d + (12 * ldd));
    }

    /// <summary>Scalar reference: <c>C (+)= A·B</c> in the plain triple loop (for tests).</summary>
    public static void MultiplyReference<T>(int m, int n, int k, ReadOnlySpan<T> a, int rsA, int csA, ReadOnlySpan<T> b, int ldb, Span<T> c, int ldc, bool accumulate)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                T s = accumulate ? c[(i * ldc) + j] : T.Zero;
                for (int p = 0; p < k; p++)
                {
                    s += a[(i * rsA) + (p * csA)] * b[(p * ldb) + j];
                }
                c[(i * ldc) + j] = s;
            }
        }
    }

    /// <summary>Lanes per 512-bit vector: 8 doubles or 16 floats (a JIT-time constant in each specialisation).</summary>
    private static int Lanes<T>() => Vector512<T>.Count;

    /// <summary><c>a · b + c</c> with one rounding, for either element type (the type test folds away when the JIT specialises).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<T> Fma<T>(Vector512<T> a, Vector512<T> b, Vector512<T> c)
    {
        if (typeof(T) == typeof(double))
        {
            return Vector512.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        }
        return Vector512.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
    }

    private static void Panel<T>(int m, int n, int k, T* a, int rsA, int csA, T* b, int ldb, T* c, int ldc, bool acc, Post<T> post)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int lanes = Lanes<T>();
        int j = 0;
        for (; j + (4 * lanes) <= n; j += 4 * lanes)
        {
            int i = 0;
            for (; i + 4 <= m; i += 4)
            {
                Kernel4x4V(k, a + (i * rsA), rsA, csA, b + j, ldb, c + (i * ldc) + j, ldc, acc);
                Finish(post, c, i, j, 4, 4 * lanes);
            }
            for (; i + 2 <= m; i += 2)
            {
                Kernel2x4V(k, a + (i * rsA), rsA, csA, b + j, ldb, c + (i * ldc) + j, ldc, acc);
                Finish(post, c, i, j, 2, 4 * lanes);
            }
            for (; i < m; i++)
            {
                Kernel1xV(4, k, a + (i * rsA), csA, b + j, ldb, c + (i * ldc) + j, acc);
                Finish(post, c, i, j, 1, 4 * lanes);
            }
        }
        for (; j + (2 * lanes) <= n; j += 2 * lanes)
        {
            int i = 0;
            for (; i + 4 <= m; i += 4)
            {
                Kernel4x2V(k, a + (i * rsA), rsA, csA, b + j, ldb, c + (i * ldc) + j, ldc, acc);
                Finish(post, c, i, j, 4, 2 * lanes);
            }
            for (; i < m; i++)
            {
                Kernel1xV(2, k, a + (i * rsA), csA, b + j, ldb, c + (i * ldc) + j, acc);
                Finish(post, c, i, j, 1, 2 * lanes);
            }
        }
        for (; j + lanes <= n; j += lanes)
        {
            int i = 0;
            for (; i + 4 <= m; i += 4)
            {
                Kernel4x1V(k, a + (i * rsA), rsA, csA, b + j, ldb, c + (i * ldc) + j, ldc, acc);
                Finish(post, c, i, j, 4, lanes);
            }
            for (; i < m; i++)
            {
                Kernel1xV(1, k, a + (i * rsA), csA, b + j, ldb, c + (i * ldc) + j, acc);
                Finish(post, c, i, j, 1, lanes);
            }
        }
        if (j < n)
        {
            NarrowColumns(m, n - j, k, a, rsA, csA, b + j, ldb, c + j, ldc, acc);
            Finish(post, c, 0, j, m, n - j);
        }
    }

    /// <summary>The fused epilogue of the last inner-dimension panel; default means none.</summary>
    private readonly struct Post<T>(T* bias, Epilogue kind, T* saved, int ldc)
        where T : unmanaged
    {
        public readonly T* Bias = bias;
        public readonly Epilogue Kind = kind;
        public readonly T* Saved = saved;
        public readonly int Ldc = ldc;

        public bool Active => Bias != null || Kind != Epilogue.None;
    }

    /// <summary>Applies the epilogue to the just-computed block C[i0 .. i0+rows, j0 .. j0+cols] while it is hot in cache.</summary>
    /// <remarks>
    /// Dispatches once per block to a loop specialised for the epilogue kind (the kind is a struct type argument, so the JIT
    /// compiles one loop per kind with no per-vector switch); a partial vector at the right edge goes through
    /// <see cref="FinishTail"/>, so the common full-width path needs no stack scratch and stays small.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish<T>(Post<T> post, T* c, int i0, int j0, int rows, int cols)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (!post.Active)
        {
            return;
        }
        switch (post.Kind)
        {
            case Epilogue.Tanh:
                FinishBlock<T, TanhOp>(post, c, i0, j0, rows, cols);
                break;
            case Epilogue.TanhDerivative:
                FinishBlock<T, TanhDerivativeOp>(post, c, i0, j0, rows, cols);
                break;
            case Epilogue.ReLU:
                FinishBlock<T, ReLUOp>(post, c, i0, j0, rows, cols);
                break;
            case Epilogue.ReLUDerivative:
                FinishBlock<T, ReLUDerivativeOp>(post, c, i0, j0, rows, cols);
                break;
            default:
                FinishBlock<T, IdentityOp>(post, c, i0, j0, rows, cols);
                break;
        }
    }

    private static void FinishBlock<T, TOp>(Post<T> post, T* c, int i0, int j0, int rows, int cols)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOp : struct, IEpilogueOp
    {
        int ldc = post.Ldc;
        int lanes = Lanes<T>();
        int full = cols & ~(lanes - 1);
        T* brow = post.Bias == null ? null : post.Bias + j0;
        if (typeof(TOp) == typeof(IdentityOp) && full == 0 && brow != null && j0 == 0 && ldc == cols && rows * cols >= 4 * lanes)
        {
            AddNarrowBias(c + (i0 * ldc), rows, cols, brow);
            return;
        }
        for (int r = 0; r < rows; r++)
        {
            T* row = c + ((i0 + r) * ldc) + j0;
            T* srow = TOp.UsesSaved ? post.Saved + ((i0 + r) * ldc) + j0 : null;
            if (brow != null)
            {
                for (int q = 0; q < full; q += lanes)
                {
                    var v = Vector512.Load(row + q) + Vector512.Load(brow + q);
                    TOp.Apply(v, TOp.UsesSaved ? Vector512.Load(srow + q) : default).Store(row + q);
                }
            }
            else
            {
                for (int q = 0; q < full; q += lanes)
                {
                    TOp.Apply(Vector512.Load(row + q), TOp.UsesSaved ? Vector512.Load(srow + q) : default).Store(row + q);
                }
            }
            if (full < cols)
            {
                if (typeof(TOp) == typeof(IdentityOp))
                {
                    // Bias only (the narrow output layers): one addition per element, as the vector path does, inline.
                    if (brow != null)
                    {
                        for (int t = full; t < cols; t++)
                        {
                            row[t] += brow[t];
                        }
                    }
                }
                else
                {
                    FinishTail(post.Kind, row + full, srow == null ? null : srow + full, brow == null ? null : brow + full, cols - full);
                }
            }
        }
    }

    /// <summary>
    /// The bias of a narrow output layer (fewer columns than a vector) over a contiguous block of rows, as whole vectors: the
    /// bias repeats every <paramref name="cols"/> elements, so a pattern of lcm(cols, L) elements, written once, lines up with
    /// every stretch of that length. Each element gets the same single addition as row by row.
    /// </summary>
    [SkipLocalsInit] // the pattern is written in full before it is read
    private static void AddNarrowBias<T>(T* c, int rows, int cols, T* bias)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int lanes = Lanes<T>();
        int period = cols;
        while (period % lanes != 0)
        {
            period += cols;
        }
        T* pattern = stackalloc T[16 * 15];
        for (int t = 0; t < period; t++)
        {
            pattern[t] = bias[t % cols];
        }
        int total = rows * cols;
        int t0 = 0;
        for (; t0 + period <= total; t0 += period)
        {
            for (int q = 0; q < period; q += lanes)
            {
                (Vector512.Load(c + t0 + q) + Vector512.Load(pattern + q)).Store(c + t0 + q);
            }
        }
        for (int t = t0; t < total; t++)
        {
            c[t] += pattern[t - t0];
        }
    }

    /// <summary>
    /// The last <paramref name="w"/> (&lt; L) columns of one row under an activation epilogue, through the same vector code as
    /// full vectors (the bias-only tail of the narrow output layers is added inline in <see cref="FinishBlock"/>). Kept out of
    /// line so that the full-width path needs no stack scratch.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    [SkipLocalsInit] // both scratch vectors are written in full before they are read
    private static void FinishTail<T>(Epilogue kind, T* row, T* srow, T* brow, int w)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Debug.Assert(kind != Epilogue.None);
        int lanes = Lanes<T>();
        T* tmp = stackalloc T[16];
        T* tmpSaved = stackalloc T[16];
        for (int t = 0; t < lanes; t++)
        {
            tmp[t] = t < w ? row[t] + (brow != null ? brow[t] : T.Zero) : T.Zero;
            tmpSaved[t] = t < w && srow != null ? srow[t] : T.Zero;
        }
        var v = Apply(kind, Vector512.Load(tmp), Vector512.Load(tmpSaved));
        for (int t = 0; t < w; t++)
        {
            row[t] = v.GetElement(t);
        }
    }

    /// <summary>An element-wise epilogue as a type, so that <see cref="FinishBlock"/> is specialised per kind.</summary>
    private interface IEpilogueOp
    {
        static abstract bool UsesSaved { get; }

        static abstract Vector512<T> Apply<T>(Vector512<T> v, Vector512<T> y)
            where T : unmanaged, IBinaryFloatingPointIeee754<T>;
    }

    private readonly struct IdentityOp : IEpilogueOp
    {
        public static bool UsesSaved => false;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> Apply<T>(Vector512<T> v, Vector512<T> y)
            where T : unmanaged, IBinaryFloatingPointIeee754<T> => v;
    }

    private readonly struct TanhOp : IEpilogueOp
    {
        public static bool UsesSaved => false;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> Apply<T>(Vector512<T> v, Vector512<T> y)
            where T : unmanaged, IBinaryFloatingPointIeee754<T> => Kernels.TanhVectorOf(v);
    }

    private readonly struct ReLUOp : IEpilogueOp
    {
        public static bool UsesSaved => false;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> Apply<T>(Vector512<T> v, Vector512<T> y)
            where T : unmanaged, IBinaryFloatingPointIeee754<T> => Vector512.Max(v, Vector512<T>.Zero);
    }

    private readonly struct TanhDerivativeOp : IEpilogueOp
    {
        public static bool UsesSaved => true;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> Apply<T>(Vector512<T> v, Vector512<T> y)
            where T : unmanaged, IBinaryFloatingPointIeee754<T> => v * Fma(-y, y, Vector512<T>.One);
    }

    private readonly struct ReLUDerivativeOp : IEpilogueOp
    {
        public static bool UsesSaved => true;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> Apply<T>(Vector512<T> v, Vector512<T> y)
            where T : unmanaged, IBinaryFloatingPointIeee754<T> => Vector512.ConditionalSelect(Vector512.GreaterThan(y, Vector512<T>.Zero), v, Vector512<T>.Zero);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Apply<T>(Epilogue kind, Vector512<T> v, Vector512<T> y)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => kind switch
    {
        Epilogue.Tanh => TanhOp.Apply(v, y),
        Epilogue.ReLU => ReLUOp.Apply(v, y),
        Epilogue.TanhDerivative => TanhDerivativeOp.Apply(v, y),
        Epilogue.ReLUDerivative => ReLUDerivativeOp.Apply(v, y),
        _ => v,
    };

    /// <summary>A 4-row by 4-vector block of C (4 × 32 doubles or 4 × 64 floats).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel4x4V<T>(int k, T* a, int rsA, int csA, T* b, int ldb, T* c, int ldc, bool acc)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int lanes = Lanes<T>();
        Vector512<T> c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33;
        c00 = c01 = c02 = c03 = c10 = c11 = c12 = c13 = c20 = c21 = c22 = c23 = c30 = c31 = c32 = c33 = Vector512<T>.Zero;
        T* a0 = a, a1 = a + rsA, a2 = a + (2 * rsA), a3 = a + (3 * rsA);
        for (int p = 0; p < k; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + lanes);
            var b2 = Vector512.Load(b + (2 * lanes));
            var b3 = Vector512.Load(b + (3 * lanes));
            var x = Vector512.Create(*a0);
            c00 = Fma(x, b0, c00);
            c01 = Fma(x, b1, c01);
            c02 = Fma(x, b2, c02);
            c03 = Fma(x, b3, c03);
            x = Vector512.Create(*a1);
            c10 = Fma(x, b0, c10);
            c11 = Fma(x, b1, c11);
            c12 = Fma(x, b2, c12);
            c13 = Fma(x, b3, c13);
            x = Vector512.Create(*a2);
            c20 = Fma(x, b0, c20);
            c21 = Fma(x, b1, c21);
            c22 = Fma(x, b2, c22);
            c23 = Fma(x, b3, c23);
            x = Vector512.Create(*a3);
            c30 = Fma(x, b0, c30);
            c31 = Fma(x, b1, c31);
            c32 = Fma(x, b2, c32);
            c33 = Fma(x, b3, c33);
            a0 += csA;
            a1 += csA;
            a2 += csA;
            a3 += csA;
            b += ldb;
        }
        Store4(c, c00, c01, c02, c03, acc);
        Store4(c + ldc, c10, c11, c12, c13, acc);
        Store4(c + (2 * ldc), c20, c21, c22, c23, acc);
        Store4(c + (3 * ldc), c30, c31, c32, c33, acc);
    }

    /// <summary>A 4-row by 2-vector block of C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel4x2V<T>(int k, T* a, int rsA, int csA, T* b, int ldb, T* c, int ldc, bool acc)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int lanes = Lanes<T>();
        Vector512<T> c00, c01, c10, c11, c20, c21, c30, c31;
        c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = Vector512<T>.Zero;
        T* a0 = a, a1 = a + rsA, a2 = a + (2 * rsA), a3 = a + (3 * rsA);
        for (int p = 0; p < k; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + lanes);
            var x = Vector512.Create(*a0);
            c00 = Fma(x, b0, c00);
            c01 = Fma(x, b1, c01);
            x = Vector512.Create(*a1);
            c10 = Fma(x, b0, c10);
            c11 = Fma(x, b1, c11);
            x = Vector512.Create(*a2);
            c20 = Fma(x, b0, c20);
            c21 = Fma(x, b1, c21);
            x = Vector512.Create(*a3);
            c30 = Fma(x, b0, c30);
            c31 = Fma(x, b1, c31);
            a0 += csA;
            a1 += csA;
            a2 += csA;
            a3 += csA;
            b += ldb;
        }
        Store2(c, c00, c01, acc);
        Store2(c + ldc, c10, c11, acc);
        Store2(c + (2 * ldc), c20, c21, acc);
        Store2(c + (3 * ldc), c30, c31, acc);
    }

    /// <summary>A 4-row by 1-vector block of C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel4x1V<T>(int k, T* a, int rsA, int csA, T* b, int ldb, T* c, int ldc, bool acc)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Vector512<T> c0 = default, c1 = default, c2 = default, c3 = default;
        T* a0 = a, a1 = a + rsA, a2 = a + (2 * rsA), a3 = a + (3 * rsA);
        for (int p = 0; p < k; p++)
        {
            var b0 = Vector512.Load(b);
            c0 = Fma(Vector512.Create(*a0), b0, c0);
            c1 = Fma(Vector512.Create(*a1), b0, c1);
            c2 = Fma(Vector512.Create(*a2), b0, c2);
            c3 = Fma(Vector512.Create(*a3), b0, c3);
            a0 += csA;
            a1 += csA;
            a2 += csA;
            a3 += csA;
            b += ldb;
        }
        Store1(c, c0, acc);
        Store1(c + ldc, c1, acc);
        Store1(c + (2 * ldc), c2, acc);
        Store1(c + (3 * ldc), c3, acc);
    }

    /// <summary>
    /// Two rows by four vectors (the 2- or 3-row tail of a panel, e.g. acting on two environment copies): each loaded vector of B
    /// serves both rows, halving the loads of one row at a time, and the eight accumulators are independent chains.
    /// </summary>
    private static void Kernel2x4V<T>(int k, T* a, int rsA, int csA, T* b, int ldb, T* c, int ldc, bool acc)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int lanes = Lanes<T>();
        Vector512<T> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector512<T> c10 = default, c11 = default, c12 = default, c13 = default;
        T* a0 = a;
        T* a1 = a + rsA;
        for (int p = 0; p < k; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + lanes);
            var b2 = Vector512.Load(b + (2 * lanes));
            var b3 = Vector512.Load(b + (3 * lanes));
            var x0 = Vector512.Create(*a0);
            var x1 = Vector512.Create(*a1);
            c00 = Fma(x0, b0, c00);
            c01 = Fma(x0, b1, c01);
            c02 = Fma(x0, b2, c02);
            c03 = Fma(x0, b3, c03);
            c10 = Fma(x1, b0, c10);
            c11 = Fma(x1, b1, c11);
            c12 = Fma(x1, b2, c12);
            c13 = Fma(x1, b3, c13);
            a0 += csA;
            a1 += csA;
            b += ldb;
        }
        Store4(c, c00, c01, c02, c03, acc);
        Store4(c + ldc, c10, c11, c12, c13, acc);
    }

    /// <summary>One row of C, <paramref name="vectors"/> (1, 2 or 4) vectors wide.</summary>
    /// <remarks>
    /// Each vector of C sums the even steps of p in one accumulator and the odd steps in another, then adds the two. Four vectors
    /// wide (a single row acting or being evaluated), the four vectors' eight accumulators advance together so that their
    /// chains overlap; every element is computed by the same operations in the same order as one vector at a time.
    /// </remarks>
    private static void Kernel1xV<T>(int vectors, int k, T* a, int csA, T* b, int ldb, T* c, bool acc)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int lanes = Lanes<T>();
        if (vectors == 4)
        {
            Vector512<T> e0 = default, e1 = default, e2 = default, e3 = default, o0 = default, o1 = default, o2 = default, o3 = default;
            T* ap = a;
            T* bp = b;
            int p = 0;
            for (; p + 2 <= k; p += 2)
            {
                var x = Vector512.Create(*ap);
                var y = Vector512.Create(ap[csA]);
                T* bq = bp + ldb;
                e0 = Fma(x, Vector512.Load(bp), e0);
                e1 = Fma(x, Vector512.Load(bp + lanes), e1);
                e2 = Fma(x, Vector512.Load(bp + (2 * lanes)), e2);
                e3 = Fma(x, Vector512.Load(bp + (3 * lanes)), e3);
                o0 = Fma(y, Vector512.Load(bq), o0);
                o1 = Fma(y, Vector512.Load(bq + lanes), o1);
                o2 = Fma(y, Vector512.Load(bq + (2 * lanes)), o2);
                o3 = Fma(y, Vector512.Load(bq + (3 * lanes)), o3);
                ap += 2 * csA;
                bp += 2 * ldb;
            }
            if (p < k)
            {
                var x = Vector512.Create(*ap);
                e0 = Fma(x, Vector512.Load(bp), e0);
                e1 = Fma(x, Vector512.Load(bp + lanes), e1);
                e2 = Fma(x, Vector512.Load(bp + (2 * lanes)), e2);
                e3 = Fma(x, Vector512.Load(bp + (3 * lanes)), e3);
            }
            Store4(c, e0 + o0, e1 + o1, e2 + o2, e3 + o3, acc);
            return;
        }
        for (int v = 0; v < vectors; v++)
        {
            Vector512<T> c0 = default, c1 = default;
            T* ap = a;
            T* bp = b + (lanes * v);
            int p = 0;
            for (; p + 2 <= k; p += 2)
            {
                c0 = Fma(Vector512.Create(*ap), Vector512.Load(bp), c0);
                c1 = Fma(Vector512.Create(ap[csA]), Vector512.Load(bp + ldb), c1);
                ap += 2 * csA;
                bp += 2 * ldb;
            }
            if (p < k)
            {
                c0 = Fma(Vector512.Create(*ap), Vector512.Load(bp), c0);
            }
            Store1(c + (lanes * v), c0 + c1, acc);
        }
    }

    /// <summary>Fewer than L columns left: vectorise along the inner dimension (A rows contiguous) or along the rows (A columns contiguous).</summary>
    [SkipLocalsInit] // the stack copy of B is written before it is read
    private static void NarrowColumns<T>(int m, int n, int k, T* a, int rsA, int csA, T* b, int ldb, T* c, int ldc, bool acc)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int lanes = Lanes<T>();
        if (rsA == 1)
        {
            // C(i..i+L−1, j..j+3) = Σ_p A(i..i+L−1, p) · B(p, j..j+3): one contiguous load of A's column serves up to 4 broadcasts of B.
            int i = 0;
            for (; i + (4 * lanes) <= m; i += 4 * lanes)
            {
                for (int j = 0; j < n; j += 4)
                {
                    Narrow4VxW(Math.Min(4, n - j), k, a + i, csA, b + j, ldb, c + (i * ldc) + j, ldc, acc);
                }
            }
            for (; i + lanes <= m; i += lanes)
            {
                for (int j = 0; j < n; j += 4)
                {
                    NarrowVxW(Math.Min(4, n - j), k, a + i, csA, b + j, ldb, c + (i * ldc) + j, ldc, acc);
                }
            }
            ScalarBlock(i, m, n, k, a, rsA, csA, b, ldb, c, ldc, acc);
            return;
        }
        if (csA == 1 && k >= lanes && m < SmallNarrowRows && Avx512F.IsSupported)
        {
            for (int i = 0; i < m; i++)
            {
                NarrowRow(n, k, a + (i * rsA), b, ldb, c + (i * ldc), acc);
            }
            return;
        }
        if (csA == 1 && k >= lanes)
        {
            // C(i, j) = dot(A(i, ·), B(·, j)); B's column is strided, so gather it once per panel into a stack copy.
            int kv = k & ~(lanes - 1);
            const int MaxNarrow = 15; // fewer than 16 float (8 double) columns reach this path
            T* bt = stackalloc T[MaxNarrow * KBlock];
            for (int j = 0; j < n; j++)
            {
                for (int p = 0; p < k; p++)
                {
                    bt[(j * KBlock) + p] = b[(p * ldb) + j];
                }
            }
            int i = 0;
            if (typeof(T) == typeof(float) && Avx512F.IsSupported)
            {
                for (; i + 16 <= m; i += 16)
                {
                    DotColumns16((float*)(a + (i * rsA)), rsA, (float*)bt, n, k, kv, (float*)(c + (i * ldc)), ldc, acc);
                }
            }
            for (; i < m; i++)
            {
                T* ai = a + (i * rsA);
                for (int j = 0; j < n; j++)
                {
                    T* bj = bt + (j * KBlock);
                    Vector512<T> s = default;
                    int p = 0;
                    for (; p < kv; p += lanes)
                    {
                        s = Fma(Vector512.Load(ai + p), Vector512.Load(bj + p), s);
                    }
                    T t = Vector512.Sum(s);
                    for (; p < k; p++)
                    {
                        t += ai[p] * bj[p];
                    }
                    T* dst = c + (i * ldc) + j;
                    *dst = acc ? *dst + t : t;
                }
            }
            return;
        }
        ScalarBlock(0, m, n, k, a, rsA, csA, b, ldb, c, ldc, acc);
    }

    /// <summary>
    /// Below this many rows a narrow product with row-contiguous A goes through <see cref="NarrowRow{T}"/>, which reads B as it
    /// lies; from it on, the gather of B's columns into a stack copy is paid once for enough rows to be worth it.
    /// </summary>
    private const int SmallNarrowRows = 16;

    /// <summary>
    /// One row of a narrow product (n &lt; L columns, row-contiguous A), bit for bit the dot-product form of
    /// <see cref="NarrowColumns{T}"/> without its gather of B's columns (acting on one or two observations paid more for that
    /// gather than for the product). That form keeps, for each element, L partial sums (lane l takes p = l, l + L, …), adds them
    /// by <see cref="Vector512.Sum{T}(Vector512{T})"/>'s pairwise tree and then the tail p ≥ kv in order. Here partial sum l of
    /// every column of the row is one vector across the columns: P_l += A(i, p) · B(p, ·) for the p of lane l, the same fused
    /// multiply-adds in the same order; the L vectors are then added by the same tree, and the tail row by row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void NarrowRow<T>(int n, int k, T* ai, T* b, int ldb, T* ci, bool acc)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int lanes = Lanes<T>();
        int kv = k & ~(lanes - 1);
        Vector512<T> mask = ColumnMask<T>(n);
        Vector512<T> p0 = default, p1 = default, p2 = default, p3 = default, p4 = default, p5 = default, p6 = default, p7 = default;
        Vector512<T> p8 = default, p9 = default, p10 = default, p11 = default, p12 = default, p13 = default, p14 = default, p15 = default;
        for (int p = 0; p < kv; p += lanes)
        {
            T* ap = ai + p;
            T* bp = b + (p * ldb);
            p0 = Fma(Vector512.Create(ap[0]), MaskedLoad(bp, mask), p0);
            p1 = Fma(Vector512.Create(ap[1]), MaskedLoad(bp + ldb, mask), p1);
            p2 = Fma(Vector512.Create(ap[2]), MaskedLoad(bp + (2 * ldb), mask), p2);
            p3 = Fma(Vector512.Create(ap[3]), MaskedLoad(bp + (3 * ldb), mask), p3);
            p4 = Fma(Vector512.Create(ap[4]), MaskedLoad(bp + (4 * ldb), mask), p4);
            p5 = Fma(Vector512.Create(ap[5]), MaskedLoad(bp + (5 * ldb), mask), p5);
            p6 = Fma(Vector512.Create(ap[6]), MaskedLoad(bp + (6 * ldb), mask), p6);
            p7 = Fma(Vector512.Create(ap[7]), MaskedLoad(bp + (7 * ldb), mask), p7);
            if (lanes == 16)
            {
                p8 = Fma(Vector512.Create(ap[8]), MaskedLoad(bp + (8 * ldb), mask), p8);
                p9 = Fma(Vector512.Create(ap[9]), MaskedLoad(bp + (9 * ldb), mask), p9);
                p10 = Fma(Vector512.Create(ap[10]), MaskedLoad(bp + (10 * ldb), mask), p10);
                p11 = Fma(Vector512.Create(ap[11]), MaskedLoad(bp + (11 * ldb), mask), p11);
                p12 = Fma(Vector512.Create(ap[12]), MaskedLoad(bp + (12 * ldb), mask), p12);
                p13 = Fma(Vector512.Create(ap[13]), MaskedLoad(bp + (13 * ldb), mask), p13);
                p14 = Fma(Vector512.Create(ap[14]), MaskedLoad(bp + (14 * ldb), mask), p14);
                p15 = Fma(Vector512.Create(ap[15]), MaskedLoad(bp + (15 * ldb), mask), p15);
            }
        }
        // Vector512.Sum's tree: lanes in adjacent pairs within each 128-bit quarter, then the quarters as (q0 + q1) + (q2 + q3).
        Vector512<T> sum = lanes == 16
            ? (((p0 + p1) + (p2 + p3)) + ((p4 + p5) + (p6 + p7))) + (((p8 + p9) + (p10 + p11)) + ((p12 + p13) + (p14 + p15)))
            : ((p0 + p1) + (p2 + p3)) + ((p4 + p5) + (p6 + p7));
        for (int p = kv; p < k; p++)
        {
            sum += Vector512.Create(ai[p]) * MaskedLoad(b + (p * ldb), mask);
        }
        if (acc)
        {
            sum = MaskedLoad(ci, mask) + sum;
        }
        if (typeof(T) == typeof(double))
        {
            Avx512F.MaskStore((double*)ci, mask.AsDouble(), sum.AsDouble());
        }
        else
        {
            Avx512F.MaskStore((float*)ci, mask.AsSingle(), sum.AsSingle());
        }
    }

    /// <summary>All bits set in the first <paramref name="n"/> lanes, clear in the others.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> ColumnMask<T>(int n)
        where T : unmanaged
    {
        if (typeof(T) == typeof(double))
        {
            return Vector512.LessThan(Vector512<long>.Indices, Vector512.Create((long)n)).As<long, T>();
        }
        return Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(n)).As<int, T>();
    }

    /// <summary>The lanes of <paramref name="mask"/> loaded from <paramref name="source"/>, zero elsewhere (nothing past them is read).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> MaskedLoad<T>(T* source, Vector512<T> mask)
        where T : unmanaged
    {
        if (typeof(T) == typeof(double))
        {
            return Avx512F.MaskLoad((double*)source, mask.AsDouble(), Vector512<double>.Zero).As<double, T>();
        }
        return Avx512F.MaskLoad((float*)source, mask.AsSingle(), Vector512<float>.Zero).As<float, T>();
    }

    /// <summary>
    /// Sixteen rows of the single-precision dot-product form above, column by column: the sixteen rows' partial-sum vectors are
    /// accumulated side by side (the same fused multiply-adds in the same order as one row at a time), then reduced together by
    /// a transposing tree of shuffles that adds the lanes pairwise exactly as <see cref="Vector512.Sum{T}(Vector512{T})"/> does,
    /// so every element is bit-identical to the row-at-a-time loop at about a third of the shuffles. The tail of the inner
    /// dimension past <paramref name="kv"/> is added after the reduction, in order, as there.
    /// </summary>
    [SkipLocalsInit] // the sums are stored before they are read
    private static void DotColumns16(float* a, int rsA, float* bt, int n, int k, int kv, float* c, int ldc, bool acc)
    {
        float* sums = stackalloc float[16];
        for (int j = 0; j < n; j++)
        {
            float* bj = bt + (j * KBlock);
            Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
            Vector512<float> s8 = default, s9 = default, s10 = default, s11 = default, s12 = default, s13 = default, s14 = default, s15 = default;
            float* ap = a;
            for (int p = 0; p < kv; p += 16, ap += 16)
            {
                var b = Vector512.Load(bj + p);
                s0 = Vector512.FusedMultiplyAdd(Vector512.Load(ap), b, s0);
                s1 = Vector512.FusedMultiplyAdd(Vector512.Load(ap + rsA), b, s1);
                s2 = Vector512.FusedMultiplyAdd(Vector512.Load(ap + (2 * rsA)), b, s2);
                s3 = Vector512.FusedMultiplyAdd(Vector512.Load(ap + (3 * rsA)), b, s3);
                s4 = Vector512.FusedMultiplyAdd(Vector512.Load(ap + (4 * rsA)), b, s4);
                s5 = Vector512.FusedMultiplyAdd(Vector512.Load(ap + (5 * rsA)), b, s5);
                s6 = Vector512.FusedMultiplyAdd(Vector512.Load(ap + (6 * rsA)), b, s6);
                s7 = Vector512.FusedMultiplyAdd(Vector512.Load(ap + (7 * rsA)), b, s7);
                s8 = Vector512.FusedMultiplyAdd(Vector512.Load(ap + (8 * rsA)), b, s8);
                s9 = Vector512.FusedMultiplyAdd(Vector512.Load(ap + (9 * rsA)), b, s9);
                s10 = Vector512.FusedMultiplyAdd(Vector512.Load(ap + (10 * rsA)), b, s10);
                s11 = Vector512.FusedMultiplyAdd(Vector512.Load(ap + (11 * rsA)), b, s11);
                s12 = Vector512.FusedMultiplyAdd(Vector512.Load(ap + (12 * rsA)), b, s12);
                s13 = Vector512.FusedMultiplyAdd(Vector512.Load(ap + (13 * rsA)), b, s13);
                s14 = Vector512.FusedMultiplyAdd(Vector512.Load(ap + (14 * rsA)), b, s14);
                s15 = Vector512.FusedMultiplyAdd(Vector512.Load(ap + (15 * rsA)), b, s15);
            }
            // Lanes 4q … 4q+3 of each row summed as (e0 + e1) + (e2 + e3) within every 128-bit quarter, four rows to a vector …
            var rows0to3 = AdjacentPairs(AdjacentPairs(s0, s1), AdjacentPairs(s2, s3));
            var rows4to7 = AdjacentPairs(AdjacentPairs(s4, s5), AdjacentPairs(s6, s7));
            var rows8to11 = AdjacentPairs(AdjacentPairs(s8, s9), AdjacentPairs(s10, s11));
            var rows12to15 = AdjacentPairs(AdjacentPairs(s12, s13), AdjacentPairs(s14, s15));
            // … then the quarters as (q0 + q1) + (q2 + q3): lane r of the result is row r's sum.
            var rowSums = AdjacentQuarters(AdjacentQuarters(rows0to3, rows4to7), AdjacentQuarters(rows8to11, rows12to15));
            if (kv == k)
            {
                // No tail: each lane goes straight to its element of C (a round trip through memory stalls on store forwarding).
                float* dst = c + j;
                if (acc)
                {
                    for (int r = 0; r < 16; r++)
                    {
                        dst[r * ldc] += rowSums.GetElement(r);
                    }
                }
                else
                {
                    for (int r = 0; r < 16; r++)
                    {
                        dst[r * ldc] = rowSums.GetElement(r);
                    }
                }
                continue;
            }
            rowSums.Store(sums);
            for (int r = 0; r < 16; r++)
            {
                float t = sums[r];
                float* ar = a + (r * rsA);
                for (int p = kv; p < k; p++)
                {
                    t += ar[p] * bj[p];
                }
                float* dst = c + (r * ldc) + j;
                *dst = acc ? *dst + t : t;
            }
        }
    }

    /// <summary>Within each 128-bit quarter: <c>[x0 + x1, x2 + x3, y0 + y1, y2 + y3]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> AdjacentPairs(Vector512<float> x, Vector512<float> y) =>
        Avx512F.Shuffle(x, y, 0b10_00_10_00) + Avx512F.Shuffle(x, y, 0b11_01_11_01);

    /// <summary>By 128-bit quarters: <c>[x.q0 + x.q1, x.q2 + x.q3, y.q0 + y.q1, y.q2 + y.q3]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> AdjacentQuarters(Vector512<float> x, Vector512<float> y) =>
        Avx512F.Shuffle4x128(x, y, 0b10_00_10_00) + Avx512F.Shuffle4x128(x, y, 0b11_01_11_01);

    /// <summary>
    /// A 4L-row by <paramref name="w"/>-column (1 … 4) block of C from column-contiguous A: four <see cref="NarrowVxW{T}"/>
    /// blocks side by side, so that up to sixteen independent chains hide the fused multiply-add latency that a lone column's
    /// chain waits on (the gradient of a narrow output layer sums over the whole batch). Each element is the same chain.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Narrow4VxW<T>(int w, int k, T* a, int csA, T* b, int ldb, T* c, int ldc, bool acc)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int lanes = Lanes<T>();
        Vector512<T> s00 = default, s01 = default, s02 = default, s03 = default, s10 = default, s11 = default, s12 = default, s13 = default;
        Vector512<T> s20 = default, s21 = default, s22 = default, s23 = default, s30 = default, s31 = default, s32 = default, s33 = default;
        for (int p = 0; p < k; p++)
        {
            var a0 = Vector512.Load(a);
            var a1 = Vector512.Load(a + lanes);
            var a2 = Vector512.Load(a + (2 * lanes));
            var a3 = Vector512.Load(a + (3 * lanes));
            var x = Vector512.Create(b[0]);
            s00 = Fma(a0, x, s00);
            s10 = Fma(a1, x, s10);
            s20 = Fma(a2, x, s20);
            s30 = Fma(a3, x, s30);
            if (w > 1)
            {
                x = Vector512.Create(b[1]);
                s01 = Fma(a0, x, s01);
                s11 = Fma(a1, x, s11);
                s21 = Fma(a2, x, s21);
                s31 = Fma(a3, x, s31);
                if (w > 2)
                {
                    x = Vector512.Create(b[2]);
                    s02 = Fma(a0, x, s02);
                    s12 = Fma(a1, x, s12);
                    s22 = Fma(a2, x, s22);
                    s32 = Fma(a3, x, s32);
                    if (w > 3)
                    {
                        x = Vector512.Create(b[3]);
                        s03 = Fma(a0, x, s03);
                        s13 = Fma(a1, x, s13);
                        s23 = Fma(a2, x, s23);
                        s33 = Fma(a3, x, s33);
                    }
                }
            }
            a += csA;
            b += ldb;
        }
        int block = lanes * ldc;
        StoreColumn(c, ldc, s00, acc);
        StoreColumn(c + block, ldc, s10, acc);
        StoreColumn(c + (2 * block), ldc, s20, acc);
        StoreColumn(c + (3 * block), ldc, s30, acc);
        if (w > 1)
        {
            StoreColumn(c + 1, ldc, s01, acc);
            StoreColumn(c + block + 1, ldc, s11, acc);
            StoreColumn(c + (2 * block) + 1, ldc, s21, acc);
            StoreColumn(c + (3 * block) + 1, ldc, s31, acc);
        }
        if (w > 2)
        {
            StoreColumn(c + 2, ldc, s02, acc);
            StoreColumn(c + block + 2, ldc, s12, acc);
            StoreColumn(c + (2 * block) + 2, ldc, s22, acc);
            StoreColumn(c + (3 * block) + 2, ldc, s32, acc);
        }
        if (w > 3)
        {
            StoreColumn(c + 3, ldc, s03, acc);
            StoreColumn(c + block + 3, ldc, s13, acc);
            StoreColumn(c + (2 * block) + 3, ldc, s23, acc);
            StoreColumn(c + (3 * block) + 3, ldc, s33, acc);
        }
    }

    /// <summary>An L-row by <paramref name="w"/>-column (1 … 4) block of C from column-contiguous A.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void NarrowVxW<T>(int w, int k, T* a, int csA, T* b, int ldb, T* c, int ldc, bool acc)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Vector512<T> s0 = default, s1 = default, s2 = default, s3 = default;
        for (int p = 0; p < k; p++)
        {
            var av = Vector512.Load(a);
            s0 = Fma(av, Vector512.Create(b[0]), s0);
            if (w > 1)
            {
                s1 = Fma(av, Vector512.Create(b[1]), s1);
                if (w > 2)
                {
                    s2 = Fma(av, Vector512.Create(b[2]), s2);
                    if (w > 3)
                    {
                        s3 = Fma(av, Vector512.Create(b[3]), s3);
                    }
                }
            }
            a += csA;
            b += ldb;
        }
        StoreColumn(c, ldc, s0, acc);
        if (w > 1)
        {
            StoreColumn(c + 1, ldc, s1, acc);
        }
        if (w > 2)
        {
            StoreColumn(c + 2, ldc, s2, acc);
        }
        if (w > 3)
        {
            StoreColumn(c + 3, ldc, s3, acc);
        }
    }

    /// <summary>Writes the L lanes of <paramref name="v"/> down one column of C.</summary>
    private static void StoreColumn<T>(T* c, int ldc, Vector512<T> v, bool acc)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int r = 0; r < Vector512<T>.Count; r++)
        {
            T* dst = c + (r * ldc);
            *dst = acc ? *dst + v.GetElement(r) : v.GetElement(r);
        }
    }

    private static void ScalarBlock<T>(int i0, int m, int n, int k, T* a, int rsA, int csA, T* b, int ldb, T* c, int ldc, bool acc)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int i = i0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                T s = T.Zero;
                T* ap = a + (i * rsA);
                T* bp = b + j;
                for (int p = 0; p < k; p++)
                {
                    s += *ap * *bp;
                    ap += csA;
                    bp += ldb;
                }
                T* dst = c + (i * ldc) + j;
                *dst = acc ? *dst + s : s;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store1<T>(T* c, Vector512<T> v, bool acc)
        where T : unmanaged
    {
        if (acc)
        {
            v += Vector512.Load(c);
        }
        v.Store(c);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store2<T>(T* c, Vector512<T> v0, Vector512<T> v1, bool acc)
        where T : unmanaged
    {
        Store1(c, v0, acc);
        Store1(c + Vector512<T>.Count, v1, acc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store4<T>(T* c, Vector512<T> v0, Vector512<T> v1, Vector512<T> v2, Vector512<T> v3, bool acc)
        where T : unmanaged
    {
        int lanes = Vector512<T>.Count;
        Store1(c, v0, acc);
        Store1(c + lanes, v1, acc);
        Store1(c + (2 * lanes), v2, acc);
        Store1(c + (3 * lanes), v3, acc);
    }
}
