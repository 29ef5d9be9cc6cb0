using TrustRegion.Networks;
using TrustRegion.Numerics;
using Xunit.Abstractions;

namespace TrustRegion.Tests.Networks;

/// <summary>
/// Single-precision passes against the double-precision reference on the same parameters and inputs.
/// </summary>
/// <remarks>
/// Tolerance: every error is measured relative to the largest magnitude of the double result (an element near zero after
/// cancellation has no meaningful relative error of its own), and must stay within 1e-5. Why 1e-5: a float rounding is
/// 6e-8 relative; a product of these widths sums at most 64 terms per layer (in the forward pass) and at most one chunk of
/// 128 rows (the weight gradient), whose rounding errors grow like √k, and three layers compound them, for an expected
/// ~1e-6; the measured worst case over these shapes is written to the test output (about 2e-7 … 1e-6).
/// </remarks>
public class MlpSingleTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    public static TheoryData<Activation, int, int[], int, int, ulong> Cases() => new()
    {
        { Activation.Tanh, 4, [64, 64], 2, 1024, 1 },
        { Activation.Tanh, 11, [64, 64], 3, 2048, 2 },
        { Activation.ReLU, 11, [64, 64], 3, 777, 3 },
        { Activation.Tanh, 5, [17, 33], 1, 9, 4 },
        { Activation.ReLU, 3, [40], 7, 130, 5 },
        { Activation.Tanh, 6, [], 4, 65, 6 },
        { Activation.Tanh, 17, [128, 31, 64], 19, 300, 7 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void SinglePasses_AgreeWithDoublePasses(Activation act, int inSize, int[] hidden, int outSize, int batch, ulong seed)
    {
        var shape = new MlpShape(inSize, hidden, outSize, act);
        var theta = new double[shape.ParameterCount];
        var netD = new Mlp(shape, theta);
        var netS = new Mlp(shape, theta, 0, NetworkPrecision.Single);
        var rng = new Rng(seed);
        netD.InitializeOrthogonal(rng, Math.Sqrt(2), 1.0);
        foreach (ref double p in netD.Parameters)
        {
            p += 0.1 * rng.NextGaussian();
        }
        var x = new double[batch * inSize];
        var u = new double[batch * outSize];
        var v = new double[shape.ParameterCount];
        rng.FillGaussian(x);
        rng.FillGaussian(u);
        rng.FillGaussian(v);

        var wsD = netD.CreateWorkspace(batch);
        var wsS = netS.CreateWorkspace(batch);
        Assert.Equal(NetworkPrecision.Single, wsS.Precision);
        double eY = RelativeError(netS.Forward(x, batch, wsS), netD.Forward(x, batch, wsD));
        var gD = new double[shape.ParameterCount];
        var gS = new double[shape.ParameterCount];
        var dxD = new double[batch * inSize];
        var dxS = new double[batch * inSize];
        netD.Backward(x, u, wsD, gD, accumulate: false, dxD);
        netS.Backward(x, u, wsS, gS, accumulate: false, dxS);
        double eG = RelativeError(gS, gD);
        double eDx = RelativeError(dxS, dxD);
        double eJv = RelativeError(netS.ForwardTangent(x, v, wsS), netD.ForwardTangent(x, v, wsD));
        // Hidden layers are widened to double on request; they agree like the output does.
        double eH = shape.LayerCount > 1 ? RelativeError(wsS.LayerOutput(0), wsD.LayerOutput(0)) : 0;
        output.WriteLine($"{shape} batch {batch}: output {eY:E2}, parameter gradient {eG:E2}, input gradient {eDx:E2}, J·v {eJv:E2}, hidden {eH:E2}");
        Assert.True(eY <= Tolerance, $"output error {eY}");
        Assert.True(eG <= Tolerance, $"parameter gradient error {eG}");
        Assert.True(eDx <= Tolerance, $"input gradient error {eDx}");
        Assert.True(eJv <= Tolerance, $"J·v error {eJv}");
        Assert.True(eH <= Tolerance, $"hidden output error {eH}");
        // The float passes really ran in float: their results differ from the double ones in the low bits somewhere.
        Assert.True(eY > 0 || eG > 0, "single-precision results are bit-identical to double: the float path did not run");
    }

    [Fact]
    public void SingleBackward_Accumulates_AndTheParametersAreReadAtEveryPass()
    {
        var shape = new MlpShape(3, [16], 2, Activation.Tanh);
        var net = new Mlp(shape, precision: NetworkPrecision.Single);
        net.InitializeOrthogonal(new Rng(8), Math.Sqrt(2), 1.0);
        var reference = new Mlp(shape, net.Parameters.ToArray());
        var x = new double[] { 0.1, -0.2, 0.3, 1.0, 0.5, -0.7 };
        var u = new double[] { 1, -1, 0.5, 2 };
        var ws = net.CreateWorkspace(2);
        var wsRef = reference.CreateWorkspace(2);
        net.Forward(x, 2, ws);
        var g = Enumerable.Repeat(1.0, shape.ParameterCount).ToArray();
        net.Backward(x, u, ws, g, accumulate: true);
        reference.Forward(x, 2, wsRef);
        var gRef = new double[shape.ParameterCount];
        reference.Backward(x, u, wsRef, gRef, accumulate: false);
        for (int i = 0; i < g.Length; i++)
        {
            Assert.Equal(gRef[i] + 1.0, g[i], 1e-6);
        }
        // Changing the double parameters changes the next float pass (no stale float copy).
        net.Parameters[net.BiasOffset(1)] += 1.0;
        reference.Parameters[reference.BiasOffset(1)] += 1.0;
        double[] y = net.Forward(x, 2, ws).ToArray();
        double[] yRef = reference.Forward(x, 2, wsRef).ToArray();
        Assert.True(RelativeError(y, yRef) <= Tolerance);
    }

    [Fact]
    public void SingleWorkspaceOnADoubleNetwork_IsRejected_ADoubleWorkspaceComputesInDouble()
    {
        var shape = new MlpShape(3, [4], 1, Activation.Tanh);
        var dbl = new Mlp(shape);
        dbl.InitializeOrthogonal(new Rng(1), Math.Sqrt(2), 1);
        var single = new Mlp(shape, precision: NetworkPrecision.Single);
        dbl.Parameters.CopyTo(single.Parameters);
        var ex = Assert.Throws<ArgumentException>(() => dbl.Forward(new double[6], 2, single.CreateWorkspace(2)));
        Assert.Contains("Single", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Mlp(shape, precision: (NetworkPrecision)7));

        var x = new double[6];
        new Rng(2).FillGaussian(x);
        double[] expected = dbl.Forward(x, 2, dbl.CreateWorkspace(2)).ToArray();
        Assert.Equal(expected, single.Forward(x, 2, dbl.CreateWorkspace(2)).ToArray());
        Assert.NotEqual(expected, single.Forward(x, 2, single.CreateWorkspace(2)).ToArray());
    }

    [Fact]
    public void InferenceWorkspace_IsDoubleUpToSmallBatchRows_ThenTheNetworksPrecision()
    {
        var single = new Mlp(new MlpShape(3, [4], 1, Activation.Tanh), precision: NetworkPrecision.Single);
        Assert.Equal(NetworkPrecision.Double, single.CreateInferenceWorkspace(1).Precision);
        Assert.Equal(NetworkPrecision.Double, single.CreateInferenceWorkspace(Mlp.SmallBatchRows).Precision);
        Assert.Equal(NetworkPrecision.Single, single.CreateInferenceWorkspace(Mlp.SmallBatchRows + 1).Precision);
        Assert.Equal(NetworkPrecision.Double, new Mlp(single.Shape).CreateInferenceWorkspace(1000).Precision);
    }

    [Fact]
    public void PolicyAndValue_OnAFewRows_AgreeBitForBitWithDoublePrecision_OnMoreRows_ComputeInSingle()
    {
        var box = TrustRegion.Envs.Box.Uniform(-1, 1, 2);
        var single = new TrustRegion.Trpo.Policy(box, 5, [16, 16], Activation.Tanh, 0.0, new Rng(3), precision: NetworkPrecision.Single);
        var dbl = new TrustRegion.Trpo.Policy(box, 5, [16, 16], Activation.Tanh, 0.0, new Rng(3));
        Assert.Equal(dbl.Parameters.ToArray(), single.Parameters.ToArray());
        var vs = new TrustRegion.Trpo.ValueFunction(5, [16, 16], Activation.Tanh, new Rng(4), NetworkPrecision.Single);
        var vd = new TrustRegion.Trpo.ValueFunction(5, [16, 16], Activation.Tanh, new Rng(4));
        foreach (int n in new[] { 2, Mlp.SmallBatchRows, Mlp.SmallBatchRows + 8 })
        {
            var obs = new double[n * 5];
            new Rng(5).FillGaussian(obs);
            var (a1, a2, l1, l2) = (new double[n * 2], new double[n * 2], new double[n], new double[n]);
            single.Act(obs, n, a1, l1, new Rng(6), deterministic: false);
            dbl.Act(obs, n, a2, l2, new Rng(6), deterministic: false);
            var (v1, v2) = (new double[n], new double[n]);
            vs.Predict(obs, n, v1);
            vd.Predict(obs, n, v2);
            if (n <= Mlp.SmallBatchRows)
            {
                Assert.Equal(a2, a1);
                Assert.Equal(l2, l1);
                Assert.Equal(v2, v1);
            }
            else
            {
                Assert.NotEqual(a2, a1);
                Assert.True(RelativeError(a1, a2) < 1e-5);
                Assert.NotEqual(v2, v1);
                Assert.True(RelativeError(v1, v2) < 1e-5);
            }
        }
    }

    /// <summary><c>max |a − e| / max |e|</c>.</summary>
    internal static double RelativeError(ReadOnlySpan<double> actual, ReadOnlySpan<double> expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = 0, err = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(double.IsFinite(actual[i]), $"[{i}] = {actual[i]}");
            scale = Math.Max(scale, Math.Abs(expected[i]));
            err = Math.Max(err, Math.Abs(actual[i] - expected[i]));
        }
        return scale == 0 ? err : err / scale;
    }
}
