using TrustRegion.Distributions;
using TrustRegion.Envs;
using TrustRegion.Numerics;
using TrustRegion.Trpo;

namespace TrustRegion.Tests.Trpo;

[Collection(ProcessWideMeasurementCollection.Name)] // allocation checks run alone: beside other tests they saw sporadic charges of a few KB
public class GsdePolicyTests
{
    private static Policy MakeSde(int obsSize, int[] hidden, int actionDim, ulong seed, double logStdInit = -0.5) =>
        new(Box.Uniform(-1, 1, actionDim), obsSize, hidden, Activation.Tanh, logStdInit, new Rng(seed), useSde: true);

    [Fact]
    public void Constructor_BuildsALatentByActionLogStdMatrix()
    {
        var policy = MakeSde(3, [64, 32], 2, 1, logStdInit: -2.0);
        Assert.True(policy.UsesSde);
        Assert.Equal(HeadKind.Gsde, policy.Shape.Head);
        Assert.Equal(32, ((GsdeHead)policy.Head).LatentSize);
        Assert.Equal(policy.Network.ParameterCount + (32 * 2), policy.ParameterCount);
        Assert.Equal(32 * 2, policy.Shape.HeadParameterCount);
        Assert.All(policy.HeadParameters.ToArray(), x => Assert.Equal(-2.0, x));
        Assert.Equal(Math.Exp(-2.0), policy.MeanStd, 15);
        Assert.Equal(0, policy.NoiseEnvCount);
        Assert.Equal(0, policy.Noise.Length);
        Assert.Equal("3-64-32-2 tanh, Gsde [2]", policy.Shape.ToString());
        // Same network and action space without gSDE: a different shape, so checkpoints cannot be confused.
        var plain = new Policy(Box.Uniform(-1, 1, 2), 3, [64, 32], Activation.Tanh, -2.0, new Rng(1));
        Assert.NotEqual(plain.Shape, policy.Shape);
        // Without hidden layers the latent is the observation.
        Assert.Equal(5, ((GsdeHead)MakeSde(5, [], 1, 2).Head).LatentSize);
    }

    [Fact]
    public void Constructor_RejectsSdeForDiscreteActions()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Policy(new Discrete(3), 4, [8], Activation.Tanh, 0, new Rng(1), useSde: true));
        Assert.Equal("useSde", ex.ParamName);
        Assert.Contains("Box", ex.Message);
    }

    [Fact]
    public void Act_RowIUsesTheNoiseMatrixOfCopyIModNumEnvs_AndDeterministicIsTheMean()
    {
        int obsSize = 3, act = 2, latent = 6, n = 5, envs = 2;
        var policy = MakeSde(obsSize, [8, latent], act, 3);
        var perturb = new Rng(33);
        foreach (ref double p in policy.Parameters[..policy.Network.ParameterCount])
        {
            p += 0.3 * perturb.NextGaussian();
        }
        var obs = new double[n * obsSize];
        new Rng(4).FillGaussian(obs);
        policy.ResampleNoise(new Rng(5), envs);
        Assert.Equal(envs, policy.NoiseEnvCount);
        double[] noise = policy.Noise.ToArray();
        Assert.Equal(envs * latent * act, noise.Length);

        var ws = policy.Network.CreateWorkspace(n);
        double[] mean = policy.Network.Forward(obs, n, ws).ToArray();
        double[] z = ws.LayerOutput(1).ToArray();
        var actions = new double[n * act];
        var logp = new double[n];
        policy.Act(obs, n, actions, logp, new Rng(6), deterministic: false);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < act; j++)
            {
                double expected = mean[(i * act) + j];
                for (int k = 0; k < latent; k++)
                {
                    expected += z[(i * latent) + k] * noise[((i % envs) * latent * act) + (k * act) + j];
                }
                Assert.Equal(expected, actions[(i * act) + j], 13);
            }
        }
        // The stored log-probability is that of the head's Gaussian at the sampled action.
        var dist = new double[n * policy.Head.DistributionSize];
        policy.ComputeDistribution(obs, n, ws, dist);
        var lp = new double[n];
        policy.Head.LogProb(dist, actions, n, lp);
        Assert.Equal(lp, logp);

        var modes = new double[n * act];
        policy.Act(obs, n, modes, logp, new Rng(6), deterministic: true);
        Assert.Equal(mean, modes);
        var one = new double[act];
        policy.Predict(obs.AsSpan(0, obsSize), one, deterministic: false, new Rng(7));
        for (int j = 0; j < act; j++)
        {
            Assert.Equal(actions[j], one[j], 13); // row 0 ↔ matrix 0 (a batch of one may round differently in the GEMM)
        }
    }

    [Fact]
    public void Act_BetweenResamples_ExploresSmoothly_SameStateSameAction()
    {
        var policy = MakeSde(2, [16, 16], 1, 8, logStdInit: 0.0);
        var obs = new double[2];
        new Rng(9).FillGaussian(obs);
        var a1 = new double[1];
        var a2 = new double[1];
        var lp = new double[1];
        var rng = new Rng(10);
        policy.ResampleNoise(rng, 1);
        policy.Act(obs, 1, a1, lp, rng, deterministic: false);
        policy.Act(obs, 1, a2, lp, rng, deterministic: false);
        Assert.Equal(a1[0], a2[0]);
        policy.ResampleNoise(rng, 1);
        policy.Act(obs, 1, a2, lp, rng, deterministic: false);
        Assert.NotEqual(a1[0], a2[0]);
    }

    [Fact]
    public void NoiseState_RestoredIntoAFreshPolicy_ResumesSamplingBitForBit()
    {
        int n = 4;
        var a = MakeSde(3, [16, 16], 2, 11);
        var obs = new double[n * 3];
        new Rng(12).FillGaussian(obs);
        var rng = new Rng(13);
        a.ResampleNoise(rng, 2);
        var lp = new double[n];
        var warm = new double[n * 2];
        a.Act(obs, n, warm, lp, rng, deterministic: false);
        // "Checkpoint": parameters, noise matrices and the sampling stream.
        double[] savedParams = a.Parameters.ToArray();
        double[] savedNoise = a.Noise.ToArray();
        RngState savedRng = rng.GetState();

        var b = MakeSde(3, [16, 16], 2, 999);
        savedParams.CopyTo(b.Parameters);
        b.RestoreNoise(savedNoise);
        Assert.Equal(2, b.NoiseEnvCount);
        var rngB = Rng.FromState(savedRng);
        for (int t = 0; t < 6; t++)
        {
            if (t % 2 == 0)
            {
                a.ResampleNoise(rng, 2);
                b.ResampleNoise(rngB, 2);
            }
            var actA = new double[n * 2];
            var actB = new double[n * 2];
            var lpA = new double[n];
            var lpB = new double[n];
            a.Act(obs, n, actA, lpA, rng, deterministic: false);
            b.Act(obs, n, actB, lpB, rngB, deterministic: false);
            Assert.Equal(actA.Select(BitConverter.DoubleToInt64Bits), actB.Select(BitConverter.DoubleToInt64Bits));
            Assert.Equal(lpA.Select(BitConverter.DoubleToInt64Bits), lpB.Select(BitConverter.DoubleToInt64Bits));
        }
        // Writable in place, too.
        b.Noise.Clear();
        var zeroNoise = new double[n * 2];
        b.Act(obs, n, zeroNoise, lp, rngB, deterministic: false);
        var mean = new double[n * 2];
        b.Act(obs, n, mean, lp, rngB, deterministic: true);
        Assert.Equal(mean, zeroNoise);
    }

    [Fact]
    public void ResampleNoise_OnANonSdePolicy_DoesNothing()
    {
        var policy = new Policy(Box.Uniform(-1, 1, 2), 3, [8], Activation.Tanh, 0, new Rng(14));
        Assert.False(policy.UsesSde);
        var rng = new Rng(15);
        RngState before = rng.GetState();
        policy.ResampleNoise(rng, 4);
        Assert.Equal(before, rng.GetState());
        Assert.Equal(0, policy.NoiseEnvCount);
        Assert.Equal(0, policy.Noise.Length);
        var ex = Assert.Throws<InvalidOperationException>(() => policy.RestoreNoise(new double[16]));
        Assert.Contains("gSDE", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => policy.ResampleNoise(rng, 0));
    }

    [Fact]
    public void Act_BeforeAnyResample_ThrowsForSamples_ButDeterministicWorks()
    {
        var policy = MakeSde(2, [4], 1, 16);
        var obs = new double[2];
        var a = new double[1];
        var lp = new double[1];
        var ex = Assert.Throws<InvalidOperationException>(() => policy.Act(obs, 1, a, lp, new Rng(1), deterministic: false));
        Assert.Contains("ResampleNoise", ex.Message);
        policy.Act(obs, 1, a, lp, new Rng(1), deterministic: true);
        policy.Predict(obs, a, deterministic: true);
    }

    [Fact]
    public void ActAndResampleNoise_AllocateNothingAfterWarmUp()
    {
        var policy = MakeSde(3, [64, 64], 2, 17);
        var obs = new double[8 * 3];
        new Rng(18).FillGaussian(obs);
        var act = new double[8 * 2];
        var lp = new double[8];
        var rng = new Rng(19);
        policy.ResampleNoise(rng, 8);
        policy.Act(obs, 8, act, lp, rng, false);
        Assert.Equal(0, AllocationWindows.SmallestOnThisThread(() =>
        {
            for (int i = 0; i < 100; i++)
            {
                if (i % 4 == 0)
                {
                    policy.ResampleNoise(rng, 8);
                }
                policy.Act(obs, 8, act, lp, rng, false);
            }
        }));
    }
}
