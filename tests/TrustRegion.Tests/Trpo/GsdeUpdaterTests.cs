using TrustRegion.Envs;
using TrustRegion.Networks;
using TrustRegion.Numerics;
using TrustRegion.Trpo;

namespace TrustRegion.Tests.Trpo;

/// <summary>
/// TRPO with a gSDE head. The latent in the variance is detached (SB3, <c>learn_features=False</c>), so every derivative the
/// updater forms is that of a function in which the latent is a constant: the reference values below hold the latent fixed at
/// the parameters the derivative is taken at (θ_old for g and F, the current θ elsewhere).
/// </summary>
[Collection(ProcessWideMeasurementCollection.Name)] // allocation checks run alone: beside other tests they saw sporadic charges of a few KB
public class GsdeUpdaterTests
{
    public static TheoryData<Activation, ulong> Cases() => new()
    {
        { Activation.Tanh, 1 },
        { Activation.Tanh, 2 },
        { Activation.ReLU, 3 },
        { Activation.ReLU, 4 },
    };

    private sealed record Setup(Policy Policy, double[] Obs, double[] Actions, double[] Advantages, int N);

    private static Setup Make(Activation act, ulong seed, int? batch = null, int[]? hidden = null, int? actionDim = null)
    {
        var rng = new Rng(seed);
        int obsSize = 1 + rng.NextInt(4);
        int n = batch ?? (4 + rng.NextInt(8));
        int d = actionDim ?? (1 + rng.NextInt(3));
        hidden ??= [2 + rng.NextInt(5), 2 + rng.NextInt(5)];
        var policy = new Policy(Box.Uniform(-1, 1, d), obsSize, hidden, act, logStdInit: -0.3, rng, useSde: true);
        foreach (ref double p in policy.Parameters)
        {
            p += 0.3 * rng.NextGaussian();
        }
        var obs = new double[n * obsSize];
        rng.FillGaussian(obs);
        int envs = 1 + rng.NextInt(3);
        policy.ResampleNoise(rng, envs);
        var actions = new double[n * d];
        policy.Act(obs, n, actions, new double[n], rng, deterministic: false);
        var adv = new double[n];
        rng.FillGaussian(adv);
        return new Setup(policy, obs, actions, adv, n);
    }

    private static void Perturb(Policy policy, Rng rng, double scale)
    {
        foreach (ref double p in policy.Parameters)
        {
            p += scale * rng.NextGaussian();
        }
    }

    /// <summary>The latent at the policy's current parameters.</summary>
    private static double[] Latent(Setup s)
    {
        var ws = s.Policy.Network.CreateWorkspace(s.N);
        s.Policy.Network.Forward(s.Obs, s.N, ws);
        return s.Policy.Features(s.Obs, s.N, ws).ToArray();
    }

    /// <summary>Distributions at the current parameters with the latent held at <paramref name="latent"/>; leaves the pass in <paramref name="ws"/>.</summary>
    private static double[] FrozenDistribution(Setup s, double[] latent, MlpWorkspace ws)
    {
        ReadOnlySpan<double> outputs = s.Policy.Network.Forward(s.Obs, s.N, ws);
        var dist = new double[s.N * s.Policy.Head.DistributionSize];
        s.Policy.Head.ComputeDistribution(outputs, latent, s.Policy.HeadParameters, s.N, dist);
        return dist;
    }

    private static double MeanKlFrozen(Setup s, double[] oldDist, double[] latent)
    {
        double[] dist = FrozenDistribution(s, latent, s.Policy.Network.CreateWorkspace(s.N));
        var kl = new double[s.N];
        s.Policy.Head.Kl(oldDist, dist, s.N, kl);
        return kl.Sum() / s.N;
    }

    /// <summary>Surrogate <c>mean(exp(log π − log π_old) A) + c · mean H</c> (advantages not normalised) with the latent held.</summary>
    private static double SurrogateFrozen(Setup s, double[] oldLogProb, double[] latent, double entropyCoefficient)
    {
        double[] dist = FrozenDistribution(s, latent, s.Policy.Network.CreateWorkspace(s.N));
        var lp = new double[s.N];
        var h = new double[s.N];
        s.Policy.Head.LogProb(dist, s.Actions, s.N, lp);
        s.Policy.Head.Entropy(dist, s.N, h);
        double l = 0;
        for (int i = 0; i < s.N; i++)
        {
            l += Math.Exp(lp[i] - oldLogProb[i]) * s.Advantages[i];
        }
        return (l / s.N) + (entropyCoefficient * h.Sum() / s.N);
    }

    /// <summary>Gradient of the mean KL(old ‖ θ) with the latent held, by the head's analytic KL gradient and one backward pass.</summary>
    private static double[] KlGradientFrozen(Setup s, double[] oldDist, double[] latent)
    {
        var policy = s.Policy;
        var ws = policy.Network.CreateWorkspace(s.N);
        double[] dist = FrozenDistribution(s, latent, ws);
        int net = policy.Network.ParameterCount;
        var outGrad = new double[s.N * policy.Head.OutputSize];
        var grad = new double[policy.ParameterCount];
        policy.Head.KlBackward(oldDist, dist, s.N, 1.0 / s.N, outGrad, grad.AsSpan(net));
        policy.Network.Backward(s.Obs, outGrad, ws, grad.AsSpan(0, net), accumulate: false);
        return grad;
    }

    private static double[] OldDistribution(Setup s, double[] latent) =>
        FrozenDistribution(s, latent, s.Policy.Network.CreateWorkspace(s.N));

    /// <summary>(Hessian of the mean KL at θ_old, latent held at θ_old's) · v by central differences of the analytic gradient, + damping · v.</summary>
    private static double[] HessianTimes(Setup s, double[] thetaOld, double[] oldDist, double[] latentOld, double[] v, double damping)
    {
        const double h = 1e-5;
        for (int i = 0; i < v.Length; i++)
        {
            s.Policy.Parameters[i] = thetaOld[i] + (h * v[i]);
        }
        double[] gp = KlGradientFrozen(s, oldDist, latentOld);
        for (int i = 0; i < v.Length; i++)
        {
            s.Policy.Parameters[i] = thetaOld[i] - (h * v[i]);
        }
        double[] gm = KlGradientFrozen(s, oldDist, latentOld);
        thetaOld.CopyTo(s.Policy.Parameters);
        return gp.Select((x, i) => ((x - gm[i]) / (2 * h)) + (damping * v[i])).ToArray();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SurrogateGradient_MatchesFiniteDifferences_WithTheLatentHeld(Activation act, ulong seed)
    {
        var s = Make(act, seed);
        var options = new TrpoOptions { EntropyCoefficient = 0.05, NormalizeAdvantage = false };
        var updater = new TrpoUpdater(s.Policy, s.N, options);
        updater.Prepare(s.Obs, s.Actions, s.Advantages, s.N);
        double[] latentOld = Latent(s);
        var oldLogProb = new double[s.N];
        s.Policy.Head.LogProb(OldDistribution(s, latentOld), s.Actions, s.N, oldLogProb);

        var theta = s.Policy.Parameters.ToArray();
        double[] gOld = GradientCheck.Numerical(theta, () => { theta.CopyTo(s.Policy.Parameters); return SurrogateFrozen(s, oldLogProb, latentOld, 0.05); });
        theta.CopyTo(s.Policy.Parameters);
        Assert.True(GradientCheck.RelativeError(updater.Gradient, gOld) < 1e-6, $"error at θ_old {GradientCheck.RelativeError(updater.Gradient, gOld)}");

        Perturb(s.Policy, new Rng(seed + 50), 0.05);
        double[] latent = Latent(s);
        theta = s.Policy.Parameters.ToArray();
        double[] gNum = GradientCheck.Numerical(theta, () => { theta.CopyTo(s.Policy.Parameters); return SurrogateFrozen(s, oldLogProb, latent, 0.05); });
        theta.CopyTo(s.Policy.Parameters);
        var g = new double[theta.Length];
        double l = updater.SurrogateGradientAtCurrent(s.Obs, s.Actions, g);
        Assert.Equal(SurrogateFrozen(s, oldLogProb, latent, 0.05), l, 12); // the value uses the current latent
        Assert.True(GradientCheck.RelativeError(g, gNum) < 1e-6, $"error at θ {GradientCheck.RelativeError(g, gNum)}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void KlGradient_MatchesFiniteDifferences_WithTheLatentHeld(Activation act, ulong seed)
    {
        var s = Make(act, seed);
        var updater = new TrpoUpdater(s.Policy, s.N, new TrpoOptions());
        updater.Prepare(s.Obs, s.Actions, s.Advantages, s.N);
        double[] oldDist = OldDistribution(s, Latent(s));
        Perturb(s.Policy, new Rng(seed + 60), 0.1);
        double[] latent = Latent(s);
        var theta = s.Policy.Parameters.ToArray();
        double[] gNum = GradientCheck.Numerical(theta, () => { theta.CopyTo(s.Policy.Parameters); return MeanKlFrozen(s, oldDist, latent); });
        theta.CopyTo(s.Policy.Parameters);
        var g = new double[theta.Length];
        double kl = updater.KlGradientAtCurrent(s.Obs, s.Actions, g);
        Assert.True(kl > 0);
        Assert.Equal(MeanKlFrozen(s, oldDist, latent), kl, 12);
        Assert.True(GradientCheck.RelativeError(g, gNum) < 1e-6, $"error {GradientCheck.RelativeError(g, gNum)}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FisherVectorProduct_EqualsKlHessian_ByFiniteDifferencesOfKlGradient(Activation act, ulong seed)
    {
        var s = Make(act, seed);
        var updater = new TrpoUpdater(s.Policy, s.N, new TrpoOptions { CgDamping = 0.1 });
        updater.Prepare(s.Obs, s.Actions, s.Advantages, s.N);
        updater.PrepareFisher();
        var thetaOld = s.Policy.Parameters.ToArray();
        double[] latentOld = Latent(s);
        double[] oldDist = OldDistribution(s, latentOld);
        var v = new double[thetaOld.Length];
        new Rng(seed + 70).FillGaussian(v);
        double[] expected = HessianTimes(s, thetaOld, oldDist, latentOld, v, 0.1);
        var fv = new double[v.Length];
        updater.FisherVectorProduct(v, fv);
        Assert.True(GradientCheck.RelativeError(fv, expected) < 1e-6, $"error {GradientCheck.RelativeError(fv, expected)}");
        // The log-std block is not trivial: it carries a real share of the product.
        int net = s.Policy.Network.ParameterCount;
        Assert.True(fv.AsSpan(net).ToArray().Sum(Math.Abs) > 1e-3);
    }

    [Theory]
    [InlineData(Activation.Tanh, 2)]
    [InlineData(Activation.ReLU, 3)]
    public void FisherVectorProduct_MatchesExplicitHessian_EntryByEntry_OnTinyNetwork(Activation act, int actionDim)
    {
        var s = Make(act, 99, batch: 4, hidden: [3], actionDim: actionDim);
        var updater = new TrpoUpdater(s.Policy, s.N, new TrpoOptions { CgDamping = 0 });
        updater.Prepare(s.Obs, s.Actions, s.Advantages, s.N);
        updater.PrepareFisher();
        var thetaOld = s.Policy.Parameters.ToArray();
        double[] latentOld = Latent(s);
        double[] oldDist = OldDistribution(s, latentOld);
        int p = thetaOld.Length;
        double[,] hessian = UpdaterChecks.ExplicitMatrix(p, e => HessianTimes(s, thetaOld, oldDist, latentOld, e, 0));
        double scale = UpdaterChecks.MaxAbs(hessian);
        int net = s.Policy.Network.ParameterCount;
        for (int j = 0; j < p; j++)
        {
            var e = new double[p];
            e[j] = 1;
            var col = new double[p];
            updater.FisherVectorProduct(e, col);
            for (int i = 0; i < p; i++)
            {
                Assert.True(Math.Abs(col[i] - hessian[i, j]) <= 1e-7 * scale, $"F[{i},{j}] = {col[i]}, Hessian {hessian[i, j]}");
                if ((i < net) != (j < net))
                {
                    Assert.Equal(0.0, col[i]); // the detached latent leaves no coupling between network and log-std matrix
                }
            }
        }
        UpdaterChecks.FisherIsPositiveSemiDefinite(updater, p);
    }

    [Fact]
    public void FisherVectorProduct_IsNotTheHessianThroughTheLatent()
    {
        // Had the latent not been held, the Hessian would also have a network × network term through the variance. The
        // product above leaves it out (SB3's detach); this makes sure the reference tests can tell the difference.
        var s = Make(Activation.Tanh, 7, batch: 6, hidden: [4, 4], actionDim: 2);
        var updater = new TrpoUpdater(s.Policy, s.N, new TrpoOptions { CgDamping = 0 });
        updater.Prepare(s.Obs, s.Actions, s.Advantages, s.N);
        updater.PrepareFisher();
        var thetaOld = s.Policy.Parameters.ToArray();
        double[] oldDist = OldDistribution(s, Latent(s));
        var v = new double[thetaOld.Length];
        new Rng(8).FillGaussian(v);
        var fv = new double[v.Length];
        updater.FisherVectorProduct(v, fv);
        // vᵀ H v of the KL with a live latent, by a second difference along v.
        const double h = 1e-4;
        double KlAlong(double t)
        {
            for (int i = 0; i < v.Length; i++)
            {
                s.Policy.Parameters[i] = thetaOld[i] + (t * v[i]);
            }
            double kl = MeanKlFrozen(s, oldDist, Latent(s));
            thetaOld.CopyTo(s.Policy.Parameters);
            return kl;
        }
        double vHv = (KlAlong(h) - (2 * KlAlong(0)) + KlAlong(-h)) / (h * h);
        double vFv = v.Zip(fv, (a, b) => a * b).Sum();
        Assert.True(Math.Abs(vHv - vFv) > 1e-3 * Math.Abs(vFv), $"vᵀHv {vHv} vs vᵀFv {vFv}");
    }

    [Fact]
    public void FisherSubsampling_UsesEveryKthSample()
    {
        var s = Make(Activation.Tanh, 7, batch: 9);
        UpdaterChecks.FisherSubsamplingUsesEveryThirdSample(s.Policy, s.Obs, s.Actions, s.Advantages, s.N);
    }

    [Fact]
    public void Update_AcceptedStepsRespectKlAndImprove_RejectedStepsRestoreParametersBitForBit()
    {
        int accepted = 0, rejected = 0;
        for (ulong seed = 1; seed <= 16; seed++)
        {
            var s = Make(seed % 2 == 0 ? Activation.Tanh : Activation.ReLU, seed, batch: 64);
            var options = seed % 2 == 0
                ? new TrpoOptions { MaxKl = 0.01 }
                : new TrpoOptions { MaxKl = 2.0, LineSearchSteps = 1, CgDamping = 0 };
            var updater = new TrpoUpdater(s.Policy, s.N, options);
            var before = s.Policy.Parameters.ToArray();
            TrpoDiagnostics d = updater.Update(s.Obs, s.Actions, s.Advantages, s.N);
            Assert.True(double.IsFinite(d.MeanStd) && d.MeanStd > 0);
            if (d.Outcome == LineSearchOutcome.Accepted)
            {
                accepted++;
                Assert.True(d.Kl <= options.MaxKl, $"seed {seed}: KL {d.Kl} > {options.MaxKl}");
                Assert.True(d.ActualImprovement > 0, $"seed {seed}: improvement {d.ActualImprovement}");
                Assert.False(before.AsSpan().SequenceEqual(s.Policy.Parameters));
                // Independent check: the true KL between the policies (each with its own latent) and the surrogate.
                var after = s.Policy.Parameters.ToArray();
                before.CopyTo(s.Policy.Parameters);
                double[] oldDist = OldDistribution(s, Latent(s));
                var check = new TrpoUpdater(s.Policy, s.N, options);
                check.Prepare(s.Obs, s.Actions, s.Advantages, s.N);
                after.CopyTo(s.Policy.Parameters);
                double[] newDist = OldDistribution(s, Latent(s));
                var kl = new double[s.N];
                s.Policy.Head.Kl(oldDist, newDist, s.N, kl);
                Assert.Equal(d.Kl, kl.Sum() / s.N, 12);
                Assert.Equal(d.SurrogateAfter, check.SurrogateAndKl(s.Obs, s.Actions).Surrogate, 12);
            }
            else
            {
                rejected++;
                Assert.NotEqual(LineSearchOutcome.ZeroGradient, d.Outcome);
                for (int i = 0; i < before.Length; i++)
                {
                    Assert.Equal(BitConverter.DoubleToInt64Bits(before[i]), BitConverter.DoubleToInt64Bits(s.Policy.Parameters[i]));
                }
            }
        }
        Assert.True(accepted >= 6, $"only {accepted} accepted");
        Assert.True(rejected >= 1, "no rejection was exercised");
    }

    [Fact]
    public void Update_AllocatesNothingAfterWarmUp_AndIsDeterministic()
    {
        var s = Make(Activation.Tanh, 6, batch: 256, hidden: [64, 64], actionDim: 3);
        var updater = new TrpoUpdater(s.Policy, s.N, TrpoOptions.StableBaselines3);
        var theta = s.Policy.Parameters.ToArray();
        TrpoDiagnostics first = updater.Update(s.Obs, s.Actions, s.Advantages, s.N);
        var after = s.Policy.Parameters.ToArray();
        theta.CopyTo(s.Policy.Parameters);
        TrpoDiagnostics again = default!;
        Assert.Equal(0, AllocationWindows.SmallestOnThisThread(() =>
        {
            theta.CopyTo(s.Policy.Parameters);
            again = updater.Update(s.Obs, s.Actions, s.Advantages, s.N);
            updater.Update(s.Obs, s.Actions, s.Advantages, s.N);
        }));
        Assert.Equal(first, again);
        theta.CopyTo(s.Policy.Parameters);
        updater.Update(s.Obs, s.Actions, s.Advantages, s.N);
        Assert.True(after.AsSpan().SequenceEqual(s.Policy.Parameters));
    }
}
