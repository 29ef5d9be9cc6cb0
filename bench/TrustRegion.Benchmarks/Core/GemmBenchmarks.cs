using BenchmarkDotNet.Attributes;
using TrustRegion.Numerics;

namespace TrustRegion.Benchmarks.Core;

/// <summary>
/// The matrix-product kernel alone, on one thread, in the three shapes a 64-wide hidden layer uses at batch 2048:
/// forward <c>X·W</c>, weight gradient <c>Xᵀ·dY</c> (X read through strides, no copy) and input gradient <c>dY·Wᵀ</c>;
/// plus the forward product with its fused bias and tanh, to show what the element-wise epilogue costs. Compare the GFLOP/s
/// column with <see cref="FmaPeakBenchmark.FmaLoop"/> (one thread) from the same run. The <c>…Single</c> methods run the same
/// products in single precision (the same generic kernel, specialised for float), to compare with <see cref="FmaPeakBenchmark.FmaLoopSingle"/>.
/// The <c>OutputLayer…</c> methods are the narrow products of the output layers (6 Gaussian means, 1 value) over the same
/// batch, in float, as the policy's forward and forward-tangent passes and the critic's forward pass compute them.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(CoreConfig))]
public class GemmBenchmarks
{
    /// <summary>Rows of the batch.</summary>
    public const int Batch = 2048;

    /// <summary>Width of the hidden layers.</summary>
    public const int Width = 64;

    /// <summary>Multiply-adds × 2 of one product of these shapes.</summary>
    public const double FlopCount = 2.0 * Batch * Width * Width;

    private readonly double[] _x = new double[Batch * Width];
    private readonly double[] _dy = new double[Batch * Width];
    private readonly double[] _w = new double[Width * Width];
    private readonly double[] _wT = new double[Width * Width];
    private readonly double[] _bias = new double[Width];
    private readonly double[] _c = new double[Batch * Width];
    private readonly double[] _dw = new double[Width * Width];
    private float[] _xF = [], _dyF = [], _wF = [], _wTF = [], _biasF = [];
    private readonly float[] _cF = new float[Batch * Width];
    private readonly float[] _dwF = new float[Width * Width];
    private readonly float[] _outF = new float[Batch * 6];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Rng(17);
        rng.FillGaussian(_x);
        rng.FillGaussian(_dy);
        rng.FillGaussian(_w);
        rng.FillGaussian(_bias);
        Gemm.Transpose(_w, Width, Width, _wT);
        _xF = [.. _x.Select(v => (float)v)];
        _dyF = [.. _dy.Select(v => (float)v)];
        _wF = [.. _w.Select(v => (float)v)];
        _wTF = [.. _wT.Select(v => (float)v)];
        _biasF = [.. _bias.Select(v => (float)v)];
    }

    [Benchmark]
    public double GemmForward()
    {
        Gemm.Multiply(Batch, Width, Width, _x, Width, 1, _w, Width, _c, Width, accumulate: false);
        return _c[0];
    }

    [Benchmark]
    public double GemmForwardBiasTanh()
    {
        Gemm.Multiply(Batch, Width, Width, _x, Width, 1, _w, Width, _c, Width, accumulate: false, _bias, Gemm.Epilogue.Tanh);
        return _c[0];
    }

    [Benchmark]
    public double GemmWeightGradient()
    {
        Gemm.Multiply(Width, Width, Batch, _x, 1, Width, _dy, Width, _dw, Width, accumulate: false);
        return _dw[0];
    }

    [Benchmark]
    public double GemmInputGradient()
    {
        Gemm.Multiply(Batch, Width, Width, _dy, Width, 1, _wT, Width, _c, Width, accumulate: false);
        return _c[0];
    }

    [Benchmark]
    public float GemmForwardSingle()
    {
        Gemm.Multiply<float>(Batch, Width, Width, _xF, Width, 1, _wF, Width, _cF, Width, accumulate: false);
        return _cF[0];
    }

    [Benchmark]
    public float GemmForwardBiasTanhSingle()
    {
        Gemm.Multiply<float>(Batch, Width, Width, _xF, Width, 1, _wF, Width, _cF, Width, accumulate: false, _biasF, Gemm.Epilogue.Tanh);
        return _cF[0];
    }

    [Benchmark]
    public float GemmWeightGradientSingle()
    {
        Gemm.Multiply<float>(Width, Width, Batch, _xF, 1, Width, _dyF, Width, _dwF, Width, accumulate: false);
        return _dwF[0];
    }

    [Benchmark]
    public float GemmInputGradientSingle()
    {
        Gemm.Multiply<float>(Batch, Width, Width, _dyF, Width, 1, _wTF, Width, _cF, Width, accumulate: false);
        return _cF[0];
    }

    /// <summary>H·W with W [64 × 6]: the six action means of a HalfCheetah-v4 policy over the batch (fewer columns than a float vector holds).</summary>
    [Benchmark]
    public float OutputLayerSixColumnsSingle()
    {
        Gemm.Multiply<float>(Batch, 6, Width, _xF, Width, 1, _wF, 6, _outF, 6, accumulate: false);
        return _outF[0];
    }

    /// <summary>H·W + b with W [64 × 6]: the six action means with their bias, as the forward and tangent passes compute them.</summary>
    [Benchmark]
    public float OutputLayerSixColumnsBiasSingle()
    {
        Gemm.Multiply<float>(Batch, 6, Width, _xF, Width, 1, _wF, 6, _outF, 6, accumulate: false, _biasF);
        return _outF[0];
    }

    /// <summary>Hᵀ·G with G [2048 × 6]: the six action means' weight gradient, summed over the batch (A read through its strides).</summary>
    [Benchmark]
    public float OutputLayerWeightGradientSixColumnsSingle()
    {
        Gemm.Multiply<float>(Width, 6, Batch, _xF, 1, Width, _dyF, 6, _dwF, 6, accumulate: false);
        return _dwF[0];
    }

    /// <summary>H·w with w [64 × 1]: the value network's output over the batch.</summary>
    [Benchmark]
    public float OutputLayerOneColumnSingle()
    {
        Gemm.Multiply<float>(Batch, 1, Width, _xF, Width, 1, _wF, 1, _outF, 1, accumulate: false);
        return _outF[0];
    }
}
