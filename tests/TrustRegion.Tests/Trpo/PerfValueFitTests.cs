using TrustRegion.Networks;
using TrustRegion.Numerics;
using TrustRegion.Tests.Networks;
using TrustRegion.Trpo;

namespace TrustRegion.Tests.Trpo;

/// <summary>The row-chunked minibatch step of the value fit equals the step from single-chunk passes over slices.</summary>
[Collection(nameof(PerfCollection))]
public class PerfValueFitTests
{
    [Fact]
    public void ChunkedFitStep_EqualsAdamStepOnSliceSummedGradient()
    {
        const int N = 300, Obs = 5, Slice = 40;
        Assert.True(RowChunks.Count(N) > 1);
        var rng = new Rng(3);
        var obs = new double[N * Obs];
        rng.FillGaussian(obs);
        var returns = new double[N];
        rng.FillGaussian(returns);
        var vf = new ValueFunction(Obs, [32, 32], Activation.Tanh, new Rng(4)) { Workers = new ComputePool(2) };
        var reference = new Mlp(vf.Shape);
        vf.Parameters.CopyTo(reference.Parameters);

        double loss = vf.Fit(obs, returns, N, new ValueFitOptions { Epochs = 1, MinibatchSize = N, LearningRate = 1e-3 }, new Rng(5));

        // One Adam step on the full-batch mean squared error, its gradient summed over single-chunk slices.
        var gradient = new double[reference.ParameterCount];
        var ws = reference.CreateWorkspace(Slice);
        double sse = 0;
        for (int r0 = 0; r0 < N; r0 += Slice)
        {
            int n = Math.Min(Slice, N - r0);
            ReadOnlySpan<double> v = reference.Forward(obs.AsSpan(r0 * Obs, n * Obs), n, ws);
            var u = new double[n];
            for (int i = 0; i < n; i++)
            {
                double e = v[i] - returns[r0 + i];
                sse += e * e;
                u[i] = 2.0 * e / N;
            }
            reference.Backward(obs.AsSpan(r0 * Obs, n * Obs), u, ws, gradient, accumulate: true);
        }
        new Adam(reference.ParameterCount, 1e-3, epsilon: ValueFunction.AdamEpsilon).Step(reference.Parameters, gradient);

        Assert.Equal(sse / N, loss, 1e-12);
        // Adam's first moment after one step is (1 − β₁) g: the gradient itself, compared tightly (the step only sees its sign).
        ReadOnlySpan<double> m = vf.Optimizer.FirstMoment;
        double scale = gradient.Max(Math.Abs);
        for (int i = 0; i < gradient.Length; i++)
        {
            Assert.True(Math.Abs(m[i] - (0.1 * gradient[i])) <= 1e-13 * scale, $"gradient {i}: {m[i] / 0.1} vs {gradient[i]}");
        }
        ReadOnlySpan<double> a = vf.Parameters, b = reference.Parameters;
        for (int i = 0; i < a.Length; i++)
        {
            Assert.True(Math.Abs(a[i] - b[i]) < 1e-12, $"parameter {i}: {a[i]} vs {b[i]}");
        }
    }
}
