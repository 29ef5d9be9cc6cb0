using TrustRegion.Networks;
using TrustRegion.Numerics;

namespace TrustRegion.Tests.Networks;

public class MlpTests
{
    public static TheoryData<Activation, ulong> Cases() => new()
    {
        { Activation.Tanh, 1 }, { Activation.Tanh, 2 }, { Activation.Tanh, 3 },
        { Activation.ReLU, 4 }, { Activation.ReLU, 5 }, { Activation.ReLU, 6 },
    };

    private static (Mlp Net, double[] X, int Batch) Random(Activation act, ulong seed)
    {
        var rng = new Rng(seed);
        int inSize = 1 + rng.NextInt(6), outSize = 1 + rng.NextInt(4), batch = 1 + rng.NextInt(9);
        int layers = rng.NextInt(3);
        var hidden = new int[layers];
        for (int i = 0; i < layers; i++)
        {
            hidden[i] = 1 + rng.NextInt(12);
        }
        var net = new Mlp(new MlpShape(inSize, hidden, outSize, act));
        net.InitializeOrthogonal(rng, Math.Sqrt(2), 1.0);
        foreach (ref double p in net.Parameters)
        {
            p += 0.3 * rng.NextGaussian(); // non-zero biases too
        }
        var x = new double[batch * inSize];
        rng.FillGaussian(x);
        return (net, x, batch);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Backward_MatchesFiniteDifferences_ForParametersAndInputs(Activation act, ulong seed)
    {
        var (net, x, batch) = Random(act, seed);
        var ws = net.CreateWorkspace(batch);
        var rng = new Rng(seed + 100);
        var u = new double[batch * net.Shape.OutputSize];
        rng.FillGaussian(u);
        double Loss()
        {
            ReadOnlySpan<double> y = net.Forward(x, batch, ws);
            double s = 0;
            for (int i = 0; i < u.Length; i++)
            {
                s += u[i] * y[i];
            }
            return s;
        }
        var theta = new double[net.ParameterCount];
        net.Parameters.CopyTo(theta);
        var view = new Mlp(net.Shape, theta);
        double LossView()
        {
            ReadOnlySpan<double> y = view.Forward(x, batch, ws);
            double s = 0;
            for (int i = 0; i < u.Length; i++)
            {
                s += u[i] * y[i];
            }
            return s;
        }
        double[] gNum = GradientCheck.Numerical(theta, LossView);
        double[] xNum = GradientCheck.Numerical(x, Loss);
        net.Forward(x, batch, ws);
        var g = new double[net.ParameterCount];
        var gx = new double[x.Length];
        net.Backward(x, u, ws, g, accumulate: false, gx);
        Assert.True(GradientCheck.RelativeError(g, gNum) < 1e-6, $"parameter gradient error {GradientCheck.RelativeError(g, gNum)}");
        Assert.True(GradientCheck.RelativeError(gx, xNum) < 1e-6, $"input gradient error {GradientCheck.RelativeError(gx, xNum)}");

        // accumulate adds
        var g2 = (double[])g.Clone();
        net.Backward(x, u, ws, g2, accumulate: true);
        for (int i = 0; i < g.Length; i++)
        {
            Assert.Equal(2 * g[i], g2[i], 12);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardTangent_MatchesFiniteDifferencesOfForward(Activation act, ulong seed)
    {
        var (net, x, batch) = Random(act, seed);
        var ws = net.CreateWorkspace(batch);
        var rng = new Rng(seed + 200);
        var v = new double[net.ParameterCount];
        rng.FillGaussian(v);
        var theta = net.Parameters.ToArray();
        const double h = 1e-6;
        var plus = new double[batch * net.Shape.OutputSize];
        var minus = new double[plus.Length];
        for (int i = 0; i < theta.Length; i++)
        {
            net.Parameters[i] = theta[i] + (h * v[i]);
        }
        net.Forward(x, batch, ws).CopyTo(plus);
        for (int i = 0; i < theta.Length; i++)
        {
            net.Parameters[i] = theta[i] - (h * v[i]);
        }
        net.Forward(x, batch, ws).CopyTo(minus);
        theta.CopyTo(net.Parameters);
        var fd = new double[plus.Length];
        for (int i = 0; i < fd.Length; i++)
        {
            fd[i] = (plus[i] - minus[i]) / (2 * h);
        }
        net.Forward(x, batch, ws);
        double[] jv = net.ForwardTangent(x, v, ws).ToArray();
        Assert.True(GradientCheck.RelativeError(jv, fd) < 1e-6, $"J·v error {GradientCheck.RelativeError(jv, fd)}");
    }

    [Fact]
    public void Forward_MatchesScalarReference()
    {
        var rng = new Rng(9);
        var net = new Mlp(new MlpShape(11, [64, 64], 3, Activation.Tanh));
        net.InitializeOrthogonal(rng, Math.Sqrt(2), 0.01);
        int batch = 37;
        var x = new double[batch * 11];
        rng.FillGaussian(x);
        var ws = net.CreateWorkspace(batch);
        double[] y = net.Forward(x, batch, ws).ToArray();
        for (int b = 0; b < batch; b++)
        {
            double[] h = x.AsSpan(b * 11, 11).ToArray();
            for (int l = 0; l < 3; l++)
            {
                int nIn = net.Shape.LayerInputSize(l), nOut = net.Shape.LayerOutputSize(l);
                var w = net.Weights(l);
                var bias = net.Bias(l);
                var next = new double[nOut];
                for (int o = 0; o < nOut; o++)
                {
                    double s = bias[o];
                    for (int i = 0; i < nIn; i++)
                    {
                        s += h[i] * w[(i * nOut) + o];
                    }
                    next[o] = l < 2 ? Math.Tanh(s) : s;
                }
                h = next;
            }
            for (int o = 0; o < 3; o++)
            {
                Assert.Equal(h[o], y[(b * 3) + o], 12);
            }
        }
    }

    [Theory]
    [InlineData(64, 11)]
    [InlineData(11, 64)]
    [InlineData(64, 64)]
    [InlineData(3, 64)]
    public void InitializeOrthogonal_GivesOrthogonalRowsOrColumnsTimesGain_AndZeroBias(int nOut, int nIn)
    {
        var net = new Mlp(new MlpShape(nIn, [], nOut, Activation.Tanh));
        net.InitializeOrthogonal(new Rng(3), 1.0, 0.5);
        Span<double> w = net.Weights(0); // [in × out]
        int small = Math.Min(nIn, nOut);
        // Gram matrix over the shorter side must be 0.25 · I.
        for (int a = 0; a < small; a++)
        {
            for (int b = 0; b < small; b++)
            {
                double s = 0;
                if (nOut <= nIn)
                {
                    for (int i = 0; i < nIn; i++)
                    {
                        s += w[(i * nOut) + a] * w[(i * nOut) + b];
                    }
                }
                else
                {
                    for (int o = 0; o < nOut; o++)
                    {
                        s += w[(a * nOut) + o] * w[(b * nOut) + o];
                    }
                }
                Assert.Equal(a == b ? 0.25 : 0.0, s, 12);
            }
        }
        Assert.All(net.Bias(0).ToArray(), b => Assert.Equal(0.0, b));
    }

    [Fact]
    public void InitializeOrthogonal_IsDeterministicPerSeed()
    {
        var shape = new MlpShape(4, [64, 64], 2, Activation.Tanh);
        var a = new Mlp(shape);
        var b = new Mlp(shape);
        a.InitializeOrthogonal(new Rng(5), Math.Sqrt(2), 0.01);
        b.InitializeOrthogonal(new Rng(5), Math.Sqrt(2), 0.01);
        Assert.True(a.Parameters.SequenceEqual(b.Parameters));
    }

    [Fact]
    public void Constructor_RejectsShortStorageAndBadShapes()
    {
        var shape = new MlpShape(4, [8], 2, Activation.Tanh);
        var ex = Assert.Throws<ArgumentException>(() => new Mlp(shape, new double[10]));
        Assert.Contains("needs 58", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new MlpShape(0, [8], 2, Activation.Tanh));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MlpShape(4, [8, 0], 2, Activation.Tanh));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MlpShape(4, [8], 0, Activation.Tanh));
    }

    [Fact]
    public void Forward_RejectsBatchLargerThanWorkspace()
    {
        var net = new Mlp(new MlpShape(2, [3], 1, Activation.Tanh));
        var ws = net.CreateWorkspace(4);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => net.Forward(new double[10], 5, ws));
        Assert.Contains("1 to 4", ex.Message);
    }

    [Fact]
    public void Shape_EqualityAndDescription()
    {
        var a = new MlpShape(4, [64, 64], 2, Activation.Tanh);
        var b = new MlpShape(4, new List<int> { 64, 64 }, 2, Activation.Tanh);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, new MlpShape(4, [64, 32], 2, Activation.Tanh));
        Assert.Equal("4-64-64-2 tanh", a.ToString());
        Assert.Equal((4 * 64) + 64 + (64 * 64) + 64 + (64 * 2) + 2, a.ParameterCount);
    }
}
