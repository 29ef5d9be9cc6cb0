using TrustRegion.Numerics;

namespace TrustRegion.Networks;

/// <summary>
/// Buffers for the passes of one <see cref="Mlp"/> shape at up to <see cref="MaxBatch"/> samples: the saved layer
/// outputs of the last forward pass, and scratch for backward and forward-tangent passes. Allocate once per run
/// (<see cref="Mlp.CreateWorkspace"/>) and reuse; the passes then allocate nothing. Not thread-safe.
/// </summary>
/// <remarks>
/// A batch is split into row chunks fixed by its size; the chunks run on <see cref="Workers"/>. Each chunk keeps its own
/// rows of every buffer and its own partial parameter gradient, reduced in chunk order, so results do not depend on the pool.
/// A workspace has the <see cref="NetworkPrecision"/> of the network that made it; in single precision its pass buffers are
/// floats (<see cref="SingleBuffers"/>) and only the network output, the tangent output and the partial gradients are doubles.
/// </remarks>
public sealed class MlpWorkspace
{
    private ComputePool _workers = ComputePool.Shared;

    internal MlpWorkspace(MlpShape shape, int maxBatch, NetworkPrecision precision = NetworkPrecision.Double)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBatch);
        Shape = shape;
        MaxBatch = maxBatch;
        Precision = precision;
        bool isDouble = precision == NetworkPrecision.Double;
        int w = shape.MaxWidth;
        LayerOutputs = new double[shape.LayerCount][];
        for (int l = 0; l < shape.LayerCount; l++)
        {
            LayerOutputs[l] = new double[maxBatch * shape.LayerOutputSize(l)];
        }
        // Row r of a chunk's scratch lives at r · MaxWidth whatever the layer's width, so chunks at different layers never overlap.
        Delta0 = isDouble ? new double[maxBatch * w] : [];
        Delta1 = isDouble ? new double[maxBatch * w] : [];
        Tangent0 = isDouble ? new double[maxBatch * w] : [];
        Tangent1 = isDouble ? new double[maxBatch * w] : [];
        TangentOutput = new double[maxBatch * shape.OutputSize];
        TransposedWeights = isDouble ? new double[shape.ParameterCount] : [];
        int chunks = RowChunks.Count(maxBatch);
        PartialGradients = new double[chunks > 1 ? chunks : 0][];
        for (int c = 0; c < PartialGradients.Length; c++)
        {
            PartialGradients[c] = new double[shape.ParameterCount];
        }
        Single = isDouble ? null : new SingleBuffers(shape, maxBatch, chunks);
        Job = new MlpJob();
    }

    /// <summary>The network shape this workspace serves.</summary>
    public MlpShape Shape { get; }

    /// <summary>Precision of the passes this workspace serves (that of the network that created it).</summary>
    public NetworkPrecision Precision { get; }

    /// <summary>Largest batch the workspace holds.</summary>
    public int MaxBatch { get; }

    /// <summary>Batch size of the last forward pass (0 before any).</summary>
    public int Batch { get; internal set; }

    /// <summary>Threads that run the row chunks of each pass (default <see cref="ComputePool.Shared"/>). Results do not depend on it.</summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public ComputePool Workers
    {
        get => _workers;
        set => _workers = value ?? throw new ArgumentNullException(nameof(value), "Workers cannot be null; use new ComputePool(1) to run on the caller alone.");
    }

    /// <summary>
    /// Output of layer <paramref name="layer"/> from the last forward pass, <c>[Batch × LayerOutputSize(layer)]</c> row-major:
    /// after the activation for hidden layers, the network output for the last layer. In single precision a hidden layer's
    /// float output is widened into a double buffer of the workspace on each call.
    /// </summary>
    public ReadOnlySpan<double> LayerOutput(int layer)
    {
        int n = Batch * Shape.LayerOutputSize(layer);
        if (Single is { } s && layer < Shape.LayerCount - 1)
        {
            Kernels.Widen(s.LayerOutputs[layer].AsSpan(0, n), LayerOutputs[layer], accumulate: false);
        }
        return LayerOutputs[layer].AsSpan(0, n);
    }

    /// <summary>Layer outputs in double: every layer in double precision; in single precision the network output (last layer), and the hidden layers only as widened by <see cref="LayerOutput"/>.</summary>
    internal double[][] LayerOutputs { get; }

    internal double[] Delta0 { get; }

    internal double[] Delta1 { get; }

    internal double[] Tangent0 { get; }

    internal double[] Tangent1 { get; }

    /// <summary>The network output's tangent <c>[batch × OutputSize]</c>.</summary>
    internal double[] TangentOutput { get; }

    /// <summary>Every layer's transposed weights, in the parameter layout's weight slots.</summary>
    internal double[] TransposedWeights { get; }

    /// <summary>One parameter gradient per chunk (empty when a full batch is a single chunk).</summary>
    internal double[][] PartialGradients { get; }

    /// <summary>The float buffers of a single-precision workspace; null in double precision.</summary>
    internal SingleBuffers? Single { get; }

    internal MlpJob Job { get; }

    /// <summary>Index of the row chunk starting at row <paramref name="r0"/> of the current <see cref="Batch"/>.</summary>
    internal int ChunkIndex(int r0)
    {
        int size = RowChunks.ChunkRows(Batch);
        System.Diagnostics.Debug.Assert(r0 % size == 0 && r0 < Batch);
        return r0 / size;
    }

    /// <summary>Float shadows and pass buffers of a single-precision workspace (laid out like their double counterparts).</summary>
    internal sealed class SingleBuffers
    {
        public SingleBuffers(MlpShape shape, int maxBatch, int chunks)
        {
            int w = shape.MaxWidth;
            Parameters = new float[shape.ParameterCount];
            Direction = new float[shape.ParameterCount];
            TransposedWeights = new float[shape.ParameterCount];
            Input = new float[maxBatch * shape.InputSize];
            InputGradient = new float[maxBatch * shape.InputSize];
            OutputGradient = new float[maxBatch * shape.OutputSize];
            LayerOutputs = new float[shape.LayerCount][];
            for (int l = 0; l < shape.LayerCount; l++)
            {
                LayerOutputs[l] = new float[maxBatch * shape.LayerOutputSize(l)];
            }
            Delta0 = new float[maxBatch * w];
            Delta1 = new float[maxBatch * w];
            Tangent0 = new float[maxBatch * w];
            Tangent1 = new float[maxBatch * w];
            TangentOutput = new float[maxBatch * shape.OutputSize];
            PartialGradients = new float[Math.Max(chunks, 1)][];
            for (int c = 0; c < PartialGradients.Length; c++)
            {
                PartialGradients[c] = new float[shape.ParameterCount];
            }
        }

        /// <summary>The parameters rounded to float at the start of the current pass.</summary>
        public float[] Parameters { get; }

        /// <summary>The tangent pass's direction rounded to float.</summary>
        public float[] Direction { get; }

        public float[] TransposedWeights { get; }

        public float[] Input { get; }

        public float[] InputGradient { get; }

        public float[] OutputGradient { get; }

        public float[][] LayerOutputs { get; }

        public float[] Delta0 { get; }

        public float[] Delta1 { get; }

        public float[] Tangent0 { get; }

        public float[] Tangent1 { get; }

        public float[] TangentOutput { get; }

        /// <summary>One float parameter gradient per row chunk (at least one), widened into the caller's double span.</summary>
        public float[][] PartialGradients { get; }
    }
}
