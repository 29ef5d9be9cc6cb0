using TrustRegion.Numerics;
using TrustRegion.Trpo;

namespace TrustRegion.Tests.Trpo;

[Collection(ProcessWideMeasurementCollection.Name)] // allocation checks run alone: beside other tests they saw sporadic charges of a few KB
public class ValueFunctionTests
{
    [Theory]
    [InlineData(Activation.Tanh, 1UL)]
    [InlineData(Activation.ReLU, 2UL)]
    public void ValueLossGradient_MatchesFiniteDifferences(Activation act, ulong seed)
    {
        var rng = new Rng(seed);
        var vf = new ValueFunction(3, [7, 5], act, rng);
        int n = 9;
        var obs = new double[n * 3];
        var ret = new double[n];
        rng.FillGaussian(obs);
        rng.FillGaussian(ret);
        var theta = vf.Parameters.ToArray();
        double[] num = GradientCheck.Numerical(theta, () => { theta.CopyTo(vf.Parameters); return vf.Loss(obs, ret, n); });
        theta.CopyTo(vf.Parameters);
        // The analytic gradient the fit uses: ∂/∂θ mean((V − R)²) = backward of 2(V − R)/n.
        var ws = vf.Network.CreateWorkspace(n);
        ReadOnlySpan<double> v = vf.Network.Forward(obs, n, ws);
        var u = new double[n];
        for (int i = 0; i < n; i++)
        {
            u[i] = 2 * (v[i] - ret[i]) / n;
        }
        var g = new double[theta.Length];
        vf.Network.Backward(obs, u, ws, g, accumulate: false);
        Assert.True(GradientCheck.RelativeError(g, num) < 1e-6, $"error {GradientCheck.RelativeError(g, num)}");
    }

    [Fact]
    public void Fit_ReducesLoss_OnASmoothTarget()
    {
        var rng = new Rng(3);
        var vf = new ValueFunction(2, [64, 64], Activation.Tanh, rng);
        int n = 512;
        var obs = new double[n * 2];
        var ret = new double[n];
        rng.FillGaussian(obs);
        for (int i = 0; i < n; i++)
        {
            ret[i] = Math.Sin(obs[2 * i]) + (0.5 * obs[(2 * i) + 1]);
        }
        double before = vf.Loss(obs, ret, n);
        double mean = vf.Fit(obs, ret, n, new ValueFitOptions { Epochs = 20, MinibatchSize = 64 }, new Rng(4));
        double after = vf.Loss(obs, ret, n);
        Assert.True(after < 0.2 * before, $"loss {before} → {after}");
        Assert.True(mean < before);
        Assert.Equal(20 * 8, vf.Optimizer.StepCount);
    }

    [Fact]
    public void Fit_SingleFullBatchStep_EqualsOneAdamStepOnTheGradient()
    {
        var rng = new Rng(5);
        var a = new ValueFunction(3, [4], Activation.Tanh, new Rng(6));
        int n = 10;
        var obs = new double[n * 3];
        var ret = new double[n];
        rng.FillGaussian(obs);
        rng.FillGaussian(ret);
        var theta = a.Parameters.ToArray();
        double loss = a.Fit(obs, ret, n, new ValueFitOptions { Epochs = 1, MinibatchSize = n, LearningRate = 0.01 }, new Rng(7));
        // Reference: same loss and gradient on the unshuffled batch (the mean is order-independent up to rounding), one Adam step of ±lr.
        var b = new ValueFunction(3, [4], Activation.Tanh, new Rng(6));
        Assert.Equal(b.Loss(obs, ret, n), loss, 12);
        var ws = b.Network.CreateWorkspace(n);
        ReadOnlySpan<double> v = b.Network.Forward(obs, n, ws);
        var u = new double[n];
        for (int i = 0; i < n; i++)
        {
            u[i] = 2 * (v[i] - ret[i]) / n;
        }
        var g = new double[theta.Length];
        b.Network.Backward(obs, u, ws, g, accumulate: false);
        for (int i = 0; i < theta.Length; i++)
        {
            // First Adam step: m̂ = g, v̂ = g², so the move is lr · g / (|g| + ε), up to Adam's float 1 / (√v̂ + ε) (≤ 3e-7 relative).
            double step = 0.01 * g[i] / (Math.Abs(g[i]) + ValueFunction.AdamEpsilon);
            Assert.Equal(theta[i] - step, a.Parameters[i], 3e-7 * Math.Abs(step) + 1e-15);
        }
    }

    [Fact]
    public void Fit_AllocatesNothingAfterWarmUp_AndIsDeterministic()
    {
        var obsRng = new Rng(8);
        int n = 300;
        var obs = new double[n * 4];
        var ret = new double[n];
        obsRng.FillGaussian(obs);
        obsRng.FillGaussian(ret);
        var a = new ValueFunction(4, [64, 64], Activation.Tanh, new Rng(9));
        var options = new ValueFitOptions { Epochs = 2, MinibatchSize = 128 };
        var fitRng = new Rng(10);
        a.Fit(obs, ret, n, options, fitRng);
        Assert.Equal(0, AllocationWindows.SmallestOnThisThread(() => a.Fit(obs, ret, n, options, fitRng)));

        var b = new ValueFunction(4, [64, 64], Activation.Tanh, new Rng(9));
        var fitRng2 = new Rng(10);
        b.Fit(obs, ret, n, options, fitRng2);
        b.Fit(obs, ret, n, options, fitRng2);
        Assert.True(a.Parameters.SequenceEqual(b.Parameters));
    }

    [Fact]
    public void ValueFitOptions_Validate_NamesKeyValueAndRange()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new ValueFitOptions { MinibatchSize = 0 }.Validate());
        Assert.Contains("MinibatchSize is 0", ex.Message);
        Assert.Contains("≥ 1", ex.Message);
    }
}
