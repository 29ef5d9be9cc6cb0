namespace TrustRegion.Networks;

/// <summary>
/// Buffers for the passes of one <see cref="Mlp"/> shape at up to <see cref="MaxBatch"/> samples: the saved layer
/// outputs of the last forward pass, and scratch for backward and forward-tangent passes. Allocate once per run
/// (<see cref="Mlp.CreateWorkspace"/>) and reuse; the passes then allocate nothing. Not thread-safe.
/// </summary>
public sealed class MlpWorkspace
{
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
        Delta0 = new double[maxBatch * w];
        Delta1 = new double[maxBatch * w];
        Tangent0 = new double[maxBatch * w];
        Tangent1 = new double[maxBatch * w];
        TransposedWeights = new double[w * w];
    }

    /// <summary>The network shape this workspace serves.</summary>
    public MlpShape Shape { get; }

    /// <summary>Largest batch the workspace holds.</summary>
    public int MaxBatch { get; }

    /// <summary>Batch size of the last forward pass (0 before any).</summary>
    public int Batch { get; internal set; }

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

    internal double[] TransposedWeights { get; }
}
