using TrustRegion.Distributions;
using TrustRegion.Numerics;

namespace TrustRegion.Tests.Distributions;

public class GsdeHeadTests
{
    public static TheoryData<int, int, ulong> Shapes() => new()
    {
        { 1, 1, 1 },
        { 1, 5, 2 },
        { 3, 4, 3 },
        { 2, 7, 4 },
    };

    private sealed record Case(GsdeHead Head, int N, double[] Outputs, double[] Features, double[] Params, double[] Dist);

    private static Case Make(int actionDim, int latent, int n, Rng rng, double logStdInit = -0.4)
    {
        var head = new GsdeHead(actionDim, latent, logStdInit);
        var outputs = new double[n * actionDim];
        rng.FillGaussian(outputs);
        var features = new double[n * latent];
        rng.FillGaussian(features);
        var prm = new double[head.ParameterCount];
        head.InitializeParameters(prm);
        for (int i = 0; i < prm.Length; i++)
        {
            prm[i] += 0.5 * rng.NextGaussian();
        }
        var dist = new double[n * head.DistributionSize];
        head.ComputeDistribution(outputs, features, prm, n, dist);
        return new Case(head, n, outputs, features, prm, dist);
    }

    /// <summary>v_j = Σ_k z_k² exp(2φ_kj) + ε, written out independently of the head.</summary>
    private static double Variance(double[] features, double[] prm, int i, int j, int latent, int actionDim)
    {
        double v = GsdeHead.VarianceEpsilon;
        for (int k = 0; k < latent; k++)
        {
            double sigma = Math.Exp(prm[(k * actionDim) + j]);
            v += features[(i * latent) + k] * features[(i * latent) + k] * sigma * sigma;
        }
        return v;
    }

    private static double NormalLogPdf(double x, double mu, double variance) =>
        Math.Log(Math.Exp(-0.5 * (x - mu) * (x - mu) / variance) / Math.Sqrt(2 * Math.PI * variance));

    [Theory]
    [MemberData(nameof(Shapes))]
    public void LogProbEntropyAndKl_MatchClosedFormsOfTheStateDependentVariance(int d, int latent, ulong seed)
    {
        var rng = new Rng(seed);
        int n = 4;
        var p = Make(d, latent, n, rng);
        var q = Make(d, latent, n, rng);
        var actions = new double[n * d];
        rng.FillGaussian(actions);
        var lp = new double[n];
        var h = new double[n];
        var kl = new double[n];
        p.Head.LogProb(p.Dist, actions, n, lp);
        p.Head.Entropy(p.Dist, n, h);
        p.Head.Kl(q.Dist, p.Dist, n, kl);
        for (int i = 0; i < n; i++)
        {
            double elp = 0, eh = 0, ekl = 0;
            for (int j = 0; j < d; j++)
            {
                double vp = Variance(p.Features, p.Params, i, j, latent, d);
                double vq = Variance(q.Features, q.Params, i, j, latent, d);
                double mp = p.Outputs[(i * d) + j], mq = q.Outputs[(i * d) + j];
                elp += NormalLogPdf(actions[(i * d) + j], mp, vp);
                eh += 0.5 * Math.Log(2 * Math.PI * Math.E * vp);
                // KL(N(μq, vq) ‖ N(μp, vp)) = log(σp/σq) + (vq + (μq − μp)²)/(2vp) − ½
                ekl += (0.5 * Math.Log(vp / vq)) + ((vq + ((mq - mp) * (mq - mp))) / (2 * vp)) - 0.5;
            }
            Assert.Equal(elp, lp[i], 10);
            Assert.Equal(eh, h[i], 12);
            Assert.Equal(ekl, kl[i], 11);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Kl_IsNonNegative_AndZeroAgainstItself(int d, int latent, ulong seed)
    {
        var rng = new Rng(seed + 10);
        int n = 40;
        var p = Make(d, latent, n, rng);
        var q = Make(d, latent, n, rng);
        var kl = new double[n];
        p.Head.Kl(p.Dist, p.Dist, n, kl);
        Assert.All(kl, k => Assert.Equal(0.0, k));
        p.Head.Kl(q.Dist, p.Dist, n, kl);
        Assert.All(kl, k => Assert.True(k >= 0, $"KL = {k}"));
        Assert.Contains(kl, k => k > 1e-3);
        // Same means and features, different log-std matrix: KL still positive.
        var prm2 = p.Params.Select(x => x + 0.3).ToArray();
        var dist2 = new double[p.Dist.Length];
        p.Head.ComputeDistribution(p.Outputs, p.Features, prm2, n, dist2);
        p.Head.Kl(p.Dist, dist2, n, kl);
        Assert.All(kl, k => Assert.True(k > 0, $"KL = {k}"));
    }

    [Fact]
    public void ZeroLatent_GivesTheEpsilonVariance()
    {
        var head = new GsdeHead(2, 3, 0.0);
        var prm = new double[6];
        head.InitializeParameters(prm);
        var dist = new double[head.DistributionSize];
        head.ComputeDistribution([0.5, -0.5], new double[3], prm, 1, dist);
        var h = new double[1];
        head.Entropy(dist, 1, h);
        Assert.Equal(2 * 0.5 * Math.Log(2 * Math.PI * Math.E * GsdeHead.VarianceEpsilon), h[0], 12);
    }

    /// <summary>Gradients with the latent held constant (SB3's detach): central differences in the outputs and φ only.</summary>
    [Theory]
    [MemberData(nameof(Shapes))]
    public void Gradients_MatchFiniteDifferences_InOutputsAndLogStdMatrix(int d, int latent, ulong seed)
    {
        var rng = new Rng(seed + 20);
        int n = 5;
        var c = Make(d, latent, n, rng);
        var old = Make(d, latent, n, rng);
        var head = c.Head;
        // Old distribution at the same states (same features), as in TRPO.
        var oldDist = new double[c.Dist.Length];
        head.ComputeDistribution(old.Outputs, c.Features, old.Params, n, oldDist);
        var actions = new double[n * d];
        rng.FillGaussian(actions);
        var w = new double[n];
        rng.FillGaussian(w);

        HeadGradientCheck.AgainstFiniteDifferences(head, c.Outputs, c.Features, c.Params, c.Dist, oldDist, actions, w, n, entropyIgnoresOutputs: true);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void FisherProductPrepared_MatchesFisherProduct_BitForBit(int d, int latent, ulong seed)
    {
        var rng = new Rng(seed + 40);
        int n = 7;
        var c = Make(d, latent, n, rng);
        var head = c.Head;
        var vo = new double[c.Outputs.Length];
        var vp = new double[c.Params.Length];
        rng.FillGaussian(vo);
        rng.FillGaussian(vp);
        var eo = new double[vo.Length];
        var ep = new double[vp.Length];
        head.FisherProduct(c.Dist, n, vo, vp, 0.5, eo, ep);
        var metric = new double[n * head.FisherMetricSize];
        head.PrepareFisherMetric(c.Dist, n, metric);
        var ro = new double[vo.Length];
        var rp = new double[vp.Length];
        head.FisherProductPrepared(metric, n, vo, vp, 0.5, ro, rp);
        Assert.Equal(eo, ro);
        Assert.Equal(ep, rp);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void FisherProduct_EqualsHessianOfKl_InOutputsAndLogStdMatrix(int d, int latent, ulong seed)
    {
        // M = ∂²KL(p ‖ q)/∂q² at q = p (latent constant): central differences of the analytic KL gradient.
        var rng = new Rng(seed + 30);
        int n = 6;
        var c = Make(d, latent, n, rng);
        var head = c.Head;
        var vo = new double[c.Outputs.Length];
        var vp = new double[c.Params.Length];
        rng.FillGaussian(vo);
        rng.FillGaussian(vp);
        var ro = new double[vo.Length];
        var rp = new double[vp.Length];
        rp.AsSpan().Fill(123.0); // overwritten, not accumulated
        head.FisherProduct(c.Dist, n, vo, vp, 0.5, ro, rp);

        const double h = 1e-5;
        (double[] Go, double[] Gp) KlGrad(double s)
        {
            var o2 = c.Outputs.Select((x, i) => x + (s * vo[i])).ToArray();
            var p2 = c.Params.Select((x, i) => x + (s * vp[i])).ToArray();
            var d2 = new double[c.Dist.Length];
            head.ComputeDistribution(o2, c.Features, p2, n, d2);
            var go = new double[vo.Length];
            var gp = new double[vp.Length];
            head.KlBackward(c.Dist, d2, n, 0.5, go, gp);
            return (go, gp);
        }
        var (po, pp) = KlGrad(h);
        var (mo, mp) = KlGrad(-h);
        var fo = po.Select((x, i) => (x - mo[i]) / (2 * h)).ToArray();
        var fp = pp.Select((x, i) => (x - mp[i]) / (2 * h)).ToArray();
        Assert.True(GradientCheck.RelativeError(ro, fo) < 1e-6, $"output block error {GradientCheck.RelativeError(ro, fo)}");
        Assert.True(GradientCheck.RelativeError(rp, fp) < 1e-6, $"parameter block error {GradientCheck.RelativeError(rp, fp)}");
    }

    [Fact]
    public void FisherProduct_ParameterBlock_MatchesSecondDifferencesOfKl_EntryByEntry()
    {
        // Explicit Hessian of Σ_i KL(p_i ‖ q_i) in φ by second differences of the KL value (not of its gradient).
        var rng = new Rng(41);
        int n = 3, d = 2, latent = 3;
        var c = Make(d, latent, n, rng);
        var head = c.Head;
        int p = c.Params.Length;
        double KlAt(double[] prm)
        {
            var dd = new double[c.Dist.Length];
            head.ComputeDistribution(c.Outputs, c.Features, prm, n, dd);
            var k = new double[n];
            head.Kl(c.Dist, dd, n, k);
            return k.Sum();
        }
        const double h = 1e-4;
        var ro = new double[c.Outputs.Length];
        for (int a = 0; a < p; a++)
        {
            var ea = new double[p];
            ea[a] = 1;
            var col = new double[p];
            head.FisherProduct(c.Dist, n, new double[c.Outputs.Length], ea, 1.0, ro, col);
            for (int b = 0; b < p; b++)
            {
                double Shift(double sa, double sb)
                {
                    var x = (double[])c.Params.Clone();
                    x[a] += sa;
                    x[b] += sb;
                    return KlAt(x);
                }
                double hab = (Shift(h, h) - Shift(h, -h) - Shift(-h, h) + Shift(-h, -h)) / (4 * h * h);
                Assert.True(Math.Abs(col[b] - hab) < 2e-6, $"M[{b},{a}] = {col[b]}, second difference {hab}");
            }
        }
    }

    [Fact]
    public void Sample_IsMeanPlusLatentTimesTheRowsNoiseMatrix_AndModeIsTheMean()
    {
        var rng = new Rng(51);
        int d = 2, latent = 3, n = 5, envs = 2;
        var c = Make(d, latent, n, rng);
        c.Head.ResampleNoise(c.Params, new Rng(52), envs);
        Assert.Equal(envs, c.Head.NoiseEnvCount);
        double[] noise = c.Head.Noise.ToArray();
        Assert.Equal(envs * latent * d, noise.Length);
        var actions = new double[n * d];
        var before = new Rng(53);
        var sampler = new Rng(53);
        c.Head.Sample(c.Dist, n, sampler, actions);
        Assert.Equal(before.GetState(), sampler.GetState()); // the noise matrices replace the generator
        for (int i = 0; i < n; i++)
        {
            int e = i % envs;
            for (int j = 0; j < d; j++)
            {
                double expected = c.Outputs[(i * d) + j];
                for (int k = 0; k < latent; k++)
                {
                    expected += c.Features[(i * latent) + k] * noise[(e * latent * d) + (k * d) + j];
                }
                Assert.Equal(expected, actions[(i * d) + j], 13);
            }
        }
        var mode = new double[n * d];
        c.Head.Mode(c.Dist, n, mode);
        Assert.Equal(c.Outputs, mode);
    }

    [Fact]
    public void ResampleNoise_DrawsEntriesWithStdSigma_AndSamplesFollowTheStateDependentVariance()
    {
        int d = 2, latent = 3;
        var head = new GsdeHead(d, latent);
        double[] prm = [-1.0, 0.5, 0.0, -0.3, 0.7, -2.0];
        double[] z = [0.8, -1.5, 0.4];
        double[] mu = [0.2, -0.1];
        var dist = new double[head.DistributionSize];
        head.ComputeDistribution(mu, z, prm, 1, dist);
        var rng = new Rng(61);
        const int draws = 40000;
        var entrySq = new double[prm.Length];
        var sum = new double[d];
        var sumSq = new double[d];
        var a = new double[d];
        for (int t = 0; t < draws; t++)
        {
            head.ResampleNoise(prm, rng, 1);
            for (int m = 0; m < prm.Length; m++)
            {
                double u = head.Noise[m] / Math.Exp(prm[m]);
                entrySq[m] += u * u;
            }
            head.Sample(dist, 1, rng, a);
            for (int j = 0; j < d; j++)
            {
                sum[j] += a[j];
                sumSq[j] += (a[j] - mu[j]) * (a[j] - mu[j]);
            }
        }
        // Standard error of a variance estimate from 40,000 normal draws is √(2/40000) ≈ 0.7%: allow 5%.
        Assert.All(entrySq, s => Assert.InRange(s / draws, 0.95, 1.05));
        for (int j = 0; j < d; j++)
        {
            double v = Variance(z, prm, 0, j, latent, d) - GsdeHead.VarianceEpsilon;
            Assert.InRange(sumSq[j] / draws / v, 0.95, 1.05);
            Assert.InRange((sum[j] / draws) - mu[j], -0.05 * Math.Sqrt(v), 0.05 * Math.Sqrt(v));
        }
    }

    [Fact]
    public void ResampleNoise_IsDeterministicPerSeed_AndRestoreNoiseRoundTrips()
    {
        var a = new GsdeHead(2, 4);
        var b = new GsdeHead(2, 4);
        var prm = new double[8];
        a.ResampleNoise(prm, new Rng(71), 3);
        b.ResampleNoise(prm, new Rng(71), 3);
        Assert.True(a.Noise.SequenceEqual(b.Noise));
        var c = new GsdeHead(2, 4);
        c.RestoreNoise(a.Noise);
        Assert.Equal(3, c.NoiseEnvCount);
        Assert.True(a.Noise.SequenceEqual(c.Noise));
        // Fewer copies after more: storage is reused, the count shrinks.
        a.ResampleNoise(prm, new Rng(72), 1);
        Assert.Equal(1, a.NoiseEnvCount);
        Assert.Equal(8, a.Noise.Length);
    }

    [Fact]
    public void BadInput_ThrowsNamingTheProblem()
    {
        var head = new GsdeHead(2, 3);
        var prm = new double[6];
        var dist = new double[head.DistributionSize];
        var ex = Assert.Throws<ArgumentException>(() => head.ComputeDistribution([0.0, 0.0], default, prm, 1, dist));
        Assert.Equal("features", ex.ParamName);
        Assert.Contains("1 × 3", ex.Message);
        head.ComputeDistribution([0.0, 0.0], [1.0, 2.0, 3.0], prm, 1, dist);
        var inv = Assert.Throws<InvalidOperationException>(() => head.Sample(dist, 1, new Rng(1), new double[2]));
        Assert.Contains("ResampleNoise", inv.Message);
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => head.ResampleNoise(prm, new Rng(1), 0));
        Assert.Contains("numEnvs is 0", range.Message);
        var restore = Assert.Throws<ArgumentException>(() => head.RestoreNoise(new double[7]));
        Assert.Contains("multiple of", restore.Message);
        Assert.Contains("6", restore.Message);
        Assert.Throws<ArgumentException>(() => head.RestoreNoise([]));
        Assert.Contains("latentSize is 0", Assert.Throws<ArgumentOutOfRangeException>(() => new GsdeHead(1, 0)).Message);
        Assert.Contains("actionDim is 0", Assert.Throws<ArgumentOutOfRangeException>(() => new GsdeHead(0, 1)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new GsdeHead(1, 1, double.NaN));
    }

    [Fact]
    public void Describes_ItsLayout()
    {
        var head = new GsdeHead(3, 64, -2.0);
        Assert.Equal(HeadKind.Gsde, head.Kind);
        Assert.Equal(3, head.OutputSize);
        Assert.Equal(3, head.ActionSize);
        Assert.Equal(192, head.ParameterCount);
        Assert.Equal(6 + 64 + 192, head.DistributionSize);
        Assert.Equal([3], head.ActionDims);
        var prm = new double[192];
        head.InitializeParameters(prm);
        Assert.All(prm, x => Assert.Equal(-2.0, x));
        Assert.Equal("Gsde [3]", head.ToString());
    }
}
