using TrustRegion.Numerics;

namespace TrustRegion.Networks;

/// <summary>
/// The architecture of a multilayer perceptron: input size, hidden sizes, output size and hidden activation.
/// Two shapes are equal when every field is equal, so a checkpoint can check compatibility before loading parameters.
/// </summary>
public sealed record MlpShape
{
    private readonly int[] _hidden;

    /// <summary>Creates a shape.</summary>
    /// <param name="inputSize">Inputs per sample (≥ 1).</param>
    /// <param name="hiddenSizes">Widths of the hidden layers, input side first; may be empty (a linear map).</param>
    /// <param name="outputSize">Outputs per sample (≥ 1).</param>
    /// <param name="activation">Nonlinearity after each hidden layer; the output layer is linear.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, or the activation is undefined.</exception>
    public MlpShape(int inputSize, IReadOnlyList<int> hiddenSizes, int outputSize, Activation activation)
    {
        ArgumentNullException.ThrowIfNull(hiddenSizes);
        if (inputSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize, $"inputSize is {inputSize}; it must be at least 1.");
        }
        if (outputSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(outputSize), outputSize, $"outputSize is {outputSize}; it must be at least 1.");
        }
        for (int i = 0; i < hiddenSizes.Count; i++)
        {
            if (hiddenSizes[i] <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(hiddenSizes), hiddenSizes[i], $"hiddenSizes[{i}] is {hiddenSizes[i]}; every hidden width must be at least 1.");
            }
        }
        if (!Enum.IsDefined(activation))
        {
            throw new ArgumentOutOfRangeException(nameof(activation), activation, "activation must be Tanh or ReLU.");
        }
        InputSize = inputSize;
        OutputSize = outputSize;
        Activation = activation;
        _hidden = [.. hiddenSizes];
        long count = 0;
        for (int l = 0; l < LayerCount; l++)
        {
            count += ((long)LayerInputSize(l) * LayerOutputSize(l)) + LayerOutputSize(l);
        }
        if (count > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(hiddenSizes), count, $"The network would have {count} parameters; at most {Array.MaxLength} fit in one vector.");
        }
        ParameterCount = (int)count;
    }

    /// <summary>Inputs per sample.</summary>
    public int InputSize { get; }

    /// <summary>Hidden layer widths, input side first.</summary>
    public IReadOnlyList<int> HiddenSizes => _hidden;

    /// <summary>Outputs per sample.</summary>
    public int OutputSize { get; }

    /// <summary>Hidden-layer nonlinearity.</summary>
    public Activation Activation { get; }

    /// <summary>Number of affine layers (hidden layers + 1).</summary>
    public int LayerCount => _hidden.Length + 1;

    /// <summary>Total number of weights and biases.</summary>
    public int ParameterCount { get; }

    /// <summary>The widest layer input or output (sizes scratch buffers).</summary>
    public int MaxWidth
    {
        get
        {
            int w = Math.Max(InputSize, OutputSize);
            foreach (int h in _hidden)
            {
                w = Math.Max(w, h);
            }
            return w;
        }
    }

    /// <summary>Input width of layer <paramref name="layer"/> (0-based).</summary>
    public int LayerInputSize(int layer) => layer == 0 ? InputSize : _hidden[layer - 1];

    /// <summary>Output width of layer <paramref name="layer"/> (0-based).</summary>
    public int LayerOutputSize(int layer) => layer == _hidden.Length ? OutputSize : _hidden[layer];

    /// <inheritdoc/>
    public bool Equals(MlpShape? other) =>
        other is not null && InputSize == other.InputSize && OutputSize == other.OutputSize && Activation == other.Activation
        && _hidden.AsSpan().SequenceEqual(other._hidden);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(InputSize);
        h.Add(OutputSize);
        h.Add(Activation);
        foreach (int x in _hidden)
        {
            h.Add(x);
        }
        return h.ToHashCode();
    }

    /// <summary>Compact description, e.g. <c>4-64-64-2 tanh</c>.</summary>
    public override string ToString() =>
        $"{InputSize}-{string.Concat(_hidden.Select(x => $"{x}-"))}{OutputSize} {(Activation == Activation.Tanh ? "tanh" : "relu")}";
}
