using System.Runtime.Intrinsics;
using TrustRegion.Numerics;
using Xunit.Abstractions;

namespace TrustRegion.Tests.Numerics;

/// <summary>The single-precision kernels: float tanh, float products, the double ↔ float conversions.</summary>
public class KernelsSingleTests(ITestOutputHelper output)
{
    /// <summary>Error of a float result against the exact (double) value, in units of the float ulp at the exact value.</summary>
    private static double UlpError(float actual, double exact)
    {
        float rounded = (float)exact;
        double ulp = Math.Max(MathF.BitIncrement(Math.Abs(rounded)) - Math.Abs(rounded), float.Epsilon);
        return Math.Abs(actual - exact) / ulp;
    }

    /// <summary>
    /// Dense grid: every 2⁻¹² on [−12, 12] (196,609 points, through the saturation at |x| ≈ 9.01), plus 20,000 magnitudes
    /// spread log-uniformly over 1e-40 … 1e1 (subnormal floats included), both signs; all lengths 0 … 40 for the vector tails.
    /// The bound is 1.5 float ulps (measured maximum 1.34, written to the test output).
    /// </summary>
    [Fact]
    public void Tanh_MatchesMathTanh_WithinOneAndAHalfFloatUlps()
    {
        var xs = new List<float>();
        for (int i = -12 * 4096; i <= 12 * 4096; i++)
        {
            xs.Add(i / 4096.0f);
        }
        var rng = new Rng(3);
        for (int i = 0; i < 20_000; i++)
        {
            float m = (float)Math.Pow(10, -40 + (41 * rng.NextDouble()));
            xs.Add(rng.NextDouble() < 0.5 ? -m : m);
        }
        float[] y = [.. xs];
        Kernels.Tanh(y);
        double worst = 0;
        float worstX = 0;
        for (int i = 0; i < y.Length; i++)
        {
            double e = UlpError(y[i], Math.Tanh(xs[i]));
            if (e > worst)
            {
                worst = e;
                worstX = xs[i];
            }
        }
        output.WriteLine($"max error {worst:F3} float ulp at x = {worstX:R}");
        Assert.True(worst <= 1.5, $"float tanh error {worst} ulp at x = {worstX:R}");

        for (int len = 0; len <= 40; len++)
        {
            var x = new float[len];
            for (int i = 0; i < len; i++)
            {
                x[i] = (float)(4 * rng.NextGaussian());
            }
            var t = (float[])x.Clone();
            Kernels.Tanh(t);
            for (int i = 0; i < len; i++)
            {
                Assert.True(UlpError(t[i], Math.Tanh(x[i])) <= 1.5, $"len {len}, tanh({x[i]:R}) = {t[i]:R}");
            }
        }
    }

    [Fact]
    public void Tanh_SpecialValues()
    {
        float[] x = [0.0f, -0.0f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, 9.5f, -25f, 1e30f, -float.MaxValue, float.Epsilon, -1e-30f, 0.3465736f];
        var y = (float[])x.Clone();
        Kernels.Tanh(y);
        Assert.Equal(BitConverter.SingleToInt32Bits(0.0f), BitConverter.SingleToInt32Bits(y[0]));
        Assert.Equal(BitConverter.SingleToInt32Bits(-0.0f), BitConverter.SingleToInt32Bits(y[1]));
        Assert.Equal(1.0f, y[2]);
        Assert.Equal(-1.0f, y[3]);
        Assert.True(float.IsNaN(y[4]));
        Assert.Equal(1.0f, y[5]);
        Assert.Equal(-1.0f, y[6]);
        Assert.Equal(1.0f, y[7]);
        Assert.Equal(-1.0f, y[8]);
        Assert.Equal(float.Epsilon, y[9]);
        Assert.Equal(-1e-30f, y[10]);
        Assert.True(UlpError(y[11], Math.Tanh(x[11])) <= 1.0);
    }

    /// <summary>
    /// A single row of C (acting on one observation, evaluation) accumulates each output element's even inner steps in one fused
    /// multiply-add chain and its odd steps in another, then adds the two: bit for bit in both precisions, whichever
    /// kernel width the row's columns take (64 columns: four vectors of floats, or two blocks of four vectors of doubles), within
    /// one inner-dimension panel (k ≤ 64).
    /// </summary>
    [Theory]
    [InlineData(64, 1)]
    [InlineData(64, 17)]
    [InlineData(64, 64)]
    [InlineData(64, 63)]
    [InlineData(96, 11)]
    public void SingleRowProducts_AreBitIdenticalToTheEvenOddChains(int n, int k)
    {
        var rng = new Rng((ulong)((n * 131) + k));
        foreach (bool accumulate in new[] { false, true })
        {
            var a = new double[k];
            var b = new double[k * n];
            var c = new double[n];
            rng.FillGaussian(a);
            rng.FillGaussian(b);
            rng.FillGaussian(c);
            float[] af = [.. a.Select(v => (float)v)], bf = [.. b.Select(v => (float)v)], cf = [.. c.Select(v => (float)v)];
            var cd = (double[])c.Clone();
            var cs = (float[])cf.Clone();
            Gemm.Multiply<double>(1, n, k, a, k, 1, b, n, cd, n, accumulate);
            Gemm.Multiply<float>(1, n, k, af, k, 1, bf, n, cs, n, accumulate);
            for (int j = 0; j < n; j++)
            {
                double ed = 0, od = 0;
                float ef = 0, of = 0;
                for (int p = 0; p < k; p++)
                {
                    if (p % 2 == 0 || p == k - 1 && k % 2 == 1)
                    {
                        ed = Math.FusedMultiplyAdd(a[p], b[(p * n) + j], ed);
                        ef = MathF.FusedMultiplyAdd(af[p], bf[(p * n) + j], ef);
                    }
                    else
                    {
                        od = Math.FusedMultiplyAdd(a[p], b[(p * n) + j], od);
                        of = MathF.FusedMultiplyAdd(af[p], bf[(p * n) + j], of);
                    }
                }
                double wd = accumulate ? (ed + od) + c[j] : ed + od;
                float wf = accumulate ? (ef + of) + cf[j] : ef + of;
                Assert.True(BitConverter.DoubleToInt64Bits(wd) == BitConverter.DoubleToInt64Bits(cd[j]), $"double n={n} k={k} acc={accumulate} j={j}: {cd[j]:R} vs {wd:R}");
                Assert.True(BitConverter.SingleToInt32Bits(wf) == BitConverter.SingleToInt32Bits(cs[j]), $"float n={n} k={k} acc={accumulate} j={j}: {cs[j]:R} vs {wf:R}");
            }
        }
    }

    /// <summary>
    /// Narrow float products with A's rows contiguous (the output layers: 6 actions, 1 value) take sixteen rows at a time with
    /// one transposing reduction; every element must equal, bit for bit, the row-at-a-time form it replaces: per row one
    /// accumulator of fused multiply-adds over 16-lane steps, <see cref="Vector512.Sum{T}(Vector512{T})"/>, then the tail in order.
    /// </summary>
    [Theory]
    [InlineData(16, 6, 64)]
    [InlineData(2048, 6, 64)]
    [InlineData(37, 1, 64)]
    [InlineData(50, 15, 40)]
    [InlineData(33, 3, 100)]
    [InlineData(48, 8, 128)]
    [InlineData(1, 6, 64)] // fewer than 16 rows (acting): one row at a time, partial sums across the columns
    [InlineData(2, 6, 64)]
    [InlineData(2, 1, 64)]
    [InlineData(5, 15, 100)]
    [InlineData(15, 3, 40)]
    [InlineData(3, 7, 16)]
    public void NarrowFloatProducts_AreBitIdenticalToTheRowAtATimeDotProducts(int m, int n, int k)
    {
        var rng = new Rng((ulong)((m * 7919) + (n * 31) + k));
        foreach (bool accumulate in new[] { false, true })
        {
            (float[] a, float[] b, float[] c) = RandomOperands(rng, m, n, k);
            float[] expected = RowAtATimeNarrowProduct(m, n, k, a, b, c, accumulate);
            Gemm.Multiply<float>(m, n, k, a, k, 1, b, n, c, n, accumulate);
            for (int i = 0; i < c.Length; i++)
            {
                Assert.True(BitConverter.SingleToInt32Bits(c[i]) == BitConverter.SingleToInt32Bits(expected[i]),
                    $"m={m} n={n} k={k} acc={accumulate} element {i} (row {i / n}): {c[i]:R} vs {expected[i]:R}");
            }
        }
    }

    /// <summary>
    /// The double-precision narrow products with A's rows contiguous (the acting pass: one or two observations, 6 actions): with
    /// fewer than 16 rows each row's partial sums are kept across the columns; every element must equal, bit for bit, the
    /// row-at-a-time form that larger batches use: one accumulator of fused multiply-adds over 8-lane steps,
    /// <see cref="Vector512.Sum{T}(Vector512{T})"/>, then the tail in order.
    /// </summary>
    [Theory]
    [InlineData(1, 6, 64)]
    [InlineData(2, 6, 64)]
    [InlineData(2, 1, 17)]
    [InlineData(7, 7, 100)]
    [InlineData(15, 3, 8)]
    [InlineData(20, 6, 64)]
    public void NarrowDoubleProducts_AreBitIdenticalToTheRowAtATimeDotProducts(int m, int n, int k)
    {
        var rng = new Rng((ulong)((m * 7919) + (n * 31) + k + 1));
        foreach (bool accumulate in new[] { false, true })
        {
            (float[] fa, float[] fb, float[] fc) = RandomOperands(rng, m, n, k);
            double[] a = [.. fa.Select(v => (double)v * (1 + (1e-9 * v)))], b = Widen(fb), c = Widen(fc);
            double[] expected = RowAtATimeNarrowProduct(m, n, k, a, b, c, accumulate);
            Gemm.Multiply<double>(m, n, k, a, k, 1, b, n, c, n, accumulate);
            for (int i = 0; i < c.Length; i++)
            {
                Assert.True(BitConverter.DoubleToInt64Bits(c[i]) == BitConverter.DoubleToInt64Bits(expected[i]),
                    $"m={m} n={n} k={k} acc={accumulate} element {i} (row {i / n}): {c[i]:R} vs {expected[i]:R}");
            }
        }
    }

    /// <summary>
    /// The row-at-a-time form of a narrow product with row-contiguous A, written out: per 64-long inner panel, per element, one
    /// accumulator of fused multiply-adds over L-lane steps (L = 16 floats or 8 doubles), <see cref="Vector512.Sum{T}(Vector512{T})"/>,
    /// then the panel's tail in order (a panel shorter than L: plain product-then-add in order); panels added to the element.
    /// </summary>
    private static T[] RowAtATimeNarrowProduct<T>(int m, int n, int k, T[] a, T[] b, T[] c, bool accumulate)
        where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        int lanes = Vector512<T>.Count;
        var expected = (T[])c.Clone();
        for (int p0 = 0; p0 < k; p0 += 64)
        {
            int kc = Math.Min(64, k - p0), kv = kc & ~(lanes - 1);
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    T t = T.Zero;
                    int p = 0;
                    if (kc >= lanes)
                    {
                        var s = Vector512<T>.Zero;
                        for (; p < kv; p += lanes)
                        {
                            var bv = Vector512.Create(Enumerable.Range(0, lanes).Select(q => b[((p0 + p + q) * n) + j]).ToArray());
                            s = Gemm.Fma(Vector512.Create(a, (i * k) + p0 + p), bv, s);
                        }
                        t = Vector512.Sum(s);
                    }
                    for (; p < kc; p++)
                    {
                        t += a[(i * k) + p0 + p] * b[((p0 + p) * n) + j];
                    }
                    expected[(i * n) + j] = accumulate || p0 > 0 ? expected[(i * n) + j] + t : t;
                }
            }
        }
        return expected;
    }

    /// <summary>
    /// Narrow products with A's columns contiguous (an output layer's weight gradient, <c>Hᵀ·G</c> summed over the batch) keep
    /// up to sixteen chains in flight, four vectors of rows side by side; each element must still be, bit for bit, one fused
    /// multiply-add chain over each 64-long inner panel in order, added to the element panel by panel, in both precisions (rows
    /// past the last whole vector: the scalar product-then-add chain).
    /// </summary>
    [Theory]
    [InlineData(64, 6, 1024)]
    [InlineData(64, 1, 128)]
    [InlineData(130, 5, 100)]
    [InlineData(80, 4, 64)]
    [InlineData(17, 3, 7)]
    public void NarrowProductsWithColumnContiguousA_AreOneChainPerPanel(int m, int n, int k)
    {
        var rng = new Rng((ulong)((m * 131) + (n * 17) + k));
        foreach (bool accumulate in new[] { false, true })
        {
            (float[] a, float[] b, float[] c) = RandomOperands(rng, m, n, k);
            var expected = (float[])c.Clone();
            var expectedDouble = Widen(c);
            double[] ad = Widen(a), bd = Widen(b), cd = Widen(c);
            for (int p0 = 0; p0 < k; p0 += 64)
            {
                int kc = Math.Min(64, k - p0);
                for (int i = 0; i < m; i++)
                {
                    for (int j = 0; j < n; j++)
                    {
                        float t = 0;
                        double td = 0;
                        // Rows past the last whole vector (16 floats, 8 doubles) take the scalar path: product, then addition.
                        bool fusedFloat = i < m / 16 * 16, fusedDouble = i < m / 8 * 8;
                        for (int p = p0; p < p0 + kc; p++)
                        {
                            // A is stored transposed: element (i, p) at a[p·m + i].
                            t = fusedFloat ? MathF.FusedMultiplyAdd(a[(p * m) + i], b[(p * n) + j], t) : t + (a[(p * m) + i] * b[(p * n) + j]);
                            td = fusedDouble ? Math.FusedMultiplyAdd(ad[(p * m) + i], bd[(p * n) + j], td) : td + (ad[(p * m) + i] * bd[(p * n) + j]);
                        }
                        bool add = accumulate || p0 > 0;
                        expected[(i * n) + j] = add ? expected[(i * n) + j] + t : t;
                        expectedDouble[(i * n) + j] = add ? expectedDouble[(i * n) + j] + td : td;
                    }
                }
            }
            Gemm.Multiply<float>(m, n, k, a, 1, m, b, n, c, n, accumulate);
            Gemm.Multiply<double>(m, n, k, ad, 1, m, bd, n, cd, n, accumulate);
            for (int i = 0; i < c.Length; i++)
            {
                Assert.True(BitConverter.SingleToInt32Bits(c[i]) == BitConverter.SingleToInt32Bits(expected[i]),
                    $"float m={m} n={n} k={k} acc={accumulate} element {i}: {c[i]:R} vs {expected[i]:R}");
                Assert.True(BitConverter.DoubleToInt64Bits(cd[i]) == BitConverter.DoubleToInt64Bits(expectedDouble[i]),
                    $"double m={m} n={n} k={k} acc={accumulate} element {i}: {cd[i]:R} vs {expectedDouble[i]:R}");
            }
        }
    }

    /// <summary>
    /// The bias of a narrow output layer is added to the whole block at once, in vectors of a repeating pattern; each element
    /// must equal the product without bias plus its column's bias, in both precisions, for every width under a vector and for
    /// row counts that end mid-pattern.
    /// </summary>
    [Fact]
    public void NarrowBias_IsOneAdditionPerElement()
    {
        var rng = new Rng(77);
        foreach (int n in new[] { 1, 2, 6, 7, 15 })
        {
            foreach (int m in new[] { 1, 3, 37, 2048 })
            {
                const int k = 64;
                var a = new float[m * k];
                var b = new float[k * n];
                var bias = new float[n];
                Fill(rng, a);
                Fill(rng, b);
                Fill(rng, bias);
                var plain = new float[m * n];
                var fused = new float[m * n];
                Gemm.Multiply<float>(m, n, k, a, k, 1, b, n, plain, n, false);
                Gemm.Multiply<float>(m, n, k, a, k, 1, b, n, fused, n, false, bias);
                double[] ad = Widen(a), bd = Widen(b), biasd = Widen(bias);
                var plainD = new double[m * n];
                var fusedD = new double[m * n];
                Gemm.Multiply<double>(m, n, k, ad, k, 1, bd, n, plainD, n, false);
                Gemm.Multiply<double>(m, n, k, ad, k, 1, bd, n, fusedD, n, false, biasd);
                for (int i = 0; i < m * n; i++)
                {
                    Assert.True(BitConverter.SingleToInt32Bits(fused[i]) == BitConverter.SingleToInt32Bits(plain[i] + bias[i % n]), $"float m={m} n={n} element {i}");
                    Assert.True(BitConverter.DoubleToInt64Bits(fusedD[i]) == BitConverter.DoubleToInt64Bits(plainD[i] + biasd[i % n]), $"double m={m} n={n} element {i}");
                }
            }
        }
    }

    [Fact]
    public void FloatProducts_MatchTheReferenceForAllStrideFormsAndEpilogues()
    {
        var rng = new Rng(4);
        foreach (var (m, n, k) in new[] { (1, 1, 1), (5, 7, 3), (9, 15, 64), (33, 16, 65), (4, 64, 11), (17, 70, 130), (3, 33, 0), (64, 64, 64), (6, 64, 40), (2, 70, 17) })
        {
            foreach (bool transposedA in new[] { false, true })
            {
                foreach (bool accumulate in new[] { false, true })
                {
                    var a = new float[Math.Max(1, m * k)];
                    var b = new float[Math.Max(1, k * n)];
                    var c = new float[m * n];
                    Fill(rng, a);
                    Fill(rng, b);
                    Fill(rng, c);
                    var expected = (float[])c.Clone();
                    int rsA = transposedA ? 1 : k, csA = transposedA ? m : 1;
                    Gemm.MultiplyReference<float>(m, n, k, a, rsA, csA, b, n, expected, n, accumulate);
                    Gemm.Multiply<float>(m, n, k, a, rsA, csA, b, n, c, n, accumulate);
                    for (int i = 0; i < c.Length; i++)
                    {
                        Assert.True(Math.Abs(c[i] - expected[i]) <= 2e-6 * (Math.Sqrt(k) + 1) * Math.Max(1, Math.Abs(expected[i]) + 4),
                            $"m={m} n={n} k={k} transposedA={transposedA} acc={accumulate} i={i}: {c[i]} vs {expected[i]}");
                    }
                }
            }
            // Fused bias + epilogue: the float kernel against the double kernel on the same (float-exact) data.
            foreach (Gemm.Epilogue epilogue in Enum.GetValues<Gemm.Epilogue>())
            {
                var a = new float[Math.Max(1, m * k)];
                var b = new float[Math.Max(1, k * n)];
                var bias = new float[n];
                var saved = new float[m * n];
                Fill(rng, a);
                Fill(rng, b);
                Fill(rng, bias);
                Fill(rng, saved);
                var c = new float[m * n];
                var cd = new double[m * n];
                Gemm.Multiply<float>(m, n, k, a, k, 1, b, n, c, n, false, bias, epilogue, saved);
                Gemm.Multiply<double>(m, n, k, Widen(a), k, 1, Widen(b), n, cd, n, false, Widen(bias), epilogue, Widen(saved));
                for (int i = 0; i < c.Length; i++)
                {
                    Assert.True(Math.Abs(c[i] - cd[i]) <= 2e-6 * (Math.Sqrt(k) + 1) * Math.Max(1, Math.Abs(cd[i]) + 4),
                        $"{epilogue} m={m} n={n} k={k} i={i}: {c[i]} vs {cd[i]}");
                }
            }
        }
    }

    [Fact]
    public void NarrowAndWiden_RoundToNearestAndWidenExactly_AtEveryLength()
    {
        var rng = new Rng(5);
        for (int len = 0; len <= 50; len++)
        {
            var d = new double[len];
            rng.FillGaussian(d);
            var f = new float[len];
            Kernels.Narrow(d, f);
            var back = new double[len];
            Kernels.Widen(f, back, accumulate: false);
            var acc = Enumerable.Repeat(1.0, len).ToArray();
            Kernels.Widen(f, acc, accumulate: true);
            for (int i = 0; i < len; i++)
            {
                Assert.Equal((float)d[i], f[i]);
                Assert.Equal((double)f[i], back[i]);
                Assert.Equal(1.0 + f[i], acc[i]);
            }
        }
    }

    /// <summary>Gaussian A [m × k], B [k × n] and a starting C [m × n] (for the accumulating form).</summary>
    private static (float[] A, float[] B, float[] C) RandomOperands(Rng rng, int m, int n, int k)
    {
        var a = new float[m * k];
        var b = new float[k * n];
        var c = new float[m * n];
        Fill(rng, a);
        Fill(rng, b);
        Fill(rng, c);
        return (a, b, c);
    }

    private static void Fill(Rng rng, float[] x)
    {
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)rng.NextGaussian();
        }
    }

    private static double[] Widen(float[] x) => [.. x.Select(v => (double)v)];
}
