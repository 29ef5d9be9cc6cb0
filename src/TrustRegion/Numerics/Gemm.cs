using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace TrustRegion.Numerics;

/// <summary>
/// Register-blocked double-precision matrix products for the network passes. One product shape serves all three:
/// <c>C[m×n] (+)= A[m×k] · B[k×n]</c>, with B and C row-major and A addressed through strides
/// (<c>A(i, p) = a[i·rsA + p·csA]</c>), so that
/// <list type="bullet">
/// <item>forward <c>Y = X · W</c> (W stored [in × out]) is <c>rsA = in, csA = 1</c>;</item>
/// <item>the weight gradient <c>dW = Xᵀ · dY</c> is <c>rsA = 1, csA = in</c> (A read transposed, no copy);</item>
/// <item>the input gradient <c>dX = dY · Wᵀ</c> uses a transposed copy of the small weight matrix (<see cref="Transpose"/>).</item>
/// </list>
/// </summary>
/// <remarks>
/// The main micro-kernel keeps a 4 × 32 block of C in sixteen 512-bit accumulators (4 rows × 4 vectors of 8 doubles):
/// per step of p it loads one row of B (4 vectors), broadcasts 4 elements of A and issues 16 fused multiply-adds.
/// The inner dimension is split into panels of <see cref="KBlock"/> so the B panel stays in the first-level cache when k
/// is a batch of thousands. Column tails narrower than 8 use a dot-product form along p (A rows contiguous) or along i
/// (A columns contiguous). Sums are reordered relative to the scalar reference, so results agree to rounding only.
/// Internal: callers are trusted; shapes are asserted, not checked.
/// </remarks>
internal static unsafe class Gemm
{
    /// <summary>Element-wise function fused after a product (and its bias).</summary>
    internal enum Epilogue
    {
        /// <summary>Identity.</summary>
        None,

        /// <summary><c>tanh(c)</c> (<see cref="Kernels.TanhVector"/>).</summary>
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
    public static void Multiply(int m, int n, int k, ReadOnlySpan<double> a, int rsA, int csA, ReadOnlySpan<double> b, int ldb, Span<double> c, int ldc, bool accumulate,
        ReadOnlySpan<double> bias = default, Epilogue epilogue = Epilogue.None, ReadOnlySpan<double> saved = default)
    {
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
        fixed (double* pa = a, pb = b, pc = c, pbias = bias, psaved = saved)
        {
            var post = new Post(bias.IsEmpty ? null : pbias, epilogue, psaved, ldc);
            if (k == 0)
            {
                if (!accumulate)
                {
                    for (int i = 0; i < m; i++)
                    {
                        new Span<double>(pc + (i * ldc), n).Clear();
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
    public static void Transpose(ReadOnlySpan<double> source, int rows, int cols, Span<double> destination)
    {
        if (source.Length < rows * cols || destination.Length < rows * cols)
        {
            throw new ArgumentException($"Transpose of [{rows} × {cols}] needs {rows * cols} elements; source has {source.Length}, destination {destination.Length}.");
        }
        fixed (double* ps = source, pd = destination)
        {
            // 8 × 8 tiles: 8 source rows are read together and each destination row of the tile is written contiguously.
            int r = 0;
            for (; r + 8 <= rows; r += 8)
            {
                double* s0 = ps + (r * cols);
                for (int q = 0; q < cols; q++)
                {
                    double* d = pd + (q * rows) + r;
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
                double* row = ps + (r * cols);
                for (int q = 0; q < cols; q++)
                {
                    pd[(q * rows) + r] = row[q];
                }
            }
        }
    }

    /// <summary>Scalar reference: <c>C (+)= A·B</c> in the plain triple loop (for tests).</summary>
    public static void MultiplyReference(int m, int n, int k, ReadOnlySpan<double> a, int rsA, int csA, ReadOnlySpan<double> b, int ldb, Span<double> c, int ldc, bool accumulate)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double s = accumulate ? c[(i * ldc) + j] : 0.0;
                for (int p = 0; p < k; p++)
                {
                    s += a[(i * rsA) + (p * csA)] * b[(p * ldb) + j];
                }
                c[(i * ldc) + j] = s;
            }
        }
    }

    private static void Panel(int m, int n, int k, double* a, int rsA, int csA, double* b, int ldb, double* c, int ldc, bool acc, Post post)
    {
        int j = 0;
        for (; j + 32 <= n; j += 32)
        {
            int i = 0;
            for (; i + 4 <= m; i += 4)
            {
                Kernel4x32(k, a + (i * rsA), rsA, csA, b + j, ldb, c + (i * ldc) + j, ldc, acc);
                Finish(post, c, i, j, 4, 32);
            }
            for (; i < m; i++)
            {
                Kernel1xV(4, k, a + (i * rsA), csA, b + j, ldb, c + (i * ldc) + j, acc);
                Finish(post, c, i, j, 1, 32);
            }
        }
        for (; j + 16 <= n; j += 16)
        {
            int i = 0;
            for (; i + 4 <= m; i += 4)
            {
                Kernel4x16(k, a + (i * rsA), rsA, csA, b + j, ldb, c + (i * ldc) + j, ldc, acc);
                Finish(post, c, i, j, 4, 16);
            }
            for (; i < m; i++)
            {
                Kernel1xV(2, k, a + (i * rsA), csA, b + j, ldb, c + (i * ldc) + j, acc);
                Finish(post, c, i, j, 1, 16);
            }
        }
        for (; j + 8 <= n; j += 8)
        {
            int i = 0;
            for (; i + 4 <= m; i += 4)
            {
                Kernel4x8(k, a + (i * rsA), rsA, csA, b + j, ldb, c + (i * ldc) + j, ldc, acc);
                Finish(post, c, i, j, 4, 8);
            }
            for (; i < m; i++)
            {
                Kernel1xV(1, k, a + (i * rsA), csA, b + j, ldb, c + (i * ldc) + j, acc);
                Finish(post, c, i, j, 1, 8);
            }
        }
        if (j < n)
        {
            NarrowColumns(m, n - j, k, a, rsA, csA, b + j, ldb, c + j, ldc, acc);
            Finish(post, c, 0, j, m, n - j);
        }
    }

    /// <summary>The fused epilogue of the last inner-dimension panel; default means none.</summary>
    private readonly struct Post(double* bias, Epilogue kind, double* saved, int ldc)
    {
        public readonly double* Bias = bias;
        public readonly Epilogue Kind = kind;
        public readonly double* Saved = saved;
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
    private static void Finish(Post post, double* c, int i0, int j0, int rows, int cols)
    {
        if (!post.Active)
        {
            return;
        }
        switch (post.Kind)
        {
            case Epilogue.Tanh:
                FinishBlock<TanhOp>(post, c, i0, j0, rows, cols);
                break;
            case Epilogue.TanhDerivative:
                FinishBlock<TanhDerivativeOp>(post, c, i0, j0, rows, cols);
                break;
            case Epilogue.ReLU:
                FinishBlock<ReLUOp>(post, c, i0, j0, rows, cols);
                break;
            case Epilogue.ReLUDerivative:
                FinishBlock<ReLUDerivativeOp>(post, c, i0, j0, rows, cols);
                break;
            default:
                FinishBlock<IdentityOp>(post, c, i0, j0, rows, cols);
                break;
        }
    }

    private static void FinishBlock<TOp>(Post post, double* c, int i0, int j0, int rows, int cols)
        where TOp : struct, IEpilogueOp
    {
        int ldc = post.Ldc;
        int full = cols & ~7;
        double* brow = post.Bias == null ? null : post.Bias + j0;
        for (int r = 0; r < rows; r++)
        {
            double* row = c + ((i0 + r) * ldc) + j0;
            double* srow = TOp.UsesSaved ? post.Saved + ((i0 + r) * ldc) + j0 : null;
            if (brow != null)
            {
                for (int q = 0; q < full; q += 8)
                {
                    var v = Vector512.Load(row + q) + Vector512.Load(brow + q);
                    TOp.Apply(v, TOp.UsesSaved ? Vector512.Load(srow + q) : default).Store(row + q);
                }
            }
            else
            {
                for (int q = 0; q < full; q += 8)
                {
                    TOp.Apply(Vector512.Load(row + q), TOp.UsesSaved ? Vector512.Load(srow + q) : default).Store(row + q);
                }
            }
            if (full < cols)
            {
                FinishTail(post.Kind, row + full, srow == null ? null : srow + full, brow == null ? null : brow + full, cols - full);
            }
        }
    }

    /// <summary>The last <paramref name="w"/> (&lt; 8) columns of one row, through the same vector code as full vectors.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void FinishTail(Epilogue kind, double* row, double* srow, double* brow, int w)
    {
        if (kind == Epilogue.None)
        {
            // Bias only (the narrow output layers): the same single addition per element as the vector path.
            if (brow != null)
            {
                for (int t = 0; t < w; t++)
                {
                    row[t] += brow[t];
                }
            }
            return;
        }
        FinishTailVector(kind, row, srow, brow, w);
    }

    [SkipLocalsInit] // both scratch vectors are written in full before they are read
    private static void FinishTailVector(Epilogue kind, double* row, double* srow, double* brow, int w)
    {
        double* tmp = stackalloc double[8];
        double* tmpSaved = stackalloc double[8];
        for (int t = 0; t < 8; t++)
        {
            tmp[t] = t < w ? row[t] + (brow != null ? brow[t] : 0.0) : 0.0;
            tmpSaved[t] = t < w && srow != null ? srow[t] : 0.0;
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

        static abstract Vector512<double> Apply(Vector512<double> v, Vector512<double> y);
    }

    private readonly struct IdentityOp : IEpilogueOp
    {
        public static bool UsesSaved => false;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> Apply(Vector512<double> v, Vector512<double> y) => v;
    }

    private readonly struct TanhOp : IEpilogueOp
    {
        public static bool UsesSaved => false;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> Apply(Vector512<double> v, Vector512<double> y) => Kernels.TanhVector(v);
    }

    private readonly struct ReLUOp : IEpilogueOp
    {
        public static bool UsesSaved => false;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> Apply(Vector512<double> v, Vector512<double> y) => Vector512.Max(v, Vector512<double>.Zero);
    }

    private readonly struct TanhDerivativeOp : IEpilogueOp
    {
        public static bool UsesSaved => true;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> Apply(Vector512<double> v, Vector512<double> y) => v * Vector512.FusedMultiplyAdd(-y, y, Vector512<double>.One);
    }

    private readonly struct ReLUDerivativeOp : IEpilogueOp
    {
        public static bool UsesSaved => true;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> Apply(Vector512<double> v, Vector512<double> y) => Vector512.ConditionalSelect(Vector512.GreaterThan(y, Vector512<double>.Zero), v, Vector512<double>.Zero);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> Apply(Epilogue kind, Vector512<double> v, Vector512<double> y) => kind switch
    {
        Epilogue.Tanh => TanhOp.Apply(v, y),
        Epilogue.ReLU => ReLUOp.Apply(v, y),
        Epilogue.TanhDerivative => TanhDerivativeOp.Apply(v, y),
        Epilogue.ReLUDerivative => ReLUDerivativeOp.Apply(v, y),
        _ => v,
    };

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel4x32(int k, double* a, int rsA, int csA, double* b, int ldb, double* c, int ldc, bool acc)
    {
        Vector512<double> c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33;
        c00 = c01 = c02 = c03 = c10 = c11 = c12 = c13 = c20 = c21 = c22 = c23 = c30 = c31 = c32 = c33 = Vector512<double>.Zero;
        double* a0 = a, a1 = a + rsA, a2 = a + (2 * rsA), a3 = a + (3 * rsA);
        for (int p = 0; p < k; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 8);
            var b2 = Vector512.Load(b + 16);
            var b3 = Vector512.Load(b + 24);
            var x = Vector512.Create(*a0);
            c00 = Vector512.FusedMultiplyAdd(x, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            c02 = Vector512.FusedMultiplyAdd(x, b2, c02);
            c03 = Vector512.FusedMultiplyAdd(x, b3, c03);
            x = Vector512.Create(*a1);
            c10 = Vector512.FusedMultiplyAdd(x, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            c12 = Vector512.FusedMultiplyAdd(x, b2, c12);
            c13 = Vector512.FusedMultiplyAdd(x, b3, c13);
            x = Vector512.Create(*a2);
            c20 = Vector512.FusedMultiplyAdd(x, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            c22 = Vector512.FusedMultiplyAdd(x, b2, c22);
            c23 = Vector512.FusedMultiplyAdd(x, b3, c23);
            x = Vector512.Create(*a3);
            c30 = Vector512.FusedMultiplyAdd(x, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            c32 = Vector512.FusedMultiplyAdd(x, b2, c32);
            c33 = Vector512.FusedMultiplyAdd(x, b3, c33);
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel4x16(int k, double* a, int rsA, int csA, double* b, int ldb, double* c, int ldc, bool acc)
    {
        Vector512<double> c00, c01, c10, c11, c20, c21, c30, c31;
        c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = Vector512<double>.Zero;
        double* a0 = a, a1 = a + rsA, a2 = a + (2 * rsA), a3 = a + (3 * rsA);
        for (int p = 0; p < k; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 8);
            var x = Vector512.Create(*a0);
            c00 = Vector512.FusedMultiplyAdd(x, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(*a1);
            c10 = Vector512.FusedMultiplyAdd(x, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(*a2);
            c20 = Vector512.FusedMultiplyAdd(x, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(*a3);
            c30 = Vector512.FusedMultiplyAdd(x, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel4x8(int k, double* a, int rsA, int csA, double* b, int ldb, double* c, int ldc, bool acc)
    {
        Vector512<double> c0 = default, c1 = default, c2 = default, c3 = default;
        double* a0 = a, a1 = a + rsA, a2 = a + (2 * rsA), a3 = a + (3 * rsA);
        for (int p = 0; p < k; p++)
        {
            var b0 = Vector512.Load(b);
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(*a0), b0, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(*a1), b0, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(*a2), b0, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(*a3), b0, c3);
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

    /// <summary>One row of C, <paramref name="vectors"/> (1, 2 or 4) vectors wide.</summary>
    private static void Kernel1xV(int vectors, int k, double* a, int csA, double* b, int ldb, double* c, bool acc)
    {
        for (int v = 0; v < vectors; v++)
        {
            Vector512<double> c0 = default, c1 = default;
            double* ap = a;
            double* bp = b + (8 * v);
            int p = 0;
            for (; p + 2 <= k; p += 2)
            {
                c0 = Vector512.FusedMultiplyAdd(Vector512.Create(*ap), Vector512.Load(bp), c0);
                c1 = Vector512.FusedMultiplyAdd(Vector512.Create(ap[csA]), Vector512.Load(bp + ldb), c1);
                ap += 2 * csA;
                bp += 2 * ldb;
            }
            if (p < k)
            {
                c0 = Vector512.FusedMultiplyAdd(Vector512.Create(*ap), Vector512.Load(bp), c0);
            }
            Store1(c + (8 * v), c0 + c1, acc);
        }
    }

    /// <summary>Fewer than 8 columns left: vectorise along the inner dimension (A rows contiguous) or along the rows (A columns contiguous).</summary>
    [SkipLocalsInit] // the stack copy of B is written before it is read
    private static void NarrowColumns(int m, int n, int k, double* a, int rsA, int csA, double* b, int ldb, double* c, int ldc, bool acc)
    {
        if (rsA == 1)
        {
            // C(i..i+7, j..j+3) = Σ_p A(i..i+7, p) · B(p, j..j+3): one contiguous load of A's column serves up to 4 broadcasts of B.
            int i = 0;
            for (; i + 8 <= m; i += 8)
            {
                for (int j = 0; j < n; j += 4)
                {
                    Narrow8xW(Math.Min(4, n - j), k, a + i, csA, b + j, ldb, c + (i * ldc) + j, ldc, acc);
                }
            }
            ScalarBlock(i, m, n, k, a, rsA, csA, b, ldb, c, ldc, acc);
            return;
        }
        if (csA == 1 && k >= 8)
        {
            // C(i, j) = dot(A(i, ·), B(·, j)); B's column is strided, so gather it once per panel into a stack copy.
            int kv = k & ~7;
            const int MaxNarrow = 7;
            double* bt = stackalloc double[MaxNarrow * KBlock];
            for (int j = 0; j < n; j++)
            {
                for (int p = 0; p < k; p++)
                {
                    bt[(j * KBlock) + p] = b[(p * ldb) + j];
                }
            }
            for (int i = 0; i < m; i++)
            {
                double* ai = a + (i * rsA);
                for (int j = 0; j < n; j++)
                {
                    double* bj = bt + (j * KBlock);
                    Vector512<double> s = default;
                    int p = 0;
                    for (; p < kv; p += 8)
                    {
                        s = Vector512.FusedMultiplyAdd(Vector512.Load(ai + p), Vector512.Load(bj + p), s);
                    }
                    double t = Vector512.Sum(s);
                    for (; p < k; p++)
                    {
                        t += ai[p] * bj[p];
                    }
                    double* dst = c + (i * ldc) + j;
                    *dst = acc ? *dst + t : t;
                }
            }
            return;
        }
        ScalarBlock(0, m, n, k, a, rsA, csA, b, ldb, c, ldc, acc);
    }

    /// <summary>An 8-row by <paramref name="w"/>-column (1 … 4) block of C from column-contiguous A.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Narrow8xW(int w, int k, double* a, int csA, double* b, int ldb, double* c, int ldc, bool acc)
    {
        Vector512<double> s0 = default, s1 = default, s2 = default, s3 = default;
        for (int p = 0; p < k; p++)
        {
            var av = Vector512.Load(a);
            s0 = Vector512.FusedMultiplyAdd(av, Vector512.Create(b[0]), s0);
            if (w > 1)
            {
                s1 = Vector512.FusedMultiplyAdd(av, Vector512.Create(b[1]), s1);
                if (w > 2)
                {
                    s2 = Vector512.FusedMultiplyAdd(av, Vector512.Create(b[2]), s2);
                    if (w > 3)
                    {
                        s3 = Vector512.FusedMultiplyAdd(av, Vector512.Create(b[3]), s3);
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

    /// <summary>Writes the 8 lanes of <paramref name="v"/> down one column of C.</summary>
    private static void StoreColumn(double* c, int ldc, Vector512<double> v, bool acc)
    {
        for (int r = 0; r < 8; r++)
        {
            double* dst = c + (r * ldc);
            *dst = acc ? *dst + v.GetElement(r) : v.GetElement(r);
        }
    }

    private static void ScalarBlock(int i0, int m, int n, int k, double* a, int rsA, int csA, double* b, int ldb, double* c, int ldc, bool acc)
    {
        for (int i = i0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                double* ap = a + (i * rsA);
                double* bp = b + j;
                for (int p = 0; p < k; p++)
                {
                    s += *ap * *bp;
                    ap += csA;
                    bp += ldb;
                }
                double* dst = c + (i * ldc) + j;
                *dst = acc ? *dst + s : s;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store1(double* c, Vector512<double> v, bool acc)
    {
        if (acc)
        {
            v += Vector512.Load(c);
        }
        v.Store(c);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store2(double* c, Vector512<double> v0, Vector512<double> v1, bool acc)
    {
        Store1(c, v0, acc);
        Store1(c + 8, v1, acc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store4(double* c, Vector512<double> v0, Vector512<double> v1, Vector512<double> v2, Vector512<double> v3, bool acc)
    {
        Store1(c, v0, acc);
        Store1(c + 8, v1, acc);
        Store1(c + 16, v2, acc);
        Store1(c + 24, v3, acc);
    }
}
