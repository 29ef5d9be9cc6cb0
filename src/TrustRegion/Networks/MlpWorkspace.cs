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
/// </remarks>
public sealed class MlpWorkspace
{
    private ComputePool _workers = ComputePool.Shared;

    internal MlpWorkspace(MlpShape shape, int maxBatch)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBatch);
        Shape = shape;
        MaxBatch = maxBatch;
        int w = shape.MaxWidth;
        LayerOutputs = new double[shape.LayerCount][];
        for (int l = 0; l < shape.LayerCount; l++)
        {
            LayerOutputs[l] = new double[maxBatch * shape.LayerOutputSize(l)];
        }
        // Row r of a chunk's scratch lives at r · MaxWidth whatever the layer's width, so chunks at different layers never overlap.
        Delta0 = new double[maxBatch * w];
        Delta1 = new double[maxBatch * w];
        Tangent0 = new double[maxBatch * w];
        Tangent1 = new double[maxBatch * w];
        TangentOutput = new double[maxBatch * shape.OutputSize];
        TransposedWeights = new double[shape.ParameterCount];
        int chunks = RowChunks.Count(maxBatch);
        PartialGradients = new double[chunks > 1 ? chunks : 0][];
        for (int c = 0; c < PartialGradients.Length; c++)
        {
            PartialGradients[c] = new double[shape.ParameterCount];
        }
        Job = new MlpJob();
    }

    /// <summary>The network shape this workspace serves.</summary>
    public MlpShape Shape { get; }

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
    /// after the activation for hidden layers, the network output for the last layer.
    /// </summary>
    public ReadOnlySpan<double> LayerOutput(int layer) => LayerOutputs[layer].AsSpan(0, Batch * Shape.LayerOutputSize(layer));

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

    internal MlpJob Job { get; }
}
