using System.Numerics.Tensors;
using TrustRegion.Envs;
using TrustRegion.Networks;
using TrustRegion.Numerics;
using TrustRegion.Trpo;
using Xunit.Abstractions;

namespace TrustRegion.Tests.Trpo;

/// <summary>One TRPO policy step and one value fit in single precision against the same in double, from the same state.</summary>
public class SinglePrecisionUpdateTests(ITestOutputHelper output)
{
    private static Policy MakePolicy(Space space, int obsSize, NetworkPrecision precision, bool useSde)
    {
        var policy = new Policy(space, obsSize, [64, 64], Activation.Tanh, useSde ? -1.0 : 0.0, new Rng(7), useSde, precision);
        policy.ResampleNoise(new Rng(8), 4); // gSDE: one noise matrix per env copy; nothing for other heads
        return policy;
    }

    /// <summary>
    /// CartPole's shapes (batch 1024, 2 actions), Hopper's (11 observations, 3 Gaussian actions, batch 2048) and a gSDE
    /// Pendulum (its features are the widened float hidden layer), the sb3-contrib constants. Both steps must be accepted after the same number of line-search tries; surrogate improvement,
    /// KL and expected improvement agree to 1e-5 relative and the parameter steps to 1e-5 in norm, the tolerance of the passes
    /// themselves. Conjugate gradient could amplify the Fisher products' relative error (~3e-7) by the conditioning of the
    /// damped Fisher matrix; measured (written to the test output): steps 3e-7 … 4e-7 apart, improvement and KL 2e-8 … 2e-7.
    /// </summary>
    [Theory]
    [InlineData("CartPole", 0.0)]
    [InlineData("Hopper", 0.0)]
    [InlineData("CartPole", 0.01)]
    [InlineData("Pendulum-gSDE", 0.0)]
    public void PolicyStep_InSingle_MatchesDouble(string preset, double entropy)
    {
        (Space space, int obsSize, int n) = preset switch
        {
            "CartPole" => ((Space)new Discrete(2), 4, 1024),
            "Hopper" => (Box.Uniform(-1, 1, 3), 11, 2048),
            _ => (Box.Uniform(-2, 2, 1), 3, 1024),
        };
        bool sde = preset.EndsWith("gSDE", StringComparison.Ordinal);
        var policyD = MakePolicy(space, obsSize, NetworkPrecision.Double, sde);
        var policyS = MakePolicy(space, obsSize, NetworkPrecision.Single, sde);
        Assert.Equal(policyD.Parameters.ToArray(), policyS.Parameters.ToArray()); // the initialisation does not depend on the precision
        var rng = new Rng(11);
        var obs = new double[n * obsSize];
        rng.FillGaussian(obs);
        var actions = new double[n * policyD.ActionSize];
        policyD.Act(obs, n, actions, new double[n], rng.Split(1), deterministic: false);
        var adv = new double[n];
        rng.FillGaussian(adv);
        for (int i = 0; i < n; i++)
        {
            adv[i] += actions[i * policyD.ActionSize]; // advantages that favour larger first actions: a real signal to follow
        }
        var options = TrpoOptions.StableBaselines3 with { EntropyCoefficient = entropy };
        var theta0 = policyD.Parameters.ToArray();
        TrpoDiagnostics d = new TrpoUpdater(policyD, n, options).Update(obs, actions, adv, n);
        TrpoDiagnostics s = new TrpoUpdater(policyS, n, options).Update(obs, actions, adv, n);
        var stepD = new double[theta0.Length];
        var stepS = new double[theta0.Length];
        TensorPrimitives.Subtract(policyD.Parameters, theta0, stepD);
        TensorPrimitives.Subtract(policyS.Parameters, theta0, stepS);
        var diff = new double[theta0.Length];
        TensorPrimitives.Subtract(stepS, stepD, diff);
        double stepError = TensorPrimitives.Norm(diff) / TensorPrimitives.Norm(stepD);
        output.WriteLine($"{preset}: double {d}");
        output.WriteLine($"{preset}: single {s}");
        output.WriteLine($"{preset}: step difference {stepError:E2}, improvement {Rel(s.ActualImprovement, d.ActualImprovement):E2}, KL {Rel(s.Kl, d.Kl):E2}");
        Assert.Equal(LineSearchOutcome.Accepted, d.Outcome);
        Assert.Equal(LineSearchOutcome.Accepted, s.Outcome);
        Assert.Equal(d.LineSearchSteps, s.LineSearchSteps);
        Assert.Equal(d.StepFraction, s.StepFraction);
        Assert.True(Rel(s.ActualImprovement, d.ActualImprovement) <= 1e-5, $"improvement {s.ActualImprovement} vs {d.ActualImprovement}");
        Assert.True(Rel(s.ExpectedImprovement, d.ExpectedImprovement) <= 1e-5, $"expected improvement {s.ExpectedImprovement} vs {d.ExpectedImprovement}");
        Assert.True(Rel(s.Kl, d.Kl) <= 1e-5, $"KL {s.Kl} vs {d.Kl}");
        Assert.True(Rel(s.SurrogateBefore, d.SurrogateBefore) <= 1e-5, $"surrogate {s.SurrogateBefore} vs {d.SurrogateBefore}");
        Assert.True(stepError <= 1e-5, $"parameter steps differ by {stepError} in norm");
    }

    /// <summary>
    /// Ten epochs of the value fit (minibatch 128, Adam, 80 steps) on the same data: the mean losses agree to 1e-5 relative and
    /// the fitted predictions to 1e-5 of their spread (measured: 6e-10 and 6e-8), and the float fit learns (loss halved at least).
    /// </summary>
    [Fact]
    public void ValueFit_InSingle_MatchesDouble()
    {
        const int N = 1024, Obs = 4;
        var rng = new Rng(21);
        var obs = new double[N * Obs];
        rng.FillGaussian(obs);
        var returns = new double[N];
        for (int i = 0; i < N; i++)
        {
            returns[i] = (3 * Math.Sin(obs[i * Obs])) + obs[(i * Obs) + 1] + (0.1 * rng.NextGaussian());
        }
        var vD = new ValueFunction(Obs, [64, 64], Activation.Tanh, new Rng(22));
        var vS = new ValueFunction(Obs, [64, 64], Activation.Tanh, new Rng(22), NetworkPrecision.Single);
        var fit = new ValueFitOptions { Epochs = 10, MinibatchSize = 128 };
        double initial = vS.Loss(obs, returns, N);
        double lossD = vD.Fit(obs, returns, N, fit, new Rng(23));
        double lossS = vS.Fit(obs, returns, N, fit, new Rng(23));
        var pD = new double[N];
        var pS = new double[N];
        vD.Predict(obs, N, pD);
        vS.Predict(obs, N, pS);
        double spread = pD.Max() - pD.Min();
        double maxDiff = pD.Zip(pS, (a, b) => Math.Abs(a - b)).Max();
        output.WriteLine($"mean loss double {lossD:R}, single {lossS:R}; final loss double {vD.Loss(obs, returns, N):R}, single {vS.Loss(obs, returns, N):R}; prediction difference {maxDiff / spread:E2} of the spread");
        Assert.True(Rel(lossS, lossD) <= 1e-5, $"mean loss {lossS} vs {lossD}");
        Assert.True(maxDiff <= 1e-5 * spread, $"predictions differ by {maxDiff} (spread {spread})");
        Assert.True(vS.Loss(obs, returns, N) < 0.5 * initial, $"the single-precision fit does not learn: loss {initial} → {vS.Loss(obs, returns, N)}");
    }

    private static double Rel(double a, double e) => Math.Abs(a - e) / Math.Max(Math.Abs(e), 1e-300);
}
