using TrustRegion.Distributions;
using TrustRegion.Envs;
using TrustRegion.Networks;
using TrustRegion.Numerics;
using TrustRegion.Trpo;

namespace TrustRegion.Tests.Trpo;

[Collection(ProcessWideMeasurementCollection.Name)] // allocation checks run alone: beside other tests they saw sporadic charges of a few KB
public class PolicyTests
{
    /// <summary>
    /// The thread-safe deterministic action (parallel evaluation) is bit for bit <see cref="Policy.Predict"/>'s mode, in both
    /// precisions and for every head it serves; gSDE heads are refused.
    /// </summary>
    [Theory]
    [InlineData("box", NetworkPrecision.Single)]
    [InlineData("box", NetworkPrecision.Double)]
    [InlineData("discrete", NetworkPrecision.Single)]
    [InlineData("multidiscrete", NetworkPrecision.Double)]
    public void PredictMode_EqualsDeterministicPredict(string space, NetworkPrecision precision)
    {
        Space actions = space switch
        {
            "box" => Box.Uniform(-1, 1, 6),
            "discrete" => new Discrete(4),
            _ => new MultiDiscrete([3, 2]),
        };
        var rng = new Rng(9);
        var policy = new Policy(actions, 17, [64, 64], Activation.Tanh, logStdInit: 0.0, rng, precision: precision);
        foreach (ref double p in policy.Parameters)
        {
            p += 0.3 * rng.NextGaussian();
        }
        var buffers = new Policy.ActingBuffers(policy);
        var obs = new double[17];
        var a = new double[policy.ActionSize];
        var b = new double[policy.ActionSize];
        for (int i = 0; i < 50; i++)
        {
            rng.FillGaussian(obs);
            policy.Predict(obs, a, deterministic: true);
            policy.PredictMode(obs, b, buffers);
            Assert.True(a.AsSpan().SequenceEqual(b));
        }
        var sde = new Policy(Box.Uniform(-1, 1, 2), 3, [8], Activation.Tanh, logStdInit: 0.0, new Rng(2), useSde: true);
        Assert.Throws<InvalidOperationException>(() => sde.PredictMode(new double[3], new double[2], new Policy.ActingBuffers(sde)));
    }

    [Fact]
    public void Constructor_InitialisesAsStableBaselines3()
    {
        var policy = new Policy(Box.Uniform(-1, 1, 3), 11, [64, 64], Activation.Tanh, logStdInit: 0.0, new Rng(1));
        Assert.Equal(HeadKind.DiagonalGaussian, policy.Shape.Head);
        Assert.Equal((11 * 64) + 64 + (64 * 64) + 64 + (64 * 3) + 3 + 3, policy.ParameterCount);
        Assert.All(policy.HeadParameters.ToArray(), x => Assert.Equal(0.0, x));
        Assert.Equal(1.0, policy.MeanStd);
        // Output layer gain 0.01: its 3 columns are orthogonal with squared norm 1e-4.
        Span<double> w = policy.Network.Weights(2);
        double s = 0;
        for (int i = 0; i < 64; i++)
        {
            s += w[i * 3] * w[i * 3];
        }
        Assert.Equal(1e-4, s, 14);
    }

    [Fact]
    public void Act_IsDeterministicPerSeed_AndLogProbsMatchTheHead()
    {
        var space = new MultiDiscrete([3, 4]);
        var a = new Policy(space, 5, [16], Activation.ReLU, 0, new Rng(2));
        var b = new Policy(space, 5, [16], Activation.ReLU, 0, new Rng(2));
        int n = 7;
        var obs = new double[n * 5];
        new Rng(3).FillGaussian(obs);
        var actA = new double[n * 2];
        var actB = new double[n * 2];
        var lpA = new double[n];
        var lpB = new double[n];
        a.Act(obs, n, actA, lpA, new Rng(4), deterministic: false);
        b.Act(obs, n, actB, lpB, new Rng(4), deterministic: false);
        Assert.Equal(actA, actB);
        Assert.Equal(lpA, lpB);
        Assert.True(space.Contains(actA.AsSpan(0, 2)));
        Assert.All(lpA, x => Assert.True(x < 0));
    }

    [Fact]
    public void Predict_DeterministicReturnsModeOfBatchedAct()
    {
        var policy = new Policy(new Discrete(3, start: -1), 4, [8, 8], Activation.Tanh, 0, new Rng(5));
        foreach (ref double p in policy.Parameters)
        {
            p *= 50; // make the argmax clear
        }
        var obs = new double[3 * 4];
        new Rng(6).FillGaussian(obs);
        var batch = new double[3];
        policy.Act(obs, 3, batch, new double[3], new Rng(0), deterministic: true);
        for (int i = 0; i < 3; i++)
        {
            var one = new double[1];
            policy.Predict(obs.AsSpan(i * 4, 4), one, deterministic: true);
            Assert.Equal(batch[i], one[0]);
            Assert.InRange(one[0], -1, 1);
        }
        Assert.Throws<ArgumentNullException>(() => policy.Predict(obs.AsSpan(0, 4), new double[1], deterministic: false));
    }

    [Fact]
    public void Act_AllocatesNothingAfterWarmUp()
    {
        var policy = new Policy(Box.Uniform(-2, 2, 2), 3, [64, 64], Activation.Tanh, 0, new Rng(7));
        var obs = new double[8 * 3];
        var act = new double[8 * 2];
        var lp = new double[8];
        var rng = new Rng(8);
        policy.Act(obs, 8, act, lp, rng, false);
        Assert.Equal(0, AllocationWindows.SmallestOnThisThread(() =>
        {
            for (int i = 0; i < 100; i++)
            {
                policy.Act(obs, 8, act, lp, rng, false);
            }
        }));
    }

    [Fact]
    public void Shape_ComparesArchitectureHeadAndActions()
    {
        var a = new Policy(new Discrete(2), 4, [64, 64], Activation.Tanh, 0, new Rng(1)).Shape;
        var b = new Policy(new Discrete(2), 4, [64, 64], Activation.Tanh, 0, new Rng(2)).Shape;
        var c = new Policy(new MultiDiscrete([2]), 4, [64, 64], Activation.Tanh, 0, new Rng(2)).Shape;
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal("4-64-64-2 tanh, Categorical [2]", a.ToString());
    }

    [Fact]
    public void TrpoOptions_DefaultsAndSb3Preset()
    {
        var d = new TrpoOptions();
        Assert.Equal((0.01, 10, 0.1, 10, 0.5, true, 1, 0.0), (d.MaxKl, d.CgIterations, d.CgDamping, d.LineSearchSteps, d.LineSearchBacktrack, d.NormalizeAdvantage, d.FisherSubsampling, d.EntropyCoefficient));
        Assert.Equal(15, TrpoOptions.StableBaselines3.CgIterations);
        Assert.Equal(0.8, TrpoOptions.StableBaselines3.LineSearchBacktrack);
        d.Validate();
        TrpoOptions.StableBaselines3.Validate();
    }

    [Theory]
    [InlineData("MaxKl")]
    [InlineData("CgIterations")]
    [InlineData("CgDamping")]
    [InlineData("LineSearchSteps")]
    [InlineData("LineSearchBacktrack")]
    [InlineData("FisherSubsampling")]
    [InlineData("EntropyCoefficient")]
    [InlineData("CgResidualTolerance")]
    public void TrpoOptions_Validate_NamesTheBadKey(string key)
    {
        TrpoOptions bad = key switch
        {
            "MaxKl" => new TrpoOptions { MaxKl = 0 },
            "CgIterations" => new TrpoOptions { CgIterations = 0 },
            "CgDamping" => new TrpoOptions { CgDamping = -1 },
            "LineSearchSteps" => new TrpoOptions { LineSearchSteps = 0 },
            "LineSearchBacktrack" => new TrpoOptions { LineSearchBacktrack = 1 },
            "FisherSubsampling" => new TrpoOptions { FisherSubsampling = 0 },
            "EntropyCoefficient" => new TrpoOptions { EntropyCoefficient = double.NaN },
            _ => new TrpoOptions { CgResidualTolerance = -1 },
        };
        var ex = Assert.Throws<ArgumentOutOfRangeException>(bad.Validate);
        Assert.Equal(key, ex.ParamName);
        Assert.StartsWith(key + " is ", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrpoUpdater(new Policy(new Discrete(2), 1, [], Activation.Tanh, 0, new Rng(1)), 4, bad));
    }
}
