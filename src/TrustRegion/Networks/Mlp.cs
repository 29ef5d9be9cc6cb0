using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using TrustRegion.Numerics;

namespace TrustRegion.Networks;

/// <summary>
/// A multilayer perceptron whose weights and biases live in one contiguous slice of a flat <c>double[]</c>; layers are views.
/// Hidden layers apply <see cref="MlpShape.Activation"/>; the output layer is linear.
/// </summary>
/// <remarks>
/// <para>Layout of layer l (input width <c>in</c>, output width <c>out</c>), in order: weights <c>W[in × out]</c> row-major
/// (the transpose of PyTorch's <c>Linear.weight</c>), then bias <c>b[out]</c>; layers follow each other from the input side.
/// One sample's layer output is <c>y = act(x · W + b)</c>.</para>
/// <para>All passes work on batches, <c>[batch × width]</c> row-major. <see cref="Forward"/> saves every layer output in the
/// workspace; <see cref="Backward"/> and <see cref="ForwardTangent"/> read those saved outputs, so they must follow a forward
/// pass of the same input at the same parameters. Neither changes the saved outputs, so one forward pass serves any number of
/// backward and tangent passes (the conjugate-gradient loop relies on this).</para>
/// </remarks>
public sealed class Mlp
{
    private readonly double[] _storage;
    private readonly int _offset;
    private readonly int[] _weightOffsets;
    private readonly int[] _biasOffsets;

    /// <summary>Creates a network with zero parameters in its own storage, or as a view into <paramref name="storage"/>.</summary>
    /// <param name="shape">Architecture.</param>
    /// <param name="storage">Flat vector holding the parameters at <paramref name="offset"/>; null allocates a new one.</param>
    /// <param name="offset">Start of this network's parameters inside <paramref name="storage"/>.</param>
    /// <param name="precision">Arithmetic of the passes (<see cref="NetworkPrecision"/>); the parameters are doubles either way.</param>
    /// <exception cref="ArgumentException">The storage is too short for the shape at that offset.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The precision is not a defined value.</exception>
    public Mlp(MlpShape shape, double[]? storage = null, int offset = 0, NetworkPrecision precision = NetworkPrecision.Double)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (!Enum.IsDefined(precision))
        {
            throw new ArgumentOutOfRangeException(nameof(precision), precision, $"precision is {precision}; it must be Double or Single.");
        }
        Shape = shape;
        Precision = precision;
        _storage = storage ?? new double[shape.ParameterCount];
        if (offset < 0 || (long)offset + shape.ParameterCount > _storage.Length)
        {
            throw new ArgumentException($"storage has {_storage.Length} elements; a {shape} network at offset {offset} needs {shape.ParameterCount} from there.", nameof(storage));
        }
        _offset = offset;
        _weightOffsets = new int[shape.LayerCount];
        _biasOffsets = new int[shape.LayerCount];
        int o = 0;
        for (int l = 0; l < shape.LayerCount; l++)
        {
            _weightOffsets[l] = o;
            o += shape.LayerInputSize(l) * shape.LayerOutputSize(l);
            _biasOffsets[l] = o;
            o += shape.LayerOutputSize(l);
        }
    }

    /// <summary>Architecture.</summary>
    public MlpShape Shape { get; }

    /// <summary>Arithmetic of the forward, backward and forward-tangent passes.</summary>
    public NetworkPrecision Precision { get; }

    /// <summary>Number of parameters (<see cref="MlpShape.ParameterCount"/>).</summary>
    public int ParameterCount => Shape.ParameterCount;

    /// <summary>All parameters, a view into the flat storage.</summary>
    public Span<double> Parameters => _storage.AsSpan(_offset, Shape.ParameterCount);

    /// <summary>Offset of layer <paramref name="layer"/>'s weights within <see cref="Parameters"/> (and within any gradient or direction of the same layout).</summary>
    public int WeightOffset(int layer) => _weightOffsets[layer];

    /// <summary>Offset of layer <paramref name="layer"/>'s bias within <see cref="Parameters"/>.</summary>
    public int BiasOffset(int layer) => _biasOffsets[layer];

    /// <summary>Weights of layer <paramref name="layer"/>, <c>[in × out]</c> row-major (a view).</summary>
    public Span<double> Weights(int layer) => Parameters.Slice(_weightOffsets[layer], Shape.LayerInputSize(layer) * Shape.LayerOutputSize(layer));

    /// <summary>Bias of layer <paramref name="layer"/> (a view).</summary>
    public Span<double> Bias(int layer) => Parameters.Slice(_biasOffsets[layer], Shape.LayerOutputSize(layer));

    /// <summary>Allocates a workspace for batches of up to <paramref name="maxBatch"/> samples, in this network's <see cref="Precision"/>.</summary>
    public MlpWorkspace CreateWorkspace(int maxBatch) => new(Shape, maxBatch, Precision);

    /// <summary>
    /// Largest batch that inference (<see cref="CreateInferenceWorkspace"/>) computes in double whatever <see cref="Precision"/>:
    /// rounding every parameter to float for each pass costs more than a pass over a few rows saves (a rollout runs one pass per
    /// step over its handful of environment copies).
    /// </summary>
    public const int SmallBatchRows = 64;

    /// <summary>
    /// Allocates a workspace for forward passes only (acting, value prediction): double precision when
    /// <paramref name="maxBatch"/> ≤ <see cref="SmallBatchRows"/>, else this network's <see cref="Precision"/>.
    /// </summary>
    public MlpWorkspace CreateInferenceWorkspace(int maxBatch) =>
        new(Shape, maxBatch, maxBatch <= SmallBatchRows ? NetworkPrecision.Double : Precision);

    /// <summary>
    /// Stable-Baselines3's initialisation: each weight matrix orthogonal (PyTorch's <c>orthogonal_</c>: QR of a standard-normal
    /// matrix with the signs fixed so R has a positive diagonal) times a gain; biases zero.
    /// </summary>
    /// <param name="rng">Source of the normal draws; the draws are made layer by layer in PyTorch's <c>[out × in]</c> row order.</param>
    /// <param name="hiddenGain">Gain of the hidden layers (SB3: √2).</param>
    /// <param name="outputGain">Gain of the output layer (SB3: 0.01 for a policy, 1 for a value function).</param>
    public void InitializeOrthogonal(Rng rng, double hiddenGain, double outputGain)
    {
        ArgumentNullException.ThrowIfNull(rng);
        for (int l = 0; l < Shape.LayerCount; l++)
        {
            int nIn = Shape.LayerInputSize(l), nOut = Shape.LayerOutputSize(l);
            double gain = l == Shape.LayerCount - 1 ? outputGain : hiddenGain;
            var q = new double[nOut * nIn]; // PyTorch's weight [out × in]
            Orthogonal.Fill(rng, nOut, nIn, q);
            Span<double> w = Weights(l);
            for (int o = 0; o < nOut; o++)
            {
                for (int i = 0; i < nIn; i++)
                {
                    w[(i * nOut) + o] = gain * q[(o * nIn) + i];
                }
            }
            Bias(l).Clear();
        }
    }

    /// <summary>Forward pass: computes the network output of <paramref name="batch"/> inputs and saves every layer output.</summary>
    /// <param name="input">Inputs, <c>[batch × InputSize]</c> row-major.</param>
    /// <param name="batch">Number of samples (1 … workspace.MaxBatch).</param>
    /// <param name="workspace">Workspace of this shape.</param>
    /// <returns>The outputs <c>[batch × OutputSize]</c>, a view into the workspace valid until its next forward pass.</returns>
    public unsafe ReadOnlySpan<double> Forward(ReadOnlySpan<double> input, int batch, MlpWorkspace workspace)
    {
        CheckBatch(input, batch, workspace);
        workspace.Batch = batch;
        PrepareRows(workspace, transposeWeights: false, firstLayer: false);
        int chunks = RowChunks.Count(batch);
        if (chunks == 1)
        {
            ForwardRows(input, workspace, 0, batch);
        }
        else
        {
            fixed (double* pin = input)
            {
                var job = workspace.Job;
                job.Set(this, workspace, MlpJob.Pass.Forward, batch, pin, input.Length, null, 0, null, 0);
                workspace.Workers.Run(job, chunks);
            }
        }
        return workspace.LayerOutputs[Shape.LayerCount - 1].AsSpan(0, batch * Shape.OutputSize);
    }

    /// <summary>
    /// Rows <paramref name="r0"/> … <paramref name="r0"/> + <paramref name="rows"/> − 1 of a forward pass. In single precision
    /// the float parameters must be current (<see cref="PrepareRows"/>); the network output rows are widened to double.
    /// </summary>
    internal void ForwardRows(ReadOnlySpan<double> input, MlpWorkspace workspace, int r0, int rows)
    {
        if (workspace.Single is not { } s)
        {
            ForwardCore<double>(Parameters, input, workspace.LayerOutputs, r0, rows);
            return;
        }
        int nIn = Shape.InputSize, nOut = Shape.OutputSize, last = Shape.LayerCount - 1;
        Kernels.Narrow(input.Slice(r0 * nIn, rows * nIn), s.Input.AsSpan(r0 * nIn, rows * nIn));
        ForwardCore<float>(s.Parameters, s.Input, s.LayerOutputs, r0, rows);
        Kernels.Widen(s.LayerOutputs[last].AsSpan(r0 * nOut, rows * nOut), workspace.LayerOutputs[last].AsSpan(r0 * nOut, rows * nOut), accumulate: false);
    }

    private void ForwardCore<T>(ReadOnlySpan<T> p, ReadOnlySpan<T> input, T[][] layerOutputs, int r0, int rows)
        where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        ReadOnlySpan<T> h = input.Slice(r0 * Shape.InputSize, rows * Shape.InputSize);
        for (int l = 0; l < Shape.LayerCount; l++)
        {
            int nIn = Shape.LayerInputSize(l), nOut = Shape.LayerOutputSize(l);
            Span<T> y = layerOutputs[l].AsSpan(r0 * nOut, rows * nOut);
            // y = act(h · W + b), bias and activation fused into the product's epilogue.
            Gemm.Multiply(rows, nOut, nIn, h, nIn, 1, p.Slice(_weightOffsets[l], nIn * nOut), nOut, y, nOut, accumulate: false,
                p.Slice(_biasOffsets[l], nOut), l < Shape.LayerCount - 1 ? ActivationEpilogue : Gemm.Epilogue.None);
            h = y;
        }
    }

    /// <summary>
    /// Gets the workspace ready for passes run row chunk by row chunk (<see cref="ForwardRows"/>, <see cref="BackwardRows"/>,
    /// <see cref="ForwardTangentRows"/>), at the current parameters: in single precision rounds the parameters (and a tangent
    /// pass's <paramref name="direction"/>, when non-empty) to their float copies; with <paramref name="transposeWeights"/>
    /// writes the transposed weights a backward pass reads (the first layer's only with <paramref name="firstLayer"/>, for an
    /// input gradient). The public passes call it themselves; callers that run the row methods directly call it once first.
    /// </summary>
    internal void PrepareRows(MlpWorkspace workspace, bool transposeWeights, bool firstLayer, ReadOnlySpan<double> direction = default)
    {
        if (workspace.Single is not { } s)
        {
            if (transposeWeights)
            {
                TransposeWeights<double>(Parameters, workspace.TransposedWeights, firstLayer);
            }
            return;
        }
        Kernels.Narrow(Parameters, s.Parameters);
        if (!direction.IsEmpty)
        {
            Kernels.Narrow(direction[..ParameterCount], s.Direction);
        }
        if (transposeWeights)
        {
            TransposeWeights<float>(s.Parameters, s.TransposedWeights, firstLayer);
        }
    }

    /// <summary>
    /// Backward (vector–Jacobian) pass: given <c>u = ∂ℓ/∂output</c> for a scalar ℓ, computes <c>∂ℓ/∂θ</c> and optionally <c>∂ℓ/∂input</c>,
    /// at the parameters and input of the workspace's last forward pass.
    /// </summary>
    /// <param name="input">The input of the last forward pass, <c>[batch × InputSize]</c>.</param>
    /// <param name="outputGradient"><c>∂ℓ/∂output</c>, <c>[batch × OutputSize]</c>.</param>
    /// <param name="workspace">The workspace holding that forward pass (batch = its <see cref="MlpWorkspace.Batch"/>).</param>
    /// <param name="parameterGradient">Receives <c>∂ℓ/∂θ</c> in the parameter layout (length <see cref="ParameterCount"/>).</param>
    /// <param name="accumulate">Add to <paramref name="parameterGradient"/> instead of overwriting it.</param>
    /// <param name="inputGradient">Receives <c>∂ℓ/∂input</c> when non-empty (<c>[batch × InputSize]</c>); skipped when empty.</param>
    public unsafe void Backward(ReadOnlySpan<double> input, ReadOnlySpan<double> outputGradient, MlpWorkspace workspace, Span<double> parameterGradient, bool accumulate, Span<double> inputGradient = default)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        int batch = workspace.Batch;
        CheckBatch(input, batch, workspace);
        CheckLength(outputGradient, batch * Shape.OutputSize, nameof(outputGradient));
        CheckLength(parameterGradient, ParameterCount, nameof(parameterGradient));
        if (!inputGradient.IsEmpty)
        {
            CheckLength(inputGradient, batch * Shape.InputSize, nameof(inputGradient));
        }
        PrepareRows(workspace, transposeWeights: true, firstLayer: !inputGradient.IsEmpty);
        int chunks = RowChunks.Count(batch);
        if (chunks == 1)
        {
            BackwardRows(input, outputGradient, workspace, 0, batch, parameterGradient, accumulate, inputGradient);
            return;
        }
        fixed (double* pin = input, pout = outputGradient, pig = inputGradient)
        {
            var job = workspace.Job;
            job.Set(this, workspace, MlpJob.Pass.Backward, batch, pin, input.Length, pout, outputGradient.Length, pig, inputGradient.Length);
            workspace.Workers.Run(job, chunks);
        }
        ReducePartialGradients(workspace, chunks, parameterGradient, accumulate);
    }

    /// <summary>Writes the transposed weight matrices of <paramref name="p"/> into <paramref name="transposed"/> (for <c>δ · Wᵀ</c>); the first layer's only when asked.</summary>
    private void TransposeWeights<T>(ReadOnlySpan<T> p, Span<T> transposed, bool firstLayer)
        where T : unmanaged
    {
        for (int l = firstLayer ? 0 : 1; l < Shape.LayerCount; l++)
        {
            int nIn = Shape.LayerInputSize(l), nOut = Shape.LayerOutputSize(l);
            Gemm.Transpose(p.Slice(_weightOffsets[l], nIn * nOut), nIn, nOut, transposed.Slice(_weightOffsets[l], nIn * nOut));
        }
    }

    /// <summary>
    /// <c>gradient (+)= Σ_c partial[c]</c> over the first <paramref name="chunks"/> partial gradients of the workspace, summed in
    /// chunk order, so the result does not depend on which thread ran which chunk.
    /// </summary>
    internal void ReducePartialGradients(MlpWorkspace workspace, int chunks, Span<double> gradient, bool accumulate)
    {
        Span<double> g = gradient[..ParameterCount];
        double[][] partial = workspace.PartialGradients;
        if (chunks > 8 || chunks < 1)
        {
            // General path (not reached with RowChunks' at most 8 chunks): one pass per partial.
            if (accumulate)
            {
                TensorPrimitives.Add(g, partial[0], g);
            }
            else
            {
                partial[0].CopyTo(g);
            }
            for (int c = 1; c < chunks; c++)
            {
                TensorPrimitives.Add(g, partial[c], g);
            }
            return;
        }
        SumPartials(partial, chunks, g, accumulate);
    }

    /// <summary>
    /// <c>g (+)= ((p₀ + p₁) + p₂) + …</c> element by element in one pass over up to 8 partials: the same additions in the same
    /// order as adding the partials one at a time, so the same bits, with g read and written once.
    /// </summary>
    private static unsafe void SumPartials(double[][] partial, int chunks, Span<double> g, bool accumulate)
    {
        int n = g.Length;
        double** p = stackalloc double*[8];
        fixed (double* pg = g, q0 = partial[0], q1 = chunks > 1 ? partial[1] : null, q2 = chunks > 2 ? partial[2] : null, q3 = chunks > 3 ? partial[3] : null,
            q4 = chunks > 4 ? partial[4] : null, q5 = chunks > 5 ? partial[5] : null, q6 = chunks > 6 ? partial[6] : null, q7 = chunks > 7 ? partial[7] : null)
        {
            p[0] = q0; p[1] = q1; p[2] = q2; p[3] = q3; p[4] = q4; p[5] = q5; p[6] = q6; p[7] = q7;
            int i = 0;
            for (; i + 8 <= n; i += 8)
            {
                var s = accumulate ? Vector512.Load(pg + i) + Vector512.Load(p[0] + i) : Vector512.Load(p[0] + i);
                for (int c = 1; c < chunks; c++)
                {
                    s += Vector512.Load(p[c] + i);
                }
                s.Store(pg + i);
            }
            for (; i < n; i++)
            {
                double s = accumulate ? pg[i] + p[0][i] : p[0][i];
                for (int c = 1; c < chunks; c++)
                {
                    s += p[c][i];
                }
                pg[i] = s;
            }
        }
    }

    /// <summary>
    /// Rows <paramref name="r0"/> … of a backward pass; the workspace must be prepared (<see cref="PrepareRows"/> with the
    /// transposed weights). In single precision the chunk's gradient is computed in float and widened into
    /// <paramref name="parameterGradient"/>, and the input gradient rows likewise.
    /// </summary>
    internal void BackwardRows(ReadOnlySpan<double> input, ReadOnlySpan<double> outputGradient, MlpWorkspace workspace, int r0, int rows, Span<double> parameterGradient, bool accumulate, Span<double> inputGradient)
    {
        if (workspace.Single is not { } s)
        {
            BackwardCore<double>(input, outputGradient, workspace.LayerOutputs, workspace.TransposedWeights, workspace.Delta0, workspace.Delta1, r0, rows,
                parameterGradient, accumulate, inputGradient);
            return;
        }
        int nIn = Shape.InputSize, nOut = Shape.OutputSize;
        Kernels.Narrow(input.Slice(r0 * nIn, rows * nIn), s.Input.AsSpan(r0 * nIn, rows * nIn));
        Kernels.Narrow(outputGradient.Slice(r0 * nOut, rows * nOut), s.OutputGradient.AsSpan(r0 * nOut, rows * nOut));
        Span<float> g = s.PartialGradients[workspace.ChunkIndex(r0)];
        BackwardCore<float>(s.Input, s.OutputGradient, s.LayerOutputs, s.TransposedWeights, s.Delta0, s.Delta1, r0, rows, g, accumulate: false,
            inputGradient.IsEmpty ? default : s.InputGradient);
        Kernels.Widen(g, parameterGradient, accumulate);
        if (!inputGradient.IsEmpty)
        {
            Kernels.Widen(s.InputGradient.AsSpan(r0 * nIn, rows * nIn), inputGradient.Slice(r0 * nIn, rows * nIn), accumulate: false);
        }
    }

    private void BackwardCore<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> outputGradient, T[][] layerOutputs, ReadOnlySpan<T> transposedWeights, T[] delta0, T[] delta1,
        int r0, int rows, Span<T> parameterGradient, bool accumulate, Span<T> inputGradient)
        where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        int w = Shape.MaxWidth;
        ReadOnlySpan<T> delta = outputGradient.Slice(r0 * Shape.OutputSize, rows * Shape.OutputSize);
        bool useFirst = true;
        for (int l = Shape.LayerCount - 1; l >= 0; l--)
        {
            int nIn = Shape.LayerInputSize(l), nOut = Shape.LayerOutputSize(l);
            ReadOnlySpan<T> hIn = l == 0 ? input.Slice(r0 * nIn, rows * nIn) : layerOutputs[l - 1].AsSpan(r0 * nIn, rows * nIn);
            // dW = hInᵀ · δ (A read transposed through its strides), db = Σ_rows δ.
            Gemm.Multiply(nIn, nOut, rows, hIn, 1, nIn, delta, nOut, parameterGradient.Slice(_weightOffsets[l], nIn * nOut), nOut, accumulate);
            Kernels.ColumnSums(delta, rows, nOut, parameterGradient.Slice(_biasOffsets[l], nOut), accumulate);
            if (l == 0 && inputGradient.IsEmpty)
            {
                break;
            }
            ReadOnlySpan<T> wt = transposedWeights.Slice(_weightOffsets[l], nIn * nOut);
            Span<T> dh = l == 0 ? inputGradient.Slice(r0 * nIn, rows * nIn) : (useFirst ? delta0 : delta1).AsSpan(r0 * w, rows * nIn);
            Gemm.Multiply(rows, nIn, nOut, delta, nOut, 1, wt, nIn, dh, nIn, accumulate: false,
                default, l > 0 ? DerivativeEpilogue : Gemm.Epilogue.None, l > 0 ? hIn : default);
            if (l > 0)
            {
                delta = dh;
                useFirst = !useFirst;
            }
        }
    }

    /// <summary>
    /// Forward-tangent (Jacobian–vector) pass: the directional derivative <c>J·v</c> of the outputs in parameter direction
    /// <paramref name="direction"/>, at the parameters and input of the workspace's last forward pass.
    /// </summary>
    /// <param name="input">The input of the last forward pass.</param>
    /// <param name="direction">A parameter direction in the parameter layout (length <see cref="ParameterCount"/>).</param>
    /// <param name="workspace">The workspace holding that forward pass.</param>
    /// <returns><c>J·v</c>, <c>[batch × OutputSize]</c>, a view into the workspace valid until its next tangent pass.</returns>
    public unsafe ReadOnlySpan<double> ForwardTangent(ReadOnlySpan<double> input, ReadOnlySpan<double> direction, MlpWorkspace workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        int batch = workspace.Batch;
        CheckBatch(input, batch, workspace);
        CheckLength(direction, ParameterCount, nameof(direction));
        PrepareRows(workspace, transposeWeights: false, firstLayer: false, direction);
        int chunks = RowChunks.Count(batch);
        if (chunks == 1)
        {
            ForwardTangentRows(input, direction, workspace, 0, batch);
        }
        else
        {
            fixed (double* pin = input, pdir = direction)
            {
                var job = workspace.Job;
                job.Set(this, workspace, MlpJob.Pass.Tangent, batch, pin, input.Length, pdir, direction.Length, null, 0);
                workspace.Workers.Run(job, chunks);
            }
        }
        return workspace.TangentOutput.AsSpan(0, batch * Shape.OutputSize);
    }

    /// <summary>
    /// Rows <paramref name="r0"/> … of a forward-tangent pass, into the workspace's tangent output. In single precision the
    /// float parameters and direction must be current (<see cref="PrepareRows"/> with the direction; <paramref name="direction"/>
    /// is then not read) and the tangent rows are widened to double.
    /// </summary>
    internal void ForwardTangentRows(ReadOnlySpan<double> input, ReadOnlySpan<double> direction, MlpWorkspace workspace, int r0, int rows)
    {
        if (workspace.Single is not { } s)
        {
            TangentCore<double>(Parameters, direction, input, workspace.LayerOutputs, workspace.Tangent0, workspace.Tangent1, workspace.TangentOutput, r0, rows);
            return;
        }
        int nIn = Shape.InputSize, nOut = Shape.OutputSize;
        Kernels.Narrow(input.Slice(r0 * nIn, rows * nIn), s.Input.AsSpan(r0 * nIn, rows * nIn));
        TangentCore<float>(s.Parameters, s.Direction, s.Input, s.LayerOutputs, s.Tangent0, s.Tangent1, s.TangentOutput, r0, rows);
        Kernels.Widen(s.TangentOutput.AsSpan(r0 * nOut, rows * nOut), workspace.TangentOutput.AsSpan(r0 * nOut, rows * nOut), accumulate: false);
    }

    private void TangentCore<T>(ReadOnlySpan<T> p, ReadOnlySpan<T> direction, ReadOnlySpan<T> input, T[][] layerOutputs, T[] tangent0, T[] tangent1, T[] tangentOutput, int r0, int rows)
        where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        int w = Shape.MaxWidth;
        ReadOnlySpan<T> h = input.Slice(r0 * Shape.InputSize, rows * Shape.InputSize);
        ReadOnlySpan<T> t = default;
        bool useFirst = true;
        for (int l = 0; l < Shape.LayerCount; l++)
        {
            int nIn = Shape.LayerInputSize(l), nOut = Shape.LayerOutputSize(l);
            bool hidden = l < Shape.LayerCount - 1;
            Span<T> tOut = hidden
                ? (useFirst ? tangent0 : tangent1).AsSpan(r0 * w, rows * nOut)
                : tangentOutput.AsSpan(r0 * nOut, rows * nOut);
            // ṫ = h · V_W + t · W + V_b, then through the activation's derivative at the saved output.
            ReadOnlySpan<T> y = layerOutputs[l].AsSpan(r0 * nOut, rows * nOut);
            ReadOnlySpan<T> vBias = direction.Slice(_biasOffsets[l], nOut);
            Gemm.Epilogue post = hidden ? DerivativeEpilogue : Gemm.Epilogue.None;
            if (l == 0)
            {
                Gemm.Multiply(rows, nOut, nIn, h, nIn, 1, direction.Slice(_weightOffsets[l], nIn * nOut), nOut, tOut, nOut, accumulate: false, vBias, post, y);
            }
            else
            {
                Gemm.Multiply(rows, nOut, nIn, h, nIn, 1, direction.Slice(_weightOffsets[l], nIn * nOut), nOut, tOut, nOut, accumulate: false);
                Gemm.Multiply(rows, nOut, nIn, t, nIn, 1, p.Slice(_weightOffsets[l], nIn * nOut), nOut, tOut, nOut, accumulate: true, vBias, post, y);
            }
            h = y;
            t = tOut;
            useFirst = !useFirst;
        }
    }

    private Gemm.Epilogue ActivationEpilogue => Shape.Activation == Activation.Tanh ? Gemm.Epilogue.Tanh : Gemm.Epilogue.ReLU;

    private Gemm.Epilogue DerivativeEpilogue => Shape.Activation == Activation.Tanh ? Gemm.Epilogue.TanhDerivative : Gemm.Epilogue.ReLUDerivative;

    private void CheckBatch(ReadOnlySpan<double> input, int batch, MlpWorkspace workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        if (!workspace.Shape.Equals(Shape))
        {
            throw new ArgumentException($"The workspace was made for a {workspace.Shape} network; this one is {Shape}.", nameof(workspace));
        }
        // A double workspace runs every pass in double on either network (CreateInferenceWorkspace makes one for a few rows); a single workspace belongs to a single-precision network.
        if (workspace.Precision != Precision && workspace.Precision != NetworkPrecision.Double)
        {
            throw new ArgumentException($"The workspace was made for {workspace.Precision} precision; this network computes in {Precision}. Create workspaces with CreateWorkspace or CreateInferenceWorkspace.", nameof(workspace));
        }
        if (batch <= 0 || batch > workspace.MaxBatch)
        {
            throw new ArgumentOutOfRangeException(nameof(batch), batch, $"batch is {batch}; the workspace holds 1 to {workspace.MaxBatch} samples.");
        }
        CheckLength(input, batch * Shape.InputSize, nameof(input));
    }

    private static void CheckLength(ReadOnlySpan<double> span, int expected, string name)
    {
        if (span.Length < expected)
        {
            throw new ArgumentException($"{name} has length {span.Length}; expected at least {expected}.", name);
        }
    }
}

/// <summary>The chunk job of one pass, kept in the workspace so that running it allocates nothing.</summary>
internal sealed unsafe class MlpJob : IChunkJob
{
    internal enum Pass
    {
        Forward,
        Backward,
        Tangent,
    }

    private Mlp? _net;
    private MlpWorkspace? _workspace;
    private Pass _pass;
    private int _batch, _chunkRows;
    private double* _input, _second, _inputGradient;
    private int _inputLength, _secondLength, _inputGradientLength;

    /// <summary>Binds the pass; the pointers must stay pinned until the job has run.</summary>
    public void Set(Mlp net, MlpWorkspace workspace, Pass pass, int batch, double* input, int inputLength, double* second, int secondLength, double* inputGradient, int inputGradientLength)
    {
        _net = net;
        _workspace = workspace;
        _pass = pass;
        _batch = batch;
        _chunkRows = RowChunks.ChunkRows(batch);
        _input = input;
        _inputLength = inputLength;
        _second = second;
        _secondLength = secondLength;
        _inputGradient = inputGradient;
        _inputGradientLength = inputGradientLength;
    }

    public void Execute(int chunk)
    {
        int r0 = chunk * _chunkRows;
        int rows = Math.Min(_chunkRows, _batch - r0);
        var input = new ReadOnlySpan<double>(_input, _inputLength);
        switch (_pass)
        {
            case Pass.Forward:
                _net!.ForwardRows(input, _workspace!, r0, rows);
                break;
            case Pass.Backward:
                _net!.BackwardRows(input, new ReadOnlySpan<double>(_second, _secondLength), _workspace!, r0, rows, _workspace!.PartialGradients[chunk], accumulate: false,
                    new Span<double>(_inputGradient, _inputGradientLength));
                break;
            default:
                _net!.ForwardTangentRows(input, new ReadOnlySpan<double>(_second, _secondLength), _workspace!, r0, rows);
                break;
        }
    }
}
