using TrustRegion.Numerics;

namespace TrustRegion.Tests.Numerics;

public class KernelsTests
{
    [Fact]
    public void Tanh_MatchesMathTanh_ToAFewUlp_AcrossRangesAndLengths()
    {
        var rng = new Rng(1);
        for (int len = 0; len <= 67; len++)
        {
            var x = new double[len];
            for (int i = 0; i < len; i++)
            {
                // magnitudes from 1e-12 to 1e2, both signs
                x[i] = (rng.NextDouble() < 0.5 ? -1 : 1) * Math.Pow(10, -12 + (14 * rng.NextDouble()));
            }
            var y = (double[])x.Clone();
            Kernels.Tanh(y);
            for (int i = 0; i < len; i++)
            {
                double e = Math.Tanh(x[i]);
                Assert.True(Math.Abs(y[i] - e) <= 8e-16 * Math.Abs(e), $"tanh({x[i]:R}) = {y[i]:R}, expected {e:R}");
            }
        }
    }

    [Fact]
    public void Tanh_SpecialValues()
    {
        double[] x = [0.0, -0.0, double.PositiveInfinity, double.NegativeInfinity, double.NaN, 19.5, -25, 0.34657359027997264, 0.6931471805599453, double.Epsilon];
        var y = (double[])x.Clone();
        Kernels.Tanh(y);
        Assert.Equal(BitConverter.DoubleToInt64Bits(0.0), BitConverter.DoubleToInt64Bits(y[0]));
        Assert.Equal(BitConverter.DoubleToInt64Bits(-0.0), BitConverter.DoubleToInt64Bits(y[1]));
        Assert.Equal(1.0, y[2]);
        Assert.Equal(-1.0, y[3]);
        Assert.True(double.IsNaN(y[4]));
        Assert.Equal(1.0, y[5]);
        Assert.Equal(-1.0, y[6]);
        Assert.Equal(Math.Tanh(x[7]), y[7], 15);
        Assert.Equal(Math.Tanh(x[8]), y[8], 15);
        Assert.Equal(double.Epsilon, y[9]);
    }

    [Fact]
    public void ColumnSumsAndAddBias_MatchScalarLoops()
    {
        var rng = new Rng(2);
        foreach (int cols in new[] { 1, 3, 8, 11, 64, 67 })
        {
            foreach (int rows in new[] { 1, 2, 5 })
            {
                var x = new double[rows * cols];
                rng.FillGaussian(x);
                var sums = new double[cols];
                rng.FillGaussian(sums);
                var acc = (double[])sums.Clone();
                Kernels.ColumnSums(x, rows, cols, sums, accumulate: false);
                Kernels.ColumnSums(x, rows, cols, acc, accumulate: true);
                var bias = new double[cols];
                rng.FillGaussian(bias);
                var z = (double[])x.Clone();
                Kernels.AddBias(z, rows, cols, bias);
                for (int c = 0; c < cols; c++)
                {
                    double s = 0;
                    for (int r = 0; r < rows; r++)
                    {
                        s += x[(r * cols) + c];
                        Assert.Equal(x[(r * cols) + c] + bias[c], z[(r * cols) + c]);
                    }
                    Assert.Equal(s, sums[c], 12);
                }
            }
        }
    }

    /// <summary>
    /// Sums of fewer columns than a vector holds (an output layer's bias gradient: under 16 floats or 8 doubles) add each column's rows in row order, all
    /// columns in one vector: bit for bit the scalar loop, in both precisions, whatever the row count (the last rows, whose
    /// whole-vector load would pass the end, take the scalar path).
    /// </summary>
    [Fact]
    public void NarrowColumnSums_AreBitIdenticalToTheRowOrderScalarLoop()
    {
        var rng = new Rng(21);
        foreach (int cols in new[] { 1, 2, 3, 6, 7, 15 })
        {
            foreach (int rows in new[] { 1, 9, 17, 64, 256, 2049 })
            {
                var x = new double[rows * cols];
                rng.FillGaussian(x);
                float[] xf = [.. x.Select(v => (float)v)];
                var start = new double[cols];
                rng.FillGaussian(start);
                foreach (bool accumulate in new[] { false, true })
                {
                    var d = (double[])start.Clone();
                    float[] f = [.. start.Select(v => (float)v)];
                    Kernels.ColumnSums<double>(x, rows, cols, d, accumulate);
                    Kernels.ColumnSums<float>(xf, rows, cols, f, accumulate);
                    for (int c = 0; c < cols; c++)
                    {
                        double sd = 0;
                        float sf = 0;
                        for (int r = 0; r < rows; r++)
                        {
                            sd += x[(r * cols) + c];
                            sf += xf[(r * cols) + c];
                        }
                        double ed = accumulate ? start[c] + sd : sd;
                        float ef = accumulate ? (float)start[c] + sf : sf;
                        if (cols < 8) // wider double sums take the whole-vector path, which pairs rows
                        {
                            Assert.True(BitConverter.DoubleToInt64Bits(ed) == BitConverter.DoubleToInt64Bits(d[c]), $"double rows={rows} cols={cols} c={c}: {d[c]:R} vs {ed:R}");
                        }
                        Assert.True(BitConverter.SingleToInt32Bits(ef) == BitConverter.SingleToInt32Bits(f[c]), $"float rows={rows} cols={cols} c={c}: {f[c]:R} vs {ef:R}");
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.ReLU)]
    public void ActivationDerivative_MatchesScalarFormula(Activation act)
    {
        var rng = new Rng(3);
        for (int len = 0; len <= 40; len++)
        {
            var y = new double[len];
            var d = new double[len];
            rng.FillGaussian(y);
            rng.FillGaussian(d);
            var expected = d.Select((v, i) => act == Activation.Tanh ? v * (1 - (y[i] * y[i])) : (y[i] > 0 ? v : 0)).ToArray();
            Kernels.ActivationDerivative(y, d, act);
            for (int i = 0; i < len; i++)
            {
                Assert.True(Math.Abs(expected[i] - d[i]) <= 1e-15 * (1 + Math.Abs(expected[i])), $"{d[i]} vs {expected[i]}");
            }
        }
    }
}
