using TrustRegion.Numerics;

namespace TrustRegion.Tests.Numerics;

public class GemmTests
{
    public static TheoryData<int, int, int> Shapes()
    {
        var data = new TheoryData<int, int, int>();
        int[] ms = [1, 2, 3, 4, 5, 6, 9, 33]; // 2, 3 and 6 reach the two-row tail kernel
        int[] ns = [1, 2, 3, 7, 8, 9, 16, 17, 31, 32, 33, 64, 70];
        int[] ks = [0, 1, 2, 4, 11, 64, 257, 600];
        foreach (int m in ms)
        {
            foreach (int n in ns)
            {
                foreach (int k in ks)
                {
                    if ((m * n * k) % 5 == 0 || k == 257 || n == 70)
                    {
                        data.Add(m, n, k);
                    }
                }
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Multiply_MatchesReference_ForAllStrideForms(int m, int n, int k)
    {
        var rng = new Rng((ulong)((m * 1000003) + (n * 1009) + k));
        foreach (bool transposedA in new[] { false, true })
        {
            foreach (bool accumulate in new[] { false, true })
            {
                var a = new double[Math.Max(1, m * k)];
                var b = new double[Math.Max(1, k * n)];
                var c = new double[m * n];
                rng.FillGaussian(a);
                rng.FillGaussian(b);
                rng.FillGaussian(c);
                var expected = (double[])c.Clone();
                int rsA = transposedA ? 1 : k, csA = transposedA ? m : 1;
                Gemm.MultiplyReference(m, n, k, a, rsA, csA, b, n, expected, n, accumulate);
                Gemm.Multiply(m, n, k, a, rsA, csA, b, n, c, n, accumulate);
                for (int i = 0; i < c.Length; i++)
                {
                    Assert.True(Math.Abs(c[i] - expected[i]) <= 1e-12 * (Math.Sqrt(k) + 1) * Math.Max(1, Math.Abs(expected[i]) + 4),
                        $"m={m} n={n} k={k} transposedA={transposedA} acc={accumulate} i={i}: {c[i]} vs {expected[i]}");
                }
            }
        }
    }

    [Theory]
    [InlineData((int)Gemm.Epilogue.None)]
    [InlineData((int)Gemm.Epilogue.Tanh)]
    [InlineData((int)Gemm.Epilogue.ReLU)]
    [InlineData((int)Gemm.Epilogue.TanhDerivative)]
    [InlineData((int)Gemm.Epilogue.ReLUDerivative)]
    public void Multiply_FusedEpilogue_MatchesProductThenElementwise(int epilogueValue)
    {
        var epilogue = (Gemm.Epilogue)epilogueValue;
        var rng = new Rng(77);
        foreach (var (m, n, k) in new[] { (9, 70, 300), (5, 3, 64), (33, 64, 4), (4, 7, 0), (8, 13, 9) })
        {
            foreach (bool transposedA in new[] { false, true })
            {
                var a = new double[Math.Max(1, m * k)];
                var b = new double[Math.Max(1, k * n)];
                var bias = new double[n];
                var saved = new double[m * n];
                rng.FillGaussian(a);
                rng.FillGaussian(b);
                rng.FillGaussian(bias);
                rng.FillGaussian(saved);
                int rsA = transposedA ? 1 : k, csA = transposedA ? m : 1;
                var expected = new double[m * n];
                Gemm.MultiplyReference(m, n, k, a, rsA, csA, b, n, expected, n, false);
                for (int i = 0; i < expected.Length; i++)
                {
                    double v = expected[i] + bias[i % n], y = saved[i];
                    expected[i] = epilogue switch
                    {
                        Gemm.Epilogue.Tanh => Math.Tanh(v),
                        Gemm.Epilogue.ReLU => Math.Max(v, 0),
                        Gemm.Epilogue.TanhDerivative => v * (1 - (y * y)),
                        Gemm.Epilogue.ReLUDerivative => y > 0 ? v : 0,
                        _ => v,
                    };
                }
                var c = new double[m * n];
                Gemm.Multiply(m, n, k, a, rsA, csA, b, n, c, n, false, bias, epilogue, saved);
                for (int i = 0; i < c.Length; i++)
                {
                    Assert.True(Math.Abs(c[i] - expected[i]) <= 1e-12 * (Math.Sqrt(k) + 1) * Math.Max(1, Math.Abs(expected[i]) + 4),
                        $"{epilogue} m={m} n={n} k={k} tA={transposedA} i={i}: {c[i]} vs {expected[i]}");
                }
            }
        }
    }

    [Fact]
    public void Transpose_SwapsRowsAndColumns()
    {
        double[] x = [1, 2, 3, 4, 5, 6]; // 2 × 3
        var t = new double[6];
        Gemm.Transpose(x, 2, 3, t);
        Assert.Equal(new double[] { 1, 4, 2, 5, 3, 6 }, t);
    }

    /// <summary>Single precision transposes 16 × 16 tiles in registers; every element must land where the definition puts it, edges included.</summary>
    [Theory]
    [InlineData(16, 16)]
    [InlineData(17, 64)]
    [InlineData(64, 17)]
    [InlineData(64, 64)]
    [InlineData(48, 80)]
    [InlineData(2048, 6)]
    [InlineData(5, 33)]
    [InlineData(33, 47)]
    public void Transpose_Single_PutsEveryElementInPlace(int rows, int cols)
    {
        var x = new float[rows * cols];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = i + 0.5f;
        }
        var t = new float[rows * cols];
        Gemm.Transpose<float>(x, rows, cols, t);
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                Assert.True(t[(c * rows) + r] == x[(r * cols) + c], $"[{rows} × {cols}] element ({r}, {c}): {t[(c * rows) + r]} vs {x[(r * cols) + c]}");
            }
        }
    }
}
