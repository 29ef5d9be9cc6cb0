using TrustRegion.Envs;
using TrustRegion.Numerics;
using TrustRegion.Trpo;

namespace TrustRegion.Tests.Trpo;

[Collection(ProcessWideMeasurementCollection.Name)] // allocation checks run alone: beside other tests they saw sporadic charges of a few KB
public class TrpoUpdaterTests
{
    public static TheoryData<string, Activation, ulong> Cases()
    {
        var data = new TheoryData<string, Activation, ulong>();
        ulong seed = 1;
        foreach (string head in new[] { "discrete", "multidiscrete", "gaussian" })
        {
            foreach (Activation act in new[] { Activation.Tanh, Activation.ReLU })
            {
                data.Add(head, act, seed++);
            }
        }
        return data;
    }

    internal sealed record Setup(Policy Policy, double[] Obs, double[] Actions, double[] Advantages, int N);

    internal static Setup Make(string head, Activation act, ulong seed, int? batch = null, int[]? hidden = null)
    {
        var rng = new Rng(seed);
        int obsSize = 1 + rng.NextInt(5);
        int n = batch ?? (3 + rng.NextInt(10));
        Space space = head switch
        {
            "discrete" => new Discrete(2 + rng.NextInt(3)),
            "multidiscrete" => new MultiDiscrete([2 + rng.NextInt(2), 3]),
            _ => Box.Uniform(-1, 1, 1 + rng.NextInt(3)),
        };
        hidden ??= [2 + rng.NextInt(6), 2 + rng.NextInt(6)];
        var policy = new Policy(space, obsSize, hidden, act, logStdInit: -0.2, rng);
        // Larger output weights than SB3's 0.01 gain so the distributions are far from uniform.
        foreach (ref double p in policy.Parameters)
        {
            p += 0.2 * rng.NextGaussian();
        }
        var obs = new double[n * obsSize];
        rng.FillGaussian(obs);
        var actions = new double[n * policy.ActionSize];
        var logp = new double[n];
        policy.Act(obs, n, actions, logp, rng, deterministic: false);
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

    [Theory]
    [MemberData(nameof(Cases))]
    public void SurrogateGradient_MatchesFiniteDifferences(string head, Activation act, ulong seed)
    {
        var s = Make(head, act, seed);
        var updater = new TrpoUpdater(s.Policy, s.N, new TrpoOptions { EntropyCoefficient = 0.05 });
        updater.Prepare(s.Obs, s.Actions, s.Advantages, s.N);
        var theta = s.Policy.Parameters.ToArray();
        // At θ_old (ratio = 1) and at a perturbed θ (general ratio).
        double[] gOld = GradientCheck.Numerical(theta, () => { theta.CopyTo(s.Policy.Parameters); return updater.SurrogateAndKl(s.Obs, s.Actions).Surrogate; });
        theta.CopyTo(s.Policy.Parameters);
        Assert.True(GradientCheck.RelativeError(updater.Gradient, gOld) < 1e-6, $"error at θ_old {GradientCheck.RelativeError(updater.Gradient, gOld)}");

        Perturb(s.Policy, new Rng(seed + 50), 0.05);
        theta = s.Policy.Parameters.ToArray();
        double[] gNum = GradientCheck.Numerical(theta, () => { theta.CopyTo(s.Policy.Parameters); return updater.SurrogateAndKl(s.Obs, s.Actions).Surrogate; });
        theta.CopyTo(s.Policy.Parameters);
        var g = new double[theta.Length];
        updater.SurrogateGradientAtCurrent(s.Obs, s.Actions, g);
        Assert.True(GradientCheck.RelativeError(g, gNum) < 1e-6, $"error at θ {GradientCheck.RelativeError(g, gNum)}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void KlGradient_MatchesFiniteDifferences(string head, Activation act, ulong seed)
    {
        var s = Make(head, act, seed);
        var updater = new TrpoUpdater(s.Policy, s.N, new TrpoOptions());
        updater.Prepare(s.Obs, s.Actions, s.Advantages, s.N);
        Perturb(s.Policy, new Rng(seed + 60), 0.1);
        var theta = s.Policy.Parameters.ToArray();
        double[] gNum = GradientCheck.Numerical(theta, () => { theta.CopyTo(s.Policy.Parameters); return updater.SurrogateAndKl(s.Obs, s.Actions).Kl; });
        theta.CopyTo(s.Policy.Parameters);
        var g = new double[theta.Length];
        double kl = updater.KlGradientAtCurrent(s.Obs, s.Actions, g);
        Assert.True(kl > 0);
        Assert.True(GradientCheck.RelativeError(g, gNum) < 1e-6, $"error {GradientCheck.RelativeError(g, gNum)}");
    }

    /// <summary>Hessian of the mean KL at θ_old times v, by central differences of the analytic KL gradient (plus damping · v).</summary>
    private static double[] HessianTimes(TrpoUpdater updater, Setup s, double[] thetaOld, double[] v, double damping)
    {
        const double h = 1e-5;
        var gp = new double[v.Length];
        var gm = new double[v.Length];
        for (int i = 0; i < v.Length; i++)
        {
            s.Policy.Parameters[i] = thetaOld[i] + (h * v[i]);
        }
        updater.KlGradientAtCurrent(s.Obs, s.Actions, gp);
        for (int i = 0; i < v.Length; i++)
        {
            s.Policy.Parameters[i] = thetaOld[i] - (h * v[i]);
        }
        updater.KlGradientAtCurrent(s.Obs, s.Actions, gm);
        thetaOld.CopyTo(s.Policy.Parameters);
        return gp.Select((x, i) => ((x - gm[i]) / (2 * h)) + (damping * v[i])).ToArray();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FisherVectorProduct_EqualsKlHessian_ByFiniteDifferencesOfKlGradient(string head, Activation act, ulong seed)
    {
        var s = Make(head, act, seed);
        var options = new TrpoOptions { CgDamping = 0.1 };
        var updater = new TrpoUpdater(s.Policy, s.N, options);
        updater.Prepare(s.Obs, s.Actions, s.Advantages, s.N);
        var thetaOld = s.Policy.Parameters.ToArray();
        var v = new double[thetaOld.Length];
        new Rng(seed + 70).FillGaussian(v);
        double[] expected = HessianTimes(updater, s, thetaOld, v, 0.1);
        updater.Prepare(s.Obs, s.Actions, s.Advantages, s.N);
        updater.PrepareFisher();
        var fv = new double[v.Length];
        updater.FisherVectorProduct(v, fv);
        Assert.True(GradientCheck.RelativeError(fv, expected) < 1e-6, $"error {GradientCheck.RelativeError(fv, expected)}");
    }

    [Theory]
    [InlineData("discrete", Activation.Tanh)]
    [InlineData("gaussian", Activation.ReLU)]
    [InlineData("multidiscrete", Activation.Tanh)]
    public void FisherVectorProduct_MatchesExplicitHessian_EntryByEntry_OnTinyNetwork(string head, Activation act)
    {
        var s = Make(head, act, 99, batch: 4, hidden: [3]);
        var updater = new TrpoUpdater(s.Policy, s.N, new TrpoOptions { CgDamping = 0 });
        updater.Prepare(s.Obs, s.Actions, s.Advantages, s.N);
        var thetaOld = s.Policy.Parameters.ToArray();
        int p = thetaOld.Length;
        double[,] hessian = UpdaterChecks.ExplicitMatrix(p, e => HessianTimes(updater, s, thetaOld, e, 0));
        updater.Prepare(s.Obs, s.Actions, s.Advantages, s.N);
        updater.PrepareFisher();
        double scale = UpdaterChecks.MaxAbs(hessian);
        for (int j = 0; j < p; j++)
        {
            var e = new double[p];
            e[j] = 1;
            var col = new double[p];
            updater.FisherVectorProduct(e, col);
            for (int i = 0; i < p; i++)
            {
                Assert.True(Math.Abs(col[i] - hessian[i, j]) <= 1e-7 * scale, $"F[{i},{j}] = {col[i]}, Hessian {hessian[i, j]}");
            }
        }
        UpdaterChecks.FisherIsPositiveSemiDefinite(updater, p);
    }

    [Fact]
    public void FisherSubsampling_UsesEveryKthSample()
    {
        var s = Make("gaussian", Activation.Tanh, 7, batch: 9);
        UpdaterChecks.FisherSubsamplingUsesEveryThirdSample(s.Policy, s.Obs, s.Actions, s.Advantages, s.N);
    }

    /// <summary>
    /// KL per action dimension (sb3-contrib's <c>kl_divergence(…).mean()</c> over per-dimension KLs) on a d-dimensional Gaussian
    /// takes exactly the step of the whole-action KL with radius d·δ and damping d·λ, reports the KL divided by d (at most δ),
    /// and changes nothing for categorical policies.
    /// </summary>
    [Theory]
    [InlineData("gaussian", 3)]
    [InlineData("gaussian", 11)]
    [InlineData("discrete", 5)]
    [InlineData("multidiscrete", 6)]
    public void KlPerActionDimension_IsTheWholeActionStepWithRadiusAndDampingTimesD(string head, int seed)
    {
        var probe = Make(head, Activation.Tanh, (ulong)seed, batch: 64);
        int d = head == "gaussian" ? probe.Policy.ActionSize : 1;
        if (head == "gaussian")
        {
            Assert.True(d > 1, "the case needs an action of more than one dimension");
        }
        const double delta = 0.02, damping = 0.1;
        (double[] Theta, TrpoDiagnostics Diag) Step(TrpoOptions options)
        {
            var s = Make(head, Activation.Tanh, (ulong)seed, batch: 64);
            TrpoDiagnostics diag = new TrpoUpdater(s.Policy, s.N, options).Update(s.Obs, s.Actions, s.Advantages, s.N);
            return (s.Policy.Parameters.ToArray(), diag);
        }
        var perDim = Step(new TrpoOptions { MaxKl = delta, CgDamping = damping, KlPerActionDimension = true });
        var scaled = Step(new TrpoOptions { MaxKl = delta * d, CgDamping = damping * d });
        var whole = Step(new TrpoOptions { MaxKl = delta, CgDamping = damping });
        Assert.Equal(LineSearchOutcome.Accepted, perDim.Diag.Outcome);
        Assert.True(perDim.Theta.AsSpan().SequenceEqual(scaled.Theta));
        Assert.Equal(scaled.Diag.Kl / d, perDim.Diag.Kl);
        Assert.True(perDim.Diag.Kl <= delta);
        if (d == 1)
        {
            Assert.True(perDim.Theta.AsSpan().SequenceEqual(whole.Theta));
        }
        else
        {
            Assert.False(perDim.Theta.AsSpan().SequenceEqual(whole.Theta));
            Assert.True(perDim.Diag.Kl * d > whole.Diag.Kl, $"per-dimension step KL·d {perDim.Diag.Kl * d} vs whole-action {whole.Diag.Kl}");
        }
    }

    [Fact]
    public void Update_AcceptedStepsRespectKlAndImprove_RejectedStepsRestoreParametersBitForBit()
    {
        int accepted = 0, rejected = 0;
        for (ulong seed = 1; seed <= 24; seed++)
        {
            string head = (seed % 3) switch { 0 => "discrete", 1 => "gaussian", _ => "multidiscrete" };
            var s = Make(head, seed % 2 == 0 ? Activation.Tanh : Activation.ReLU, seed, batch: 64);
            // Half the runs use an aggressive trust region and a single line-search step, so rejections occur too.
            var options = seed % 2 == 0
                ? new TrpoOptions { MaxKl = 0.01 }
                : new TrpoOptions { MaxKl = 2.0, LineSearchSteps = 1, CgDamping = 0 };
            var updater = new TrpoUpdater(s.Policy, s.N, options);
            var before = s.Policy.Parameters.ToArray();
            TrpoDiagnostics d = updater.Update(s.Obs, s.Actions, s.Advantages, s.N);
            if (d.Outcome == LineSearchOutcome.Accepted)
            {
                accepted++;
                Assert.True(d.Kl <= options.MaxKl, $"seed {seed}: KL {d.Kl} > {options.MaxKl}");
                Assert.True(d.ActualImprovement > 0, $"seed {seed}: improvement {d.ActualImprovement}");
                Assert.Equal(d.SurrogateAfter - d.SurrogateBefore, d.ActualImprovement);
                Assert.False(before.AsSpan().SequenceEqual(s.Policy.Parameters));
                // Independent check of the reported KL and surrogate at the new parameters.
                var check = new TrpoUpdater(s.Policy, s.N, options);
                var after = s.Policy.Parameters.ToArray();
                before.CopyTo(s.Policy.Parameters);
                check.Prepare(s.Obs, s.Actions, s.Advantages, s.N);
                after.CopyTo(s.Policy.Parameters);
                var (l, kl) = check.SurrogateAndKl(s.Obs, s.Actions);
                Assert.Equal(d.Kl, kl, 12);
                Assert.Equal(d.SurrogateAfter, l, 12);
            }
            else
            {
                rejected++;
                Assert.NotEqual(LineSearchOutcome.ZeroGradient, d.Outcome);
                Assert.Equal(0.0, d.ActualImprovement);
                for (int i = 0; i < before.Length; i++)
                {
                    Assert.Equal(BitConverter.DoubleToInt64Bits(before[i]), BitConverter.DoubleToInt64Bits(s.Policy.Parameters[i]));
                }
            }
            Assert.True(d.CgIterations is >= 1 and <= 10);
            Assert.True(d.GradientNorm > 0);
            Assert.True(d.LineSearchSteps >= 1 && d.LineSearchSteps <= options.LineSearchSteps);
        }
        Assert.True(accepted >= 8, $"only {accepted} accepted");
        Assert.True(rejected >= 1, "no rejection was exercised");
    }

    [Fact]
    public void Update_FirstStepKlIsCloseToTheQuadraticModel()
    {
        // Without damping, the maximal step is scaled so that ½ΔθᵀFΔθ = δ; for small δ the true KL matches that quadratic model,
        // which checks the scaling √(2δ / sᵀFs) and the curvature sᵀFs = sᵀ(g − r) taken from CG's residual.
        var s = Make("gaussian", Activation.Tanh, 3, batch: 200);
        var updater = new TrpoUpdater(s.Policy, s.N, new TrpoOptions { MaxKl = 1e-5, CgIterations = 10, CgDamping = 0 });
        TrpoDiagnostics d = updater.Update(s.Obs, s.Actions, s.Advantages, s.N);
        Assert.Equal(LineSearchOutcome.Accepted, d.Outcome);
        Assert.Equal(1.0, d.StepFraction);
        Assert.InRange(d.Kl / 1e-5, 0.97, 1.03);
        Assert.InRange(d.ActualImprovement / d.ExpectedImprovement, 0.9, 1.1);
    }

    [Fact]
    public void Update_WithZeroAdvantages_ReportsZeroGradient_AndLeavesParameters()
    {
        var s = Make("discrete", Activation.Tanh, 4, batch: 10);
        var before = s.Policy.Parameters.ToArray();
        var updater = new TrpoUpdater(s.Policy, s.N, new TrpoOptions { NormalizeAdvantage = false });
        TrpoDiagnostics d = updater.Update(s.Obs, s.Actions, new double[10], s.N);
        Assert.Equal(LineSearchOutcome.ZeroGradient, d.Outcome);
        Assert.True(before.AsSpan().SequenceEqual(s.Policy.Parameters));
    }

    [Fact]
    public void Update_NonFiniteAdvantage_ThrowsNamingTheQuantity()
    {
        var s = Make("gaussian", Activation.Tanh, 5, batch: 10);
        s.Advantages[3] = double.NaN;
        var updater = new TrpoUpdater(s.Policy, s.N, new TrpoOptions());
        var ex = Assert.Throws<TrainingDivergedException>(() => updater.Update(s.Obs, s.Actions, s.Advantages, s.N));
        Assert.Equal("surrogate", ex.Quantity);
    }

    [Fact]
    public void Update_AllocatesNothingAfterWarmUp()
    {
        var s = Make("gaussian", Activation.Tanh, 6, batch: 256, hidden: [64, 64]);
        var updater = new TrpoUpdater(s.Policy, s.N, TrpoOptions.StableBaselines3);
        var theta = s.Policy.Parameters.ToArray();
        updater.Update(s.Obs, s.Actions, s.Advantages, s.N);
        theta.CopyTo(s.Policy.Parameters);
        long allocated = AllocationWindows.SmallestOnThisThread(() =>
        {
            for (int i = 0; i < 3; i++)
            {
                updater.Update(s.Obs, s.Actions, s.Advantages, s.N);
            }
        });
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Update_IsDeterministic()
    {
        var a = Make("multidiscrete", Activation.Tanh, 8, batch: 50);
        var b = Make("multidiscrete", Activation.Tanh, 8, batch: 50);
        var da = new TrpoUpdater(a.Policy, 50, new TrpoOptions()).Update(a.Obs, a.Actions, a.Advantages, 50);
        var db = new TrpoUpdater(b.Policy, 50, new TrpoOptions()).Update(b.Obs, b.Actions, b.Advantages, 50);
        Assert.Equal(da, db);
        Assert.True(a.Policy.Parameters.SequenceEqual(b.Policy.Parameters));
    }

    [Fact]
    public void Update_RejectsBatchLargerThanCapacity()
    {
        var s = Make("discrete", Activation.Tanh, 9, batch: 10);
        var updater = new TrpoUpdater(s.Policy, 5, new TrpoOptions());
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => updater.Update(s.Obs, s.Actions, s.Advantages, 10));
        Assert.Contains("1 to 5", ex.Message);
    }
}
