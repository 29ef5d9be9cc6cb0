using System.Numerics.Tensors;
using TrustRegion.Distributions;
using TrustRegion.Networks;
using TrustRegion.Numerics;

namespace TrustRegion.Trpo;

/// <summary>
/// One TRPO policy step on a batch (Schulman et al., 2015, with the practical algorithm of their appendix C).
/// </summary>
/// <remarks>
/// <para>Names follow the paper: θ parameters, <c>L(θ) = mean(ratio · A) (+ c · mean entropy)</c> the surrogate with
/// <c>ratio = π_θ(a|s) / π_old(a|s)</c>, g its gradient at θ_old, F the Fisher matrix (the Hessian of the mean KL(old ‖ θ) at θ_old).</para>
/// <list type="number">
/// <item>Forward pass at θ_old; old distributions, log-probabilities; (normalised) advantages; L and g by one backward pass.</item>
/// <item>Conjugate gradient for <c>(F + damping·I) s = g</c>, where each product is <c>(1/N) Σ Jᵀ M J v + damping·v</c>: one
/// forward-tangent pass (J v) at the saved activations, the output-space Fisher metric M of the head, one backward pass. No
/// second derivatives and no matrix; positive semi-definite by construction.</item>
/// <item>Maximal step <c>Δθ = √(2δ / sᵀFs) · s</c> with <c>sᵀFs = sᵀ(g − r)</c> from CG's final residual r.</item>
/// <item>Backtracking: <c>θ = θ_old + βʲ Δθ</c>, j = 0, 1, …; keep the first step with mean KL(old ‖ θ) ≤ δ and L improved. If none
/// qualifies, θ_old is restored bit for bit and the outcome names the failed condition.</item>
/// </list>
/// <para>The line search measures KL(old ‖ new), the trust region of the TRPO paper. sb3-contrib measures KL(new ‖ old)
/// (<c>kl_divergence(distribution, old_distribution)</c>); both directions have the Fisher matrix as their Hessian at θ_old, so
/// steps 2 and 3 do not depend on it; they differ at third order, which can change which backtracking step is accepted. Measured
/// over seeds, the choice is within seed noise (docs/learning-parity.md).</para>
/// <para>The old log-probabilities are recomputed at θ_old (they equal those stored at collection, since the policy has not changed).
/// Buffers are allocated in the constructor for up to <c>maxBatch</c> samples; <see cref="Update"/> allocates nothing.</para>
/// </remarks>
public sealed class TrpoUpdater
{
    private readonly Policy _policy;
    private readonly int _maxBatch;
    private readonly int _netCount;
    private readonly int _klDims; // d with KlPerActionDimension on a Gaussian or gSDE head, else 1
    private readonly MlpWorkspace _workspace;
    private readonly MlpWorkspace _fisherWorkspace;
    private readonly double[] _oldDist, _newDist, _fisherDist;
    private readonly double[] _oldLogProb, _logProb, _advantages, _weights, _scratch;
    private readonly double[] _outputGradient, _fisherOutput;
    private readonly double[] _fisherObservations;
    private readonly double[] _fisherMetric; // the head's prepared metric of the Fisher batch at θ_old (fixed across the CG iterations)
    private readonly double[] _observations; // copy of the batch's observations, the input of every Fisher-vector product
    private readonly double[] _thetaOld, _g, _step, _residual, _direction, _product;
    private readonly FisherOperator _fisher;
    private readonly FisherJob _fisherJob;
    private readonly double[][] _headPartials; // one head-parameter Fisher product per row chunk
    private ReadOnlySpan<double> FisherDist => _fisherDist.AsSpan(0, _fisherCount * _policy.Head.DistributionSize);
    private ReadOnlySpan<double> FisherObs => _fisherObservations.AsSpan(0, _fisherCount * _policy.ObservationSize);
    private int _fisherCount;
    private bool _fisherUsesMain;
    private int _n;

    /// <summary>Creates an updater for <paramref name="policy"/> and batches of up to <paramref name="maxBatch"/> samples.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (named in the message), or maxBatch ≤ 0.</exception>
    public TrpoUpdater(Policy policy, int maxBatch, TrpoOptions options)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBatch);
        options.Validate();
        _policy = policy;
        _maxBatch = maxBatch;
        Options = options;
        _klDims = options.KlPerActionDimension && policy.Head.Kind is HeadKind.DiagonalGaussian or HeadKind.Gsde ? policy.ActionSize : 1;
        _netCount = policy.Network.ParameterCount;
        int p = policy.ParameterCount, d = policy.Head.DistributionSize, o = policy.Head.OutputSize;
        int fisherMax = ((maxBatch - 1) / options.FisherSubsampling) + 1;
        _workspace = policy.Network.CreateWorkspace(maxBatch);
        _fisherWorkspace = options.FisherSubsampling > 1 ? policy.Network.CreateWorkspace(fisherMax) : _workspace;
        _oldDist = new double[maxBatch * d];
        _newDist = new double[maxBatch * d];
        _fisherDist = options.FisherSubsampling > 1 ? new double[fisherMax * d] : _oldDist;
        _fisherMetric = new double[fisherMax * policy.Head.FisherMetricSize];
        _fisherObservations = options.FisherSubsampling > 1 ? new double[fisherMax * policy.ObservationSize] : [];
        _observations = new double[maxBatch * policy.ObservationSize];
        _oldLogProb = new double[maxBatch];
        _logProb = new double[maxBatch];
        _advantages = new double[maxBatch];
        _weights = new double[maxBatch];
        _scratch = new double[maxBatch];
        _outputGradient = new double[maxBatch * o];
        _fisherOutput = new double[maxBatch * o];
        _thetaOld = new double[p];
        _g = new double[p];
        _step = new double[p];
        _residual = new double[p];
        _direction = new double[p];
        _product = new double[p];
        _fisher = new FisherOperator(this);
        _fisherJob = new FisherJob(this);
        _headPartials = new double[RowChunks.Count(fisherMax)][];
        for (int c = 0; c < _headPartials.Length; c++)
        {
            _headPartials[c] = new double[policy.Head.ParameterCount];
        }
    }

    /// <summary>The step's constants.</summary>
    public TrpoOptions Options { get; }

    /// <summary>
    /// Threads that run the row chunks of the network passes (default <see cref="ComputePool.Shared"/>). The batch is split by its
    /// size alone and partial sums are reduced in a fixed order, so every result is bit-identical for any pool.
    /// </summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public ComputePool Workers
    {
        get => _workspace.Workers;
        set
        {
            _workspace.Workers = value;
            _fisherWorkspace.Workers = value;
        }
    }

    /// <summary>The policy this updater changes.</summary>
    public Policy Policy => _policy;

    /// <summary>
    /// Performs one policy step on a batch and returns what happened. The policy's parameters are changed in place (or restored
    /// exactly when the line search keeps no step).
    /// </summary>
    /// <param name="observations"><c>[n × ObservationSize]</c>.</param>
    /// <param name="actions"><c>[n × ActionSize]</c>, as sampled (unclipped).</param>
    /// <param name="advantages">Advantage estimates, length n (not modified; normalised internally when the option is on).</param>
    /// <param name="n">Batch size (1 … maxBatch).</param>
    /// <exception cref="TrainingDivergedException">The surrogate, the gradient, the curvature sᵀFs or every tried step's KL is not finite.</exception>
    public TrpoDiagnostics Update(ReadOnlySpan<double> observations, ReadOnlySpan<double> actions, ReadOnlySpan<double> advantages, int n)
    {
        double lOld = Prepare(observations, actions, advantages, n);
        double entropy = _meanEntropy;
        Span<double> theta = _policy.Parameters;
        double gNorm = TensorPrimitives.Norm(_g);
        if (!double.IsFinite(gNorm))
        {
            throw new TrainingDivergedException("surrogate gradient norm", gNorm);
        }
        if (gNorm == 0)
        {
            return new TrpoDiagnostics(lOld, lOld, 0, 0, 0, 0, 0, LineSearchOutcome.ZeroGradient, 0, 0, 0, entropy, _policy.MeanStd);
        }
        PrepareFisher();
        CgResult cg = ConjugateGradient.Solve(_fisher, _g, _step, _residual, _direction, _product, Options.CgIterations, Options.CgResidualTolerance);
        // sᵀFs = sᵀ(g − r): the residual r = g − F s is already at hand, which saves one Fisher-vector product.
        TensorPrimitives.Subtract(_g, _residual, _product);
        double sFs = TensorPrimitives.Dot(_step, _product);
        if (!double.IsFinite(sFs) || !(sFs > 0))
        {
            throw new TrainingDivergedException("curvature sᵀFs of the CG step", sFs);
        }
        double maxKl = Options.MaxKl * _klDims; // the radius for the whole-action KL (KlPerActionDimension)
        double beta = Math.Sqrt(2.0 * maxKl / sFs);
        TensorPrimitives.Multiply(_step, beta, _step); // Δθ, the maximal step
        double expectedFull = TensorPrimitives.Dot(_g, _step);

        _thetaOld.CopyTo(theta);
        double fraction = 1.0, kl = double.NaN, lNew = lOld;
        bool anyFinite = false;
        LineSearchOutcome outcome = LineSearchOutcome.KlExceeded;
        int tried = 0;
        for (int j = 0; j < Options.LineSearchSteps; j++, fraction *= Options.LineSearchBacktrack)
        {
            tried++;
            TensorPrimitives.MultiplyAdd(_step, fraction, _thetaOld, theta);
            (lNew, kl) = SurrogateAndKl(observations, actions);
            bool finite = double.IsFinite(lNew) && double.IsFinite(kl);
            anyFinite |= finite;
            bool klOk = finite && kl <= maxKl;
            bool improved = finite && lNew > lOld;
            if (klOk && improved)
            {
                return new TrpoDiagnostics(lOld, lNew, fraction * expectedFull, lNew - lOld, kl / _klDims, tried, fraction, LineSearchOutcome.Accepted,
                    cg.Iterations, cg.ResidualNorm, gNorm, entropy, _policy.MeanStd);
            }
            outcome = klOk ? LineSearchOutcome.NoImprovement : improved ? LineSearchOutcome.KlExceeded : LineSearchOutcome.KlExceededAndNoImprovement;
        }
        _thetaOld.CopyTo(theta);
        if (!anyFinite)
        {
            throw new TrainingDivergedException("KL of every line-search step", kl);
        }
        return new TrpoDiagnostics(lOld, lOld, expectedFull, 0, kl / _klDims, tried, 0, outcome, cg.Iterations, cg.ResidualNorm, gNorm, entropy, _policy.MeanStd);
    }

    private double _meanEntropy;

    /// <summary>
    /// Step 1: forward at θ_old (saved in the workspace), old distributions and log-probabilities, advantages, surrogate and its
    /// gradient g. Returns L(θ_old). Saves θ_old.
    /// </summary>
    internal double Prepare(ReadOnlySpan<double> observations, ReadOnlySpan<double> actions, ReadOnlySpan<double> advantages, int n)
    {
        if (n <= 0 || n > _maxBatch)
        {
            throw new ArgumentOutOfRangeException(nameof(n), n, $"n is {n}; this updater takes batches of 1 to {_maxBatch}.");
        }
        if (observations.Length < n * _policy.ObservationSize)
        {
            throw new ArgumentException($"observations has length {observations.Length}; expected {n} × {_policy.ObservationSize}.", nameof(observations));
        }
        if (actions.Length < n * _policy.ActionSize)
        {
            throw new ArgumentException($"actions has length {actions.Length}; expected {n} × {_policy.ActionSize}.", nameof(actions));
        }
        if (advantages.Length < n)
        {
            throw new ArgumentException($"advantages has length {advantages.Length}; expected at least {n}.", nameof(advantages));
        }
        _n = n;
        _policy.Parameters.CopyTo(_thetaOld);
        observations[..(n * _policy.ObservationSize)].CopyTo(_observations);
        var head = _policy.Head;
        int d = head.DistributionSize;
        Span<double> oldDist = _oldDist.AsSpan(0, n * d);
        _policy.ComputeDistribution(observations, n, _workspace, oldDist);
        head.LogProb(oldDist, actions, n, _oldLogProb);
        head.Entropy(oldDist, n, _scratch);
        _meanEntropy = TensorPrimitives.Sum(_scratch.AsSpan(0, n)) / n;
        if (!double.IsFinite(_meanEntropy))
        {
            throw new TrainingDivergedException("entropy", _meanEntropy);
        }

        Span<double> adv = _advantages.AsSpan(0, n);
        advantages[..n].CopyTo(adv);
        if (Options.NormalizeAdvantage)
        {
            double mean = TensorPrimitives.Sum(adv) / n;
            double ss = 0;
            foreach (double a in adv)
            {
                ss += (a - mean) * (a - mean);
            }
            double std = n > 1 ? Math.Sqrt(ss / (n - 1)) : 0.0; // sample std, as torch.Tensor.std in SB3
            TensorPrimitives.Subtract(adv, mean, adv);
            TensorPrimitives.Multiply(adv, 1.0 / (std + 1e-8), adv);
        }
        double l = TensorPrimitives.Sum(adv) / n + (Options.EntropyCoefficient * _meanEntropy);
        if (!double.IsFinite(l))
        {
            throw new TrainingDivergedException("surrogate", l);
        }
        // At θ_old the ratio is 1: ∂L/∂log π_i = A_i / n.
        TensorPrimitives.Multiply(adv, 1.0 / n, _weights.AsSpan(0, n));
        SurrogateGradient(observations, actions, oldDist, _g);
        return l;
    }

    /// <summary>
    /// Gradient of the surrogate with per-sample weights <c>∂L/∂log π_i</c> already in <c>_weights</c>, at the workspace's
    /// forward pass with distributions <paramref name="dist"/>.
    /// </summary>
    private void SurrogateGradient(ReadOnlySpan<double> observations, ReadOnlySpan<double> actions, ReadOnlySpan<double> dist, Span<double> gradient)
    {
        int n = _n;
        var head = _policy.Head;
        Span<double> outGrad = _outputGradient.AsSpan(0, n * head.OutputSize);
        outGrad.Clear();
        Span<double> headGrad = gradient[_netCount..];
        headGrad.Clear();
        head.LogProbBackward(dist, actions, n, _weights, outGrad, headGrad);
        if (Options.EntropyCoefficient > 0)
        {
            head.EntropyBackward(dist, n, Options.EntropyCoefficient / n, outGrad, headGrad);
        }
        _policy.Network.Backward(observations, outGrad, _workspace, gradient[.._netCount], accumulate: false);
    }

    /// <summary>Sets up the Fisher-vector product's batch: the full batch, or every k-th sample with its own forward pass.</summary>
    internal void PrepareFisher()
    {
        ReadOnlySpan<double> observations = _observations;
        int k = Options.FisherSubsampling;
        int obs = _policy.ObservationSize, d = _policy.Head.DistributionSize;
        if (k == 1)
        {
            _fisherCount = _n;
            _fisherUsesMain = true;
            PrepareFisherMetric();
            return;
        }
        _fisherUsesMain = false;
        _fisherCount = ((_n - 1) / k) + 1;
        for (int i = 0; i < _fisherCount; i++)
        {
            observations.Slice(i * k * obs, obs).CopyTo(_fisherObservations.AsSpan(i * obs, obs));
        }
        // The parameters are θ_old here, so this forward pass reproduces the old distributions of the chosen rows.
        _policy.ComputeDistribution(FisherObs, _fisherCount, _fisherWorkspace, _fisherDist.AsSpan(0, _fisherCount * d));
        PrepareFisherMetric();
    }

    /// <summary>The head's metric data of the Fisher batch, once per update: M is fixed at θ_old across the CG iterations.</summary>
    private void PrepareFisherMetric()
    {
        var head = _policy.Head;
        head.PrepareFisherMetric(FisherBatchDistributions, _fisherCount, _fisherMetric.AsSpan(0, _fisherCount * head.FisherMetricSize));
    }

    /// <summary>
    /// <c>result = (1/m) Σ Jᵀ M J v + damping · v</c> over the Fisher batch of m samples, at θ_old. The saved forward pass at θ_old
    /// serves every product, so each is one tangent pass, the head's metric and one backward pass, with no primal re-forward.
    /// Split into row chunks (fixed by m), each chunk runs all three steps on its rows into its own partial product; the
    /// partials are summed in chunk order.
    /// </summary>
    internal unsafe void FisherVectorProduct(ReadOnlySpan<double> v, Span<double> result)
    {
        int m = _fisherCount;
        var head = _policy.Head;
        var net = _policy.Network;
        ReadOnlySpan<double> obs = FisherBatchObservations;
        ReadOnlySpan<double> metric = _fisherMetric.AsSpan(0, m * head.FisherMetricSize);
        int chunks = RowChunks.Count(m);
        if (chunks == 1)
        {
            ReadOnlySpan<double> jv = net.ForwardTangent(obs, v[.._netCount], _fisherWorkspace);
            Span<double> mjv = _fisherOutput.AsSpan(0, m * head.OutputSize);
            head.FisherProductPrepared(metric, m, jv, v[_netCount..], 1.0 / m, mjv, result[_netCount..]);
            net.Backward(obs, mjv, _fisherWorkspace, result[.._netCount], accumulate: false);
        }
        else
        {
            net.PrepareRows(_fisherWorkspace, transposeWeights: true, firstLayer: false, v[.._netCount]);
            fixed (double* pv = v)
            {
                _fisherJob.Set(pv, v.Length);
                _fisherWorkspace.Workers.Run(_fisherJob, chunks);
            }
            net.ReducePartialGradients(_fisherWorkspace, chunks, result[.._netCount], accumulate: false);
            Span<double> headResult = result[_netCount..];
            if (!headResult.IsEmpty)
            {
                _headPartials[0].CopyTo(headResult);
                for (int c = 1; c < chunks; c++)
                {
                    TensorPrimitives.Add(headResult, _headPartials[c], headResult);
                }
            }
        }
        if (Options.CgDamping != 0)
        {
            TensorPrimitives.MultiplyAdd(v, Options.CgDamping * _klDims, result, result);
        }
    }

    private ReadOnlySpan<double> FisherBatchObservations => _fisherUsesMain ? _observations.AsSpan(0, _fisherCount * _policy.ObservationSize) : FisherObs;

    private ReadOnlySpan<double> FisherBatchDistributions => _fisherUsesMain ? _oldDist.AsSpan(0, _fisherCount * _policy.Head.DistributionSize) : FisherDist;

    /// <summary>Chunk c of a Fisher-vector product: tangent pass, output-space metric and backward pass of its rows.</summary>
    private void FisherChunk(int chunk, ReadOnlySpan<double> v)
    {
        int m = _fisherCount;
        int size = RowChunks.ChunkRows(m);
        int r0 = chunk * size, rows = Math.Min(size, m - r0);
        var head = _policy.Head;
        var net = _policy.Network;
        int o = head.OutputSize, d = head.FisherMetricSize;
        ReadOnlySpan<double> obs = FisherBatchObservations;
        net.ForwardTangentRows(obs, v[.._netCount], _fisherWorkspace, r0, rows);
        ReadOnlySpan<double> jv = _fisherWorkspace.TangentOutput.AsSpan(r0 * o, rows * o);
        head.FisherProductPrepared(_fisherMetric.AsSpan(r0 * d, rows * d), rows, jv, v[_netCount..], 1.0 / m, _fisherOutput.AsSpan(r0 * o, rows * o), _headPartials[chunk]);
        net.BackwardRows(obs, _fisherOutput.AsSpan(0, m * o), _fisherWorkspace, r0, rows, _fisherWorkspace.PartialGradients[chunk], accumulate: false, default);
    }

    /// <summary>The chunk job of <see cref="FisherVectorProduct"/>, allocated once.</summary>
    private sealed unsafe class FisherJob(TrpoUpdater owner) : IChunkJob
    {
        private double* _v;
        private int _length;

        public void Set(double* v, int length)
        {
            _v = v;
            _length = length;
        }

        public void Execute(int chunk) => owner.FisherChunk(chunk, new ReadOnlySpan<double>(_v, _length));
    }

    /// <summary>
    /// Surrogate and mean KL(old ‖ current), the line search's constraint, at the policy's current parameters (one forward pass;
    /// overwrites the workspace).
    /// </summary>
    internal (double Surrogate, double Kl) SurrogateAndKl(ReadOnlySpan<double> observations, ReadOnlySpan<double> actions)
    {
        int n = _n;
        var head = _policy.Head;
        Span<double> dist = _newDist.AsSpan(0, n * head.DistributionSize);
        _policy.ComputeDistribution(observations, n, _workspace, dist);
        Span<double> logp = _logProb.AsSpan(0, n);
        head.LogProb(dist, actions, n, logp);
        double l = 0;
        for (int i = 0; i < n; i++)
        {
            l += Math.Exp(logp[i] - _oldLogProb[i]) * _advantages[i];
        }
        l /= n;
        if (Options.EntropyCoefficient > 0)
        {
            head.Entropy(dist, n, _scratch);
            l += Options.EntropyCoefficient * TensorPrimitives.Sum(_scratch.AsSpan(0, n)) / n;
        }
        head.Kl(_oldDist.AsSpan(0, n * head.DistributionSize), dist, n, _scratch);
        return (l, TensorPrimitives.Sum(_scratch.AsSpan(0, n)) / n);
    }

    /// <summary>Gradient of the surrogate at the current parameters (general ratio); for verification. Returns L.</summary>
    internal double SurrogateGradientAtCurrent(ReadOnlySpan<double> observations, ReadOnlySpan<double> actions, Span<double> gradient)
    {
        int n = _n;
        var head = _policy.Head;
        (double l, _) = SurrogateAndKl(observations, actions); // leaves the forward pass and _newDist at the current θ
        for (int i = 0; i < n; i++)
        {
            _weights[i] = Math.Exp(_logProb[i] - _oldLogProb[i]) * _advantages[i] / n;
        }
        SurrogateGradient(observations, actions, _newDist.AsSpan(0, n * head.DistributionSize), gradient);
        return l;
    }

    /// <summary>Mean KL(old ‖ current) and its gradient at the current parameters; for verification.</summary>
    internal double KlGradientAtCurrent(ReadOnlySpan<double> observations, ReadOnlySpan<double> actions, Span<double> gradient)
    {
        int n = _n;
        var head = _policy.Head;
        (_, double kl) = SurrogateAndKl(observations, actions);
        Span<double> outGrad = _outputGradient.AsSpan(0, n * head.OutputSize);
        outGrad.Clear();
        Span<double> headGrad = gradient[_netCount..];
        headGrad.Clear();
        head.KlBackward(_oldDist.AsSpan(0, n * head.DistributionSize), _newDist.AsSpan(0, n * head.DistributionSize), n, 1.0 / n, outGrad, headGrad);
        _policy.Network.Backward(observations, outGrad, _workspace, gradient[.._netCount], accumulate: false);
        return kl;
    }

    /// <summary>The surrogate gradient g computed by the last <see cref="Prepare"/>.</summary>
    internal ReadOnlySpan<double> Gradient => _g;

    /// <summary>Binds the Fisher-vector product to the current batch for <see cref="ConjugateGradient"/>.</summary>
    private sealed class FisherOperator(TrpoUpdater owner) : ILinearOperator
    {
        private readonly TrpoUpdater _owner = owner;

        public void Apply(ReadOnlySpan<double> x, Span<double> destination) => _owner.FisherVectorProduct(x, destination);
    }
}
