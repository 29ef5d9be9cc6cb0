using TrustRegion.Networks;

namespace TrustRegion.Tests.Networks;

public class AdamTests
{
    [Fact]
    public void Step_MatchesPyTorchFormulation_OverSeveralSteps()
    {
        int n = 19; // exercises the vector body and the scalar tail
        var adam = new Adam(n, learningRate: 0.01, beta1: 0.8, beta2: 0.95, epsilon: 1e-6);
        var p = new double[n];
        var pr = new double[n];
        var m = new double[n];
        var v = new double[n];
        for (int i = 0; i < n; i++)
        {
            p[i] = pr[i] = i - 7.5;
        }
        for (int t = 1; t <= 5; t++)
        {
            var g = new double[n];
            for (int i = 0; i < n; i++)
            {
                g[i] = 2 * p[i] + (0.1 * t); // gradient of a shifted quadratic
            }
            adam.Step(p, g);
            for (int i = 0; i < n; i++)
            {
                double gi = 2 * pr[i] + (0.1 * t);
                m[i] = (0.8 * m[i]) + (0.2 * gi);
                v[i] = (0.95 * v[i]) + (0.05 * gi * gi);
                double mh = m[i] / (1 - Math.Pow(0.8, t));
                double vh = v[i] / (1 - Math.Pow(0.95, t));
                pr[i] -= 0.01 * mh / (Math.Sqrt(vh) + 1e-6);
            }
        }
        for (int i = 0; i < n; i++)
        {
            // 1 / (√v̂ + ε) is rounded to float: each of the five steps (at most 0.01) is off by at most ~3e-7 relative.
            Assert.Equal(pr[i], p[i], 2e-8);
            Assert.Equal(m[i], adam.FirstMoment[i], 1e-7); // the gradients follow the parameters
            Assert.Equal(v[i], adam.SecondMoment[i], 1e-6);
        }
        Assert.Equal(5, adam.StepCount);
    }

    [Fact]
    public void Step_WithAHugeSecondMoment_StaysFinite()
    {
        var adam = new Adam(17, learningRate: 1e-3);
        var p = new double[17];
        var g = new double[17];
        Array.Fill(g, 1e25); // v = 1e-3 · 1e50: beyond float's range
        adam.Step(p, g);
        Assert.All(p, x => Assert.True(double.IsFinite(x) && x < 0, $"{x}"));
    }

    [Fact]
    public void Constructor_NamesBadHyperparameters()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(3, beta1: 1.0));
        Assert.Contains("beta1", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(3, learningRate: -1));
        Assert.Throws<ArgumentException>(() => new Adam(3).Step(new double[2], new double[3]));
    }
}
