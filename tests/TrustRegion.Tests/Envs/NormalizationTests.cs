using TrustRegion.Envs;
using TrustRegion.Envs.ClassicControl;
using TrustRegion.Envs.Wrappers;
using TrustRegion.Numerics;

namespace TrustRegion.Tests.Envs;

public class NormalizationTests
{
    [Fact]
    public void RunningMeanStd_MatchesDirectMomentsOfAllData()
    {
        var rng = new Rng(9);
        var rms = new RunningMeanStd(3);
        var all = new List<double[]>();
        for (int b = 0; b < 20; b++)
        {
            int n = 1 + rng.NextInt(7);
            var batch = new double[n * 3];
            for (int k = 0; k < batch.Length; k++)
            {
                batch[k] = (rng.NextGaussian() * (1 + (k % 3))) + (k % 3);
            }
            rms.Update(batch);
            for (int r = 0; r < n; r++)
            {
                all.Add(batch.AsSpan(r * 3, 3).ToArray());
            }
        }
        Assert.Equal(all.Count + RunningMeanStd.InitialCount, rms.Count, 12);
        for (int j = 0; j < 3; j++)
        {
            double mean = all.Average(r => r[j]);
            double var = all.Average(r => (r[j] - mean) * (r[j] - mean));
            // The prior (mean 0, var 1, count 1e-4) shifts the result by O(1e-4 / N).
            Assert.Equal(mean, rms.Mean[j], 4);
            Assert.Equal(var, rms.Variance[j], 3);
        }
        Assert.Throws<ArgumentException>(() => rms.Update(new double[4]));
    }

    /// <summary>
    /// The statistics are merged a vector of elements at a time; every element must get, bit for bit, the scalar merge of the
    /// class remarks (sizes below, at and past a vector's 8 doubles, Humanoid's 376).
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(17)]
    [InlineData(27)]
    [InlineData(376)]
    public void RunningMeanStd_IsTheScalarMergeBitForBit(int size)
    {
        var rng = new Rng((ulong)size);
        var rms = new RunningMeanStd(size);
        var mean = new double[size];
        var var = Enumerable.Repeat(1.0, size).ToArray();
        double count = RunningMeanStd.InitialCount;
        for (int b = 0; b < 30; b++)
        {
            int n = 1 + rng.NextInt(5);
            var batch = new double[n * size];
            for (int k = 0; k < batch.Length; k++)
            {
                batch[k] = (rng.NextGaussian() * (1 + (k % 5))) + (k % 7);
            }
            rms.Update(batch);
            double total = count + n;
            for (int j = 0; j < size; j++)
            {
                double bm = 0, bv = 0;
                for (int r = 0; r < n; r++)
                {
                    bm += batch[(r * size) + j];
                }
                bm /= n;
                for (int r = 0; r < n; r++)
                {
                    double d = batch[(r * size) + j] - bm;
                    bv += d * d;
                }
                bv /= n;
                double delta = bm - mean[j];
                mean[j] += delta * n / total;
                var[j] = ((var[j] * count) + (bv * n) + (delta * delta * count * n / total)) / total;
            }
            count = total;
            for (int j = 0; j < size; j++)
            {
                Assert.True(BitConverter.DoubleToInt64Bits(mean[j]) == BitConverter.DoubleToInt64Bits(rms.Mean[j]), $"batch {b} mean[{j}]: {rms.Mean[j]:R} vs {mean[j]:R}");
                Assert.True(BitConverter.DoubleToInt64Bits(var[j]) == BitConverter.DoubleToInt64Bits(rms.Variance[j]), $"batch {b} var[{j}]: {rms.Variance[j]:R} vs {var[j]:R}");
            }
        }
    }

    /// <summary>
    /// Observations are normalised a vector of elements at a time; every element must be, bit for bit,
    /// <c>Math.Min(Math.Max((x − mean) / Math.Sqrt(var + ε), −clip), clip)</c>, clipped values, ±0, ±∞ and NaN included.
    /// </summary>
    [Theory]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(17)]
    [InlineData(376)]
    public void NormalizeObservations_IsTheScalarFormulaBitForBit(int size)
    {
        using var norm = new VecNormalize(new VectorEnv(_ => new ScriptedEnv(size), 2), new NormalizationOptions { ClipObservations = 5 });
        var rng = new Rng((ulong)size + 100);
        double[] mean = [.. Enumerable.Range(0, size).Select(_ => rng.NextGaussian())];
        double[] variance = [.. Enumerable.Range(0, size).Select(_ => rng.NextDouble() * 3)];
        NormalizationState state = norm.ExportState();
        norm.ImportState(state with { ObservationMean = mean, ObservationVariance = variance, ObservationCount = 10 });
        double[] specials = [0.0, -0.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1e300, -1e300];
        var raw = new double[3 * size];
        for (int k = 0; k < raw.Length; k++)
        {
            raw[k] = k % 11 == 5 ? specials[(k / 11) % specials.Length] : rng.NextGaussian() * 4;
        }
        var normalized = new double[raw.Length];
        norm.NormalizeObservations(raw, normalized);
        for (int k = 0; k < raw.Length; k++)
        {
            int j = k % size;
            double expected = Math.Min(Math.Max((raw[k] - mean[j]) / Math.Sqrt(variance[j] + 1e-8), -5), 5);
            Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(normalized[k]),
                $"element {k} (raw {raw[k]:R}): {normalized[k]:R} vs {expected:R}");
        }
    }

    [Fact]
    public void VecNormalize_FollowsSb3Semantics_StepByStep()
    {
        const double gamma = 0.9;
        using var inner = VectorEnv.Make(CartPoleEnv.Id, 2, new VectorEnvOptions { Mode = VectorMode.Sequential });
        using var norm = new VecNormalize(VectorEnv.Make(CartPoleEnv.Id, 2, new VectorEnvOptions { Mode = VectorMode.Sequential }),
            new NormalizationOptions { Gamma = gamma });
        var obsStats = new RunningMeanStd(4);
        var retStats = new RunningMeanStd(1);
        var returns = new double[2];
        var raw = new double[8];
        var normalized = new double[8];
        inner.Reset(3, raw);
        norm.Reset(3, normalized);
        obsStats.Update(raw);
        AssertNormalized(raw, normalized, obsStats);
        Assert.Equal(raw, norm.RawObservations.ToArray());

        var rawBuf = new VectorStepBuffers(2, 4);
        var normBuf = new VectorStepBuffers(2, 4);
        var rng = new Rng(4);
        for (int t = 0; t < 300; t++)
        {
            double[] actions = [rng.NextInt(2), rng.NextInt(2)];
            inner.Step(actions, rawBuf);
            norm.Step(actions, normBuf);
            obsStats.Update(rawBuf.Observations);
            AssertNormalized(rawBuf.Observations, normBuf.Observations, obsStats);
            Assert.Equal(rawBuf.Observations, norm.RawObservations.ToArray());
            Assert.Equal(rawBuf.Rewards, norm.RawRewards.ToArray());
            for (int i = 0; i < 2; i++)
            {
                returns[i] = (returns[i] * gamma) + rawBuf.Rewards[i];
            }
            retStats.Update(returns);
            for (int i = 0; i < 2; i++)
            {
                double expected = Math.Clamp(rawBuf.Rewards[i] / Math.Sqrt(retStats.Variance[0] + 1e-8), -10, 10);
                Assert.Equal(expected, normBuf.Rewards[i]);
                if (rawBuf.Terminated[i] || rawBuf.Truncated[i])
                {
                    returns[i] = 0;
                    Assert.Equal(rawBuf.EpisodeReturns[i], normBuf.EpisodeReturns[i]); // raw returns pass through
                    var finalRaw = rawBuf.FinalObservations.AsSpan(i * 4, 4).ToArray();
                    var finalNorm = normBuf.FinalObservations.AsSpan(i * 4, 4).ToArray();
                    AssertNormalized(finalRaw, finalNorm, obsStats);
                }
            }
        }
    }

    [Fact]
    public void VecNormalize_Frozen_DoesNotUpdate_AndStateRoundTrips()
    {
        using var norm = new VecNormalize(VectorEnv.Make(PendulumEnv.Id, 2));
        var obs = new double[6];
        norm.Reset(1, obs);
        var buf = new VectorStepBuffers(2, 3);
        for (int t = 0; t < 50; t++)
        {
            norm.Step([1.0, -1.0], buf);
        }
        NormalizationState saved = norm.ExportState();
        norm.Training = false;
        for (int t = 0; t < 50; t++)
        {
            norm.Step([1.0, -1.0], buf);
        }
        NormalizationState frozen = norm.ExportState();
        Assert.Equal(saved.ObservationMean, frozen.ObservationMean);
        Assert.Equal(saved.ObservationCount, frozen.ObservationCount);
        Assert.Equal(saved.ReturnVariance, frozen.ReturnVariance);

        using var restored = new VecNormalize(VectorEnv.Make(PendulumEnv.Id, 2)) { Training = false };
        restored.ImportState(saved);
        var a = new double[3];
        var b = new double[3];
        double[] probe = [0.5, -0.25, 3.0];
        norm.NormalizeObservations(probe, a);
        restored.NormalizeObservations(probe, b);
        Assert.Equal(a, b);
        Assert.Throws<ArgumentException>(() => restored.ImportState(saved with { ObservationMean = [1.0] }));
        Assert.Throws<ArgumentOutOfRangeException>(() => restored.ImportState(saved with { ObservationCount = 0 }));
        Assert.Throws<ArgumentException>(() => restored.ImportState(saved with { ObservationVariance = [1, -1, 1] }));
    }

    [Fact]
    public void VecNormalize_ClipsAndValidates()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new VecNormalize(VectorEnv.Make(PendulumEnv.Id, 1), new NormalizationOptions { Gamma = 1.5 }));
        using var norm = new VecNormalize(VectorEnv.Make(PendulumEnv.Id, 1), new NormalizationOptions { ClipObservations = 0.5 });
        norm.ImportState(new NormalizationState([0, 0, 0], [1e-6, 1e-6, 1e-6], 10, 0, 1e-6, 10));
        var dest = new double[3];
        norm.NormalizeObservations([1.0, -1.0, 0.0], dest);
        Assert.Equal([0.5, -0.5, 0.0], dest);
    }

    private static void AssertNormalized(ReadOnlySpan<double> raw, ReadOnlySpan<double> actual, RunningMeanStd stats)
    {
        for (int k = 0; k < raw.Length; k++)
        {
            int j = k % stats.Size;
            double expected = Math.Clamp((raw[k] - stats.Mean[j]) / Math.Sqrt(stats.Variance[j] + 1e-8), -10, 10);
            Assert.Equal(expected, actual[k]);
        }
    }
}
