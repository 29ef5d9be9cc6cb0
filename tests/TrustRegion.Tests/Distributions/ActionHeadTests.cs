using TrustRegion.Distributions;
using TrustRegion.Envs;
using TrustRegion.Numerics;

namespace TrustRegion.Tests.Distributions;

public class ActionHeadTests
{
    public static TheoryData<string> Heads() => ["discrete", "multidiscrete", "gaussian"];

    private static ActionHead Make(string name) => name switch
    {
        "discrete" => ActionHead.Create(new Discrete(4, start: 2)),
        "multidiscrete" => ActionHead.Create(new MultiDiscrete([3, 1, 5])),
        _ => ActionHead.Create(Box.Uniform(-1, 1, 3), logStdInit: -0.3),
    };

    private static (double[] Outputs, double[] Params, double[] Dist) RandomDist(ActionHead head, int n, Rng rng)
    {
        var outputs = new double[n * head.OutputSize];
        rng.FillGaussian(outputs);
        var prm = new double[head.ParameterCount];
        head.InitializeParameters(prm);
        for (int i = 0; i < prm.Length; i++)
        {
            prm[i] += 0.5 * rng.NextGaussian();
        }
        var dist = new double[n * head.DistributionSize];
        head.ComputeDistribution(outputs, default, prm, n, dist);
        return (outputs, prm, dist);
    }

    [Theory]
    [MemberData(nameof(Heads))]
    public void Kl_IsNonNegative_AndZeroAgainstItself(string name)
    {
        var head = Make(name);
        var rng = new Rng(11);
        int n = 50;
        var (_, _, p) = RandomDist(head, n, rng);
        var (_, _, q) = RandomDist(head, n, rng);
        var kl = new double[n];
        head.Kl(p, p, n, kl);
        Assert.All(kl, k => Assert.True(Math.Abs(k) < 1e-14, $"KL(p‖p) = {k}"));
        head.Kl(p, q, n, kl);
        Assert.All(kl, k => Assert.True(k >= 0, $"KL = {k}"));
        Assert.Contains(kl, k => k > 1e-3);
    }

    [Fact]
    public void Categorical_ProbabilitiesSumToOne_AndSamplesFollowThem()
    {
        var head = ActionHead.Create(new Discrete(3));
        double[] logits = [0.2, -1.0, 1.5];
        var dist = new double[3];
        head.ComputeDistribution(logits, default, default, 1, dist);
        Assert.Equal(1.0, dist.Sum(Math.Exp), 14);
        var rng = new Rng(1);
        var counts = new int[3];
        var a = new double[1];
        for (int i = 0; i < 30000; i++)
        {
            head.Sample(dist, 1, rng, a);
            counts[(int)a[0]]++;
        }
        for (int k = 0; k < 3; k++)
        {
            Assert.Equal(Math.Exp(dist[k]), counts[k] / 30000.0, 2);
        }
        head.Mode(dist, 1, a);
        Assert.Equal(2.0, a[0]);
    }

    [Fact]
    public void MultiCategorical_EachComponentSumsToOne()
    {
        var head = ActionHead.Create(new MultiDiscrete([3, 1, 5]));
        var rng = new Rng(2);
        var (_, _, dist) = RandomDist(head, 4, rng);
        for (int i = 0; i < 4; i++)
        {
            int o = i * 9;
            Assert.Equal(1.0, dist.AsSpan(o, 3).ToArray().Sum(Math.Exp), 14);
            Assert.Equal(0.0, dist[o + 3], 14);
            Assert.Equal(1.0, dist.AsSpan(o + 4, 5).ToArray().Sum(Math.Exp), 14);
        }
    }

    [Fact]
    public void Gaussian_LogProbAndEntropy_MatchClosedForms()
    {
        var head = ActionHead.Create(Box.Uniform(-1, 1, 2));
        double[] dist = [0.5, -1.0, Math.Log(0.7), Math.Log(2.0)]; // μ, log σ
        double[] a = [0.1, 0.3];
        var lp = new double[1];
        head.LogProb(dist, a, 1, lp);
        double expected = Math.Log(Normal(0.1, 0.5, 0.7)) + Math.Log(Normal(0.3, -1.0, 2.0));
        Assert.Equal(expected, lp[0], 13);
        var h = new double[1];
        head.Entropy(dist, 1, h);
        Assert.Equal((0.5 * Math.Log(2 * Math.PI * Math.E * 0.49)) + (0.5 * Math.Log(2 * Math.PI * Math.E * 4.0)), h[0], 13);
        var kl = new double[1];
        double[] other = [0.0, 0.0, 0.0, 0.0];
        head.Kl(dist, other, 1, kl);
        // KL(N(μ1,σ1²) ‖ N(μ2,σ2²)) = log(σ2/σ1) + (σ1² + (μ1−μ2)²)/(2σ2²) − 1/2
        double k = -Math.Log(0.7) + ((0.49 + 0.25) / 2) - 0.5 + (-Math.Log(2.0)) + ((4.0 + 1.0) / 2) - 0.5;
        Assert.Equal(k, kl[0], 13);
    }

    private static double Normal(double x, double mu, double sigma) =>
        Math.Exp(-0.5 * (x - mu) * (x - mu) / (sigma * sigma)) / (sigma * Math.Sqrt(2 * Math.PI));

    [Theory]
    [MemberData(nameof(Heads))]
    public void Gradients_MatchFiniteDifferences_InOutputSpace(string name)
    {
        var head = Make(name);
        var rng = new Rng(21);
        int n = 6;
        var (outputs, prm, dist) = RandomDist(head, n, rng);
        var (_, _, oldDist) = RandomDist(head, n, rng);
        var actions = new double[n * head.ActionSize];
        head.Sample(oldDist, n, rng, actions);
        var w = new double[n];
        rng.FillGaussian(w);

        HeadGradientCheck.AgainstFiniteDifferences(head, outputs, null, prm, dist, oldDist, actions, w, n);
    }

    public static TheoryData<string> HeadsWithBinary() => ["discrete", "binary", "multidiscrete", "gaussian"];

    [Theory]
    [MemberData(nameof(HeadsWithBinary))]
    public void FisherProductPrepared_MatchesFisherProduct_BitForBit_OnWholeBatchAndRowChunks(string name)
    {
        var head = name == "binary" ? ActionHead.Create(new Discrete(2)) : Make(name);
        var rng = new Rng(37);
        int n = 13;
        var (outputs, prm, dist) = RandomDist(head, n, rng);
        var vo = new double[outputs.Length];
        var vp = new double[prm.Length];
        rng.FillGaussian(vo);
        rng.FillGaussian(vp);
        var expectedO = new double[outputs.Length];
        var expectedP = new double[prm.Length];
        head.FisherProduct(dist, n, vo, vp, 0.3, expectedO, expectedP);

        int ms = head.FisherMetricSize;
        var metric = new double[n * ms];
        head.PrepareFisherMetric(dist, n, metric);
        var ro = new double[outputs.Length];
        var rp = new double[prm.Length];
        head.FisherProductPrepared(metric, n, vo, vp, 0.3, ro, rp);
        Assert.Equal(expectedO, ro);
        Assert.Equal(expectedP, rp);

        // A row chunk of the prepared metric gives the chunk's rows of the whole-batch product.
        int r0 = 4, rows = 6, o = head.OutputSize;
        var chunkO = new double[rows * o];
        var chunkP = new double[prm.Length];
        var expectedChunkO = new double[rows * o];
        var expectedChunkP = new double[prm.Length];
        head.FisherProduct(dist.AsSpan(r0 * head.DistributionSize, rows * head.DistributionSize), rows, vo.AsSpan(r0 * o, rows * o), vp, 0.3, expectedChunkO, expectedChunkP);
        head.FisherProductPrepared(metric.AsSpan(r0 * ms, rows * ms), rows, vo.AsSpan(r0 * o, rows * o), vp, 0.3, chunkO, chunkP);
        Assert.Equal(expectedChunkO, chunkO);
        Assert.Equal(expectedChunkP, chunkP);
        Assert.Equal(expectedO.AsSpan(r0 * o, rows * o).ToArray(), chunkO);
    }

    [Fact]
    public void PrepareFisherMetric_RejectsShortBuffers()
    {
        var head = Make("gaussian");
        var dist = new double[4 * head.DistributionSize];
        var ex = Assert.Throws<ArgumentException>(() => head.PrepareFisherMetric(dist, 4, new double[(4 * head.FisherMetricSize) - 1]));
        Assert.Contains("metric", ex.Message);
    }

    [Theory]
    [MemberData(nameof(Heads))]
    public void FisherProduct_EqualsHessianOfKl_InOutputSpace(string name)
    {
        // M = ∂²KL(p ‖ q)/∂q² at q = p: compare with central differences of the analytic KL gradient.
        var head = Make(name);
        var rng = new Rng(31);
        int n = 5;
        var (outputs, prm, dist) = RandomDist(head, n, rng);
        var vo = new double[outputs.Length];
        var vp = new double[prm.Length];
        rng.FillGaussian(vo);
        rng.FillGaussian(vp);
        var ro = new double[outputs.Length];
        var rp = new double[prm.Length];
        head.FisherProduct(dist, n, vo, vp, 0.5, ro, rp);

        const double h = 1e-5;
        (double[] Go, double[] Gp) KlGrad(double s)
        {
            var o2 = outputs.Select((x, i) => x + (s * vo[i])).ToArray();
            var p2 = prm.Select((x, i) => x + (s * vp[i])).ToArray();
            var d2 = new double[dist.Length];
            head.ComputeDistribution(o2, default, p2, n, d2);
            var go = new double[outputs.Length];
            var gp = new double[prm.Length];
            head.KlBackward(dist, d2, n, 0.5, go, gp);
            return (go, gp);
        }
        var (po, pp) = KlGrad(h);
        var (mo, mp) = KlGrad(-h);
        var fo = po.Select((x, i) => (x - mo[i]) / (2 * h)).ToArray();
        var fp = pp.Select((x, i) => (x - mp[i]) / (2 * h)).ToArray();
        Assert.True(GradientCheck.RelativeError(ro, fo) < 1e-6, $"output block error {GradientCheck.RelativeError(ro, fo)}");
        if (prm.Length > 0)
        {
            Assert.True(GradientCheck.RelativeError(rp, fp) < 1e-6, $"parameter block error {GradientCheck.RelativeError(rp, fp)}");
        }
    }

    [Fact]
    public void LogProb_RejectsInvalidCategoricalAction()
    {
        var head = ActionHead.Create(new Discrete(3));
        var dist = new double[3];
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => head.LogProb(dist, [3.0], 1, new double[1]));
        Assert.Contains("0 … 2", ex.Message);
    }

    [Fact]
    public void Create_RejectsMultiBinary()
    {
        var ex = Assert.Throws<NotSupportedException>(() => ActionHead.Create(new MultiBinary(3)));
        Assert.Contains("MultiBinary", ex.Message);
    }
}
