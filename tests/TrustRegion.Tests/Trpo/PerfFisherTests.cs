using TrustRegion.Numerics;
using TrustRegion.Tests.Numerics;
using TrustRegion.Tests.Networks;
using TrustRegion.Trpo;

namespace TrustRegion.Tests.Trpo;

/// <summary>The row-chunked Fisher-vector product agrees with single-chunk products over slices of the batch.</summary>
[Collection(nameof(PerfCollection))]
public class PerfFisherTests
{
    [Theory]
    [InlineData("discrete", Activation.Tanh, 1)]
    [InlineData("multidiscrete", Activation.ReLU, 2)]
    [InlineData("gaussian", Activation.Tanh, 3)]
    public void ChunkedFisherVectorProduct_EqualsWeightedSumOfSliceProducts(string head, Activation act, ulong seed)
    {
        const int N = 333, Slice = 50; // 333 rows: 5 chunks; 50-row slices: one chunk each
        const double Damping = 0.05;
        var s = TrpoUpdaterTests.Make(head, act, seed, batch: N, hidden: [32, 24]);
        Assert.True(RowChunks.Count(N) > 1);
        var v = new double[s.Policy.ParameterCount];
        new Rng(seed + 9).FillGaussian(v);
        var options = new TrpoOptions { CgDamping = Damping };
        var full = new TrpoUpdater(s.Policy, N, options) { Workers = new ComputePool(2) };
        full.Prepare(s.Obs, s.Actions, s.Advantages, N);
        full.PrepareFisher();
        var fv = new double[v.Length];
        full.FisherVectorProduct(v, fv);

        int obs = s.Policy.ObservationSize, a = s.Policy.ActionSize;
        var expected = new double[v.Length];
        var part = new double[v.Length];
        var slice = new TrpoUpdater(s.Policy, Slice, options);
        for (int r0 = 0; r0 < N; r0 += Slice)
        {
            int n = Math.Min(Slice, N - r0);
            slice.Prepare(s.Obs.AsSpan(r0 * obs, n * obs), s.Actions.AsSpan(r0 * a, n * a), s.Advantages.AsSpan(r0, n), n);
            slice.PrepareFisher();
            slice.FisherVectorProduct(v, part);
            for (int i = 0; i < v.Length; i++)
            {
                expected[i] += (part[i] - (Damping * v[i])) * n / N;
            }
        }
        for (int i = 0; i < v.Length; i++)
        {
            expected[i] += Damping * v[i];
        }
        Assert.True(GradientCheck.RelativeError(fv, expected) < 1e-12, $"error {GradientCheck.RelativeError(fv, expected)}");
    }
}
