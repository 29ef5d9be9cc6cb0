using TrustRegion.Networks;
using TrustRegion.Numerics;

namespace TrustRegion.Trpo;

/// <summary>
/// State-value estimate <c>V(s)</c>: an <see cref="Mlp"/> with one linear output (orthogonal init, hidden gain √2, output gain 1),
/// fitted by Adam on the mean squared error to the returns (<see cref="Fit"/>).
/// </summary>
/// <remarks>
/// <para>Adam uses ε = <see cref="AdamEpsilon"/> = 1e-5, Stable-Baselines3's <c>ActorCriticPolicy</c> default (PyTorch's own is 1e-8).</para>
/// <para>Buffers are grown on first use for a batch size and reused, so prediction and fitting allocate nothing afterwards. Not thread-safe.</para>
/// </remarks>
public sealed class ValueFunction
{
    /// <summary>Adam's ε for the value fit: 1e-5, as Stable-Baselines3's <c>ActorCriticPolicy</c> (which TRPO's critic uses).</summary>
    public const double AdamEpsilon = 1e-5;

    private readonly InferenceWorkspaces _inference; // predictions: a few rows in double, more in the network's precision
    private MlpWorkspace? _fitWorkspace;
    private double[] _batchObservations = [];
    private double[] _batchReturns = [];
    private double[] _outputGradient = [];
    private readonly double[] _gradient;
    private int[] _indices = [];
    private ComputePool _workers = ComputePool.Shared;
    private readonly double[] _chunkLoss = new double[RowChunks.MaxChunks];
    private FitJob? _fitJob;
    private int _fitBatch;

    /// <summary>Creates and initialises a value function.</summary>
    /// <param name="observationSize">Doubles per observation.</param>
    /// <param name="hiddenSizes">Hidden widths (SB3: 64, 64).</param>
    /// <param name="activation">Hidden nonlinearity (SB3: tanh).</param>
    /// <param name="rng">Source of the initial weights.</param>
    /// <param name="precision">Arithmetic of the network passes (<see cref="NetworkPrecision"/>); parameters, losses and Adam stay double.</param>
    public ValueFunction(int observationSize, IReadOnlyList<int> hiddenSizes, Activation activation, Rng rng, NetworkPrecision precision = NetworkPrecision.Double)
    {
        ArgumentNullException.ThrowIfNull(rng);
        Network = new Mlp(new MlpShape(observationSize, hiddenSizes, 1, activation), precision: precision);
        Network.InitializeOrthogonal(rng, Math.Sqrt(2.0), 1.0);
        Optimizer = new Adam(Network.ParameterCount, epsilon: AdamEpsilon);
        _inference = new InferenceWorkspaces(Network);
        _gradient = new double[Network.ParameterCount];
    }

    /// <summary>
    /// Threads that run the row chunks of the network passes (default <see cref="ComputePool.Shared"/>). Results are bit-identical
    /// for any pool: a batch is split by its size alone and partial gradients are reduced in a fixed order.
    /// </summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public ComputePool Workers
    {
        get => _workers;
        set
        {
            _workers = value ?? throw new ArgumentNullException(nameof(value), "Workers cannot be null; use new ComputePool(1) to run on the caller alone.");
            _inference.Workers = value;
            if (_fitWorkspace is not null)
            {
                _fitWorkspace.Workers = value;
            }
        }
    }

    /// <summary>The network (one output).</summary>
    public Mlp Network { get; }

    /// <summary>Architecture description.</summary>
    public MlpShape Shape => Network.Shape;

    /// <summary>Arithmetic of the network passes (the network's <see cref="Mlp.Precision"/>).</summary>
    public NetworkPrecision Precision => Network.Precision;

    /// <summary>All parameters (readable and writable).</summary>
    public Span<double> Parameters => Network.Parameters;

    /// <summary>The Adam optimiser and its state (readable and writable for checkpoints).</summary>
    public Adam Optimizer { get; }

    /// <summary>Writes <c>V(observations[i])</c> into <paramref name="values"/> for <paramref name="n"/> observations.</summary>
    public void Predict(ReadOnlySpan<double> observations, int n, Span<double> values)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        if (values.Length < n)
        {
            throw new ArgumentException($"values has length {values.Length}; expected at least {n}.", nameof(values));
        }
        Network.Forward(observations, n, _inference.For(n)).CopyTo(values);
    }

    /// <summary>
    /// Fits the value function to <paramref name="returns"/>: for each epoch, shuffles the n samples with <paramref name="rng"/>,
    /// and takes one Adam step per minibatch on <c>mean((V(s) − R)²)</c>.
    /// </summary>
    /// <returns>The mean of the minibatch losses (before each step) over all steps.</returns>
    /// <exception cref="TrainingDivergedException">A minibatch loss is not finite.</exception>
    public double Fit(ReadOnlySpan<double> observations, ReadOnlySpan<double> returns, int n, ValueFitOptions options, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(rng);
        options.Validate();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        int obs = Network.Shape.InputSize;
        if (observations.Length < n * obs)
        {
            throw new ArgumentException($"observations has length {observations.Length}; expected {n} × {obs}.", nameof(observations));
        }
        if (returns.Length < n)
        {
            throw new ArgumentException($"returns has length {returns.Length}; expected at least {n}.", nameof(returns));
        }
        int mb = Math.Min(options.MinibatchSize, n);
        if (_fitWorkspace is null || _fitWorkspace.MaxBatch < mb)
        {
            _fitWorkspace = Network.CreateWorkspace(mb);
            _fitWorkspace.Workers = _workers;
            _batchObservations = new double[mb * obs];
            _batchReturns = new double[mb];
            _outputGradient = new double[mb];
        }
        if (_indices.Length < n)
        {
            _indices = new int[n];
        }
        Optimizer.LearningRate = options.LearningRate;
        Span<int> idx = _indices.AsSpan(0, n);
        double lossSum = 0;
        int steps = 0;
        for (int epoch = 0; epoch < options.Epochs; epoch++)
        {
            for (int i = 0; i < n; i++)
            {
                idx[i] = i;
            }
            rng.Shuffle(idx);
            for (int start = 0; start < n; start += mb)
            {
                int b = Math.Min(mb, n - start);
                for (int i = 0; i < b; i++)
                {
                    int k = idx[start + i];
                    observations.Slice(k * obs, obs).CopyTo(_batchObservations.AsSpan(i * obs, obs));
                    _batchReturns[i] = returns[k];
                }
                double loss = LossAndGradient(b) / b;
                if (!double.IsFinite(loss))
                {
                    throw new TrainingDivergedException("value loss", loss);
                }
                Optimizer.Step(Network.Parameters, _gradient);
                lossSum += loss;
                steps++;
            }
        }
        return lossSum / steps;
    }

    /// <summary>
    /// Sum of squared errors on the gathered minibatch of <paramref name="b"/> samples, and the gradient of their mean into
    /// <c>_gradient</c>. Split into row chunks (fixed by b), each chunk runs its forward pass, errors and backward pass in one
    /// job; chunk sums and partial gradients are reduced in chunk order.
    /// </summary>
    private double LossAndGradient(int b)
    {
        var ws = _fitWorkspace!;
        int chunks = FitChunks(b);
        ws.Batch = b;
        Network.PrepareRows(ws, transposeWeights: true, firstLayer: false);
        if (chunks == 1)
        {
            Network.ForwardRows(_batchObservations, ws, 0, b);
            double sse = ErrorsAndOutputGradient(ws.LayerOutputs[Network.Shape.LayerCount - 1].AsSpan(0, b), 0, b, 2.0 / b);
            Network.BackwardRows(_batchObservations, _outputGradient.AsSpan(0, b), ws, 0, b, _gradient, accumulate: false, default);
            return sse;
        }
        _fitBatch = b;
        ws.Workers.Run(_fitJob ??= new FitJob(this), chunks);
        Network.ReducePartialGradients(ws, chunks, _gradient, accumulate: false);
        double sum = 0;
        for (int c = 0; c < chunks; c++)
        {
            sum += _chunkLoss[c];
        }
        return sum;
    }

    /// <summary>
    /// Row chunks of a fit minibatch of <paramref name="b"/> rows: one up to 2 × <see cref="RowChunks.MinRows"/> rows (the
    /// MuJoCo presets' 128), whose two 64-row halves ran no faster on two threads than on one while the per-chunk partial
    /// gradient and its reduction cost time (and the fit mostly runs beside the policy step, which holds the pool); the
    /// usual split above. Depends on b only, so results do not depend on the thread count.
    /// </summary>
    private static int FitChunks(int b) => b <= 2 * RowChunks.MinRows ? 1 : RowChunks.Count(b);

    /// <summary>Errors of rows r0 … r0 + rows − 1 (predictions <paramref name="v"/> of those rows): writes <c>scale · e</c> to the output gradient, returns Σ e².</summary>
    private double ErrorsAndOutputGradient(ReadOnlySpan<double> v, int r0, int rows, double scale)
    {
        double sse = 0;
        for (int i = 0; i < rows; i++)
        {
            double e = v[i] - _batchReturns[r0 + i];
            sse += e * e;
            _outputGradient[r0 + i] = scale * e;
        }
        return sse;
    }

    private void FitChunk(int chunk)
    {
        var ws = _fitWorkspace!;
        int b = _fitBatch, size = RowChunks.ChunkRows(b);
        int r0 = chunk * size, rows = Math.Min(size, b - r0);
        Network.ForwardRows(_batchObservations, ws, r0, rows);
        ReadOnlySpan<double> v = ws.LayerOutputs[Network.Shape.LayerCount - 1].AsSpan(r0, rows);
        _chunkLoss[chunk] = ErrorsAndOutputGradient(v, r0, rows, 2.0 / b);
        Network.BackwardRows(_batchObservations, _outputGradient.AsSpan(0, b), ws, r0, rows, ws.PartialGradients[chunk], accumulate: false, default);
    }

    /// <summary>The chunk job of one minibatch step, allocated once.</summary>
    private sealed class FitJob(ValueFunction owner) : IChunkJob
    {
        public void Execute(int chunk) => owner.FitChunk(chunk);
    }

    /// <summary>Mean squared error of the predictions on <paramref name="n"/> samples (no update).</summary>
    public double Loss(ReadOnlySpan<double> observations, ReadOnlySpan<double> returns, int n)
    {
        ReadOnlySpan<double> v = Network.Forward(observations, n, _inference.For(n));
        double s = 0;
        for (int i = 0; i < n; i++)
        {
            double e = v[i] - returns[i];
            s += e * e;
        }
        return s / n;
    }
}
