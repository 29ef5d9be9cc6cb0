using System.Numerics.Tensors;
using TrustRegion.Numerics;

namespace TrustRegion.Distributions;

/// <summary>
/// Generalized state-dependent exploration (gSDE; Raffin, Kober and Stulp 2021, "Smooth Exploration for Robotic Reinforcement
/// Learning"), as Stable-Baselines3's <c>StateDependentNoiseDistribution</c> with <c>full_std=True</c>, <c>use_expln=False</c> and
/// <c>learn_features=False</c>. The action is <c>a = μ(s) + z(s)·E</c>, where μ are the network outputs, z the policy's last
/// hidden features (the latent, length L) and E an <c>[L × d]</c> noise matrix with entries drawn from <c>N(0, σ_kj²)</c>,
/// <c>σ = exp(φ)</c> a learned <c>[L × d]</c> parameter (row-major, the head parameters).
/// </summary>
/// <remarks>
/// <para>Given s (and a fresh E), the action is a diagonal Gaussian with mean μ_j and variance
/// <c>v_j = Σ_k z_k² σ_kj² + ε</c>, ε = <see cref="VarianceEpsilon"/> (SB3's epsilon). As in SB3 the latent in the variance is
/// <em>detached</em>: every gradient (log-probability, entropy, KL) and the Fisher metric treat z as a constant, so they reach
/// the network only through μ and reach φ directly. Values (log-probability, KL in the line search) use the latent of the
/// parameters they are computed at.</para>
/// <para>With <c>ℓ_j = log v_j</c> and the share <c>w_kj = z_k² σ_kj² / v_j</c>: <c>∂ℓ_j/∂φ_kj = 2 w_kj</c>. The Gaussian formulas
/// in (μ, ℓ): <c>log π(a) = Σ −(a−μ)²/(2v) − ℓ/2 − ½ log 2π</c>; <c>H = Σ ℓ/2 + ½(1 + log 2π)</c>;
/// <c>KL(q ‖ p) = Σ (ℓ_p − ℓ_q)/2 + (v_q + (μ_q − μ_p)²)/(2 v_p) − ½</c>. The Hessian of <c>KL(q ‖ ·)</c> at q in (μ, ℓ) is
/// <c>diag(1/v)</c> on μ and <c>½</c> on each ℓ_j with no cross terms, so the metric on the head's inputs is
/// <c>1/v_j</c> on each output and, through <c>J = ∂ℓ/∂φ</c>, the block <c>M_φ = Σ_j 2 w_·j w_·jᵀ</c> on column j of φ (a rank-one
/// block per action dimension and sample). Outputs and φ do not couple: the exact Fisher-vector product is
/// <c>(1/N) Σ J_μᵀ diag(1/v) J_μ v_net + (1/N) Σ M_φ v_φ</c>.</para>
/// <para>A sample's description (<see cref="DistributionSize"/> = 2d + L + L·d doubles) is
/// <c>[μ (d) | ℓ (d) | z (L) | w (L × d, row-major)]</c>, so every method reads one row only.</para>
/// <para>Noise: <see cref="ResampleNoise"/> draws one matrix per environment copy; <see cref="Sample"/> gives row i the matrix of
/// copy <c>i % NoiseEnvCount</c>. The head keeps that state and scratch buffers: it is not thread-safe.</para>
/// </remarks>
public sealed class GsdeHead : ActionHead
{
    /// <summary>Added to every variance (Stable-Baselines3's <c>epsilon</c> = 1e-6), so a zero latent still gives a proper Gaussian.</summary>
    public const double VarianceEpsilon = 1e-6;

    private readonly int _dim;
    private readonly int _latent;
    private readonly int[] _dims;
    private readonly double[] _sigma; // scratch for σ = exp(φ) (ResampleNoise) and σ² = exp(2φ) (ComputeDistribution), [L × d]
    private readonly double[] _coefficient; // ∂f/∂ℓ_j of one row, [d]
    private double[] _noise = [];
    private int _noiseEnvs;

    /// <summary>Creates a head for <paramref name="actionDim"/> continuous actions driven by <paramref name="latentSize"/> features.</summary>
    /// <param name="actionDim">Action dimension d (≥ 1).</param>
    /// <param name="latentSize">Width L of the policy's last hidden layer (≥ 1).</param>
    /// <param name="logStdInit">Initial value of every entry of φ = log σ (finite; SB3's <c>log_std_init</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1 or logStdInit is not finite.</exception>
    public GsdeHead(int actionDim, int latentSize, double logStdInit = 0.0)
    {
        if (actionDim <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(actionDim), actionDim, $"actionDim is {actionDim}; it must be at least 1.");
        }
        if (latentSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(latentSize), latentSize, $"latentSize is {latentSize}; it must be at least 1.");
        }
        if (!double.IsFinite(logStdInit))
        {
            throw new ArgumentOutOfRangeException(nameof(logStdInit), logStdInit, $"logStdInit is {logStdInit}; it must be finite.");
        }
        _dim = actionDim;
        _latent = latentSize;
        _dims = [actionDim];
        _sigma = new double[latentSize * actionDim];
        _coefficient = new double[actionDim];
        LogStdInit = logStdInit;
    }

    /// <summary>Initial log standard deviation written by <see cref="InitializeParameters"/> into every entry of φ.</summary>
    public double LogStdInit { get; }

    /// <summary>Width L of the latent features (the policy's last hidden layer).</summary>
    public int LatentSize => _latent;

    /// <summary>Doubles in one noise matrix: <c>L × d</c>.</summary>
    public int NoiseMatrixSize => _latent * _dim;

    /// <summary>Number of noise matrices held (environment copies); 0 until <see cref="ResampleNoise"/> or <see cref="RestoreNoise"/>.</summary>
    public int NoiseEnvCount => _noiseEnvs;

    /// <summary>
    /// The noise matrices, <c>[NoiseEnvCount × L × d]</c> row-major (readable and writable in place): matrix e is the one
    /// environment copy e explores with. Save it with the parameters to resume a rollout exactly.
    /// </summary>
    public Span<double> Noise => _noise.AsSpan(0, _noiseEnvs * NoiseMatrixSize);

    /// <inheritdoc/>
    public override HeadKind Kind => HeadKind.Gsde;

    /// <inheritdoc/>
    public override int OutputSize => _dim;

    /// <summary>Entries of φ = log σ, <c>L × d</c>.</summary>
    public override int ParameterCount => _latent * _dim;

    /// <inheritdoc/>
    public override int ActionSize => _dim;

    /// <inheritdoc/>
    public override int DistributionSize => (2 * _dim) + _latent + (_latent * _dim);

    /// <inheritdoc/>
    public override IReadOnlyList<int> ActionDims => _dims;

    /// <inheritdoc/>
    public override void InitializeParameters(Span<double> parameters)
    {
        Require(parameters, ParameterCount, nameof(parameters));
        parameters[..ParameterCount].Fill(LogStdInit);
    }

    /// <summary>
    /// Draws a new noise matrix for each of <paramref name="numEnvs"/> environment copies: <c>E[e]_kj = σ_kj · g</c> with
    /// <c>σ = exp(parameters)</c> and g a standard normal from <paramref name="rng"/>, in the order e, k, j.
    /// </summary>
    /// <param name="parameters">The head parameters φ (length <see cref="ParameterCount"/>).</param>
    /// <param name="rng">Source of the noise.</param>
    /// <param name="numEnvs">Environment copies (≥ 1). Storage grows when this exceeds every earlier count, and is then reused.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numEnvs"/> is below 1.</exception>
    public void ResampleNoise(ReadOnlySpan<double> parameters, Rng rng, int numEnvs)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (numEnvs <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(numEnvs), numEnvs, $"numEnvs is {numEnvs}; it must be at least 1.");
        }
        Require(parameters, ParameterCount, nameof(parameters));
        EnsureNoiseCapacity(numEnvs);
        int m = NoiseMatrixSize;
        Span<double> sigma = _sigma;
        TensorPrimitives.Exp(parameters[..m], sigma);
        for (int e = 0; e < numEnvs; e++)
        {
            Span<double> matrix = _noise.AsSpan(e * m, m);
            rng.FillGaussian(matrix);
            TensorPrimitives.Multiply(matrix, sigma, matrix);
        }
        _noiseEnvs = numEnvs;
    }

    /// <summary>Replaces the noise matrices with saved ones (<see cref="Noise"/> of an earlier state); their count follows from the length.</summary>
    /// <param name="noise"><c>[numEnvs × L × d]</c>, numEnvs ≥ 1.</param>
    /// <exception cref="ArgumentException">The length is not a positive multiple of <see cref="NoiseMatrixSize"/>.</exception>
    public void RestoreNoise(ReadOnlySpan<double> noise)
    {
        int m = NoiseMatrixSize;
        if (noise.Length == 0 || noise.Length % m != 0)
        {
            throw new ArgumentException($"noise has length {noise.Length}; expected a positive multiple of L × d = {_latent} × {_dim} = {m}.", nameof(noise));
        }
        int numEnvs = noise.Length / m;
        EnsureNoiseCapacity(numEnvs);
        noise.CopyTo(_noise);
        _noiseEnvs = numEnvs;
    }

    /// <inheritdoc/>
    /// <remarks><paramref name="features"/> is required here: the latent z, <c>[n × LatentSize]</c>.</remarks>
    public override void ComputeDistribution(ReadOnlySpan<double> outputs, ReadOnlySpan<double> features, ReadOnlySpan<double> parameters, int n, Span<double> distribution)
    {
        int d = _dim, lat = _latent, size = DistributionSize;
        Require(outputs, (long)n * d, nameof(outputs));
        if (features.Length < (long)n * lat)
        {
            throw new ArgumentException($"features has length {features.Length}; a gSDE head needs the latent of every sample, at least {n} × {lat}.", nameof(features));
        }
        Require(parameters, ParameterCount, nameof(parameters));
        Require(distribution, (long)n * size, nameof(distribution));
        Span<double> sigmaSq = _sigma;
        TensorPrimitives.Multiply(parameters[..sigmaSq.Length], 2.0, sigmaSq);
        TensorPrimitives.Exp(sigmaSq, sigmaSq);
        for (int i = 0; i < n; i++)
        {
            Span<double> row = distribution.Slice(i * size, size);
            ReadOnlySpan<double> z = features.Slice(i * lat, lat);
            outputs.Slice(i * d, d).CopyTo(row);
            Span<double> logVar = row.Slice(d, d);
            Span<double> w = row.Slice((2 * d) + lat, lat * d);
            z.CopyTo(row.Slice(2 * d, lat));
            logVar.Fill(VarianceEpsilon); // accumulates v_j = ε + Σ_k z_k² σ_kj² first
            for (int k = 0; k < lat; k++)
            {
                double z2 = z[k] * z[k];
                for (int j = 0; j < d; j++)
                {
                    double t = z2 * sigmaSq[(k * d) + j];
                    w[(k * d) + j] = t;
                    logVar[j] += t;
                }
            }
            for (int j = 0; j < d; j++)
            {
                _coefficient[j] = 1.0 / logVar[j];
                logVar[j] = Math.Log(logVar[j]);
            }
            for (int k = 0; k < lat; k++)
            {
                for (int j = 0; j < d; j++)
                {
                    w[(k * d) + j] *= _coefficient[j];
                }
            }
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// <c>actions[i] = μ_i + z_i · E[i % NoiseEnvCount]</c>: the noise matrices replace <paramref name="rng"/>, which is not used.
    /// </remarks>
    /// <exception cref="InvalidOperationException">No noise matrix has been drawn yet.</exception>
    public override void Sample(ReadOnlySpan<double> distribution, int n, Rng rng, Span<double> actions)
    {
        int d = _dim, lat = _latent, size = DistributionSize, m = NoiseMatrixSize;
        Require(distribution, (long)n * size, nameof(distribution));
        Require(actions, (long)n * d, nameof(actions));
        if (_noiseEnvs == 0)
        {
            throw new InvalidOperationException("A gSDE head samples with its noise matrices; call ResampleNoise (Policy.ResampleNoise) or RestoreNoise first.");
        }
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<double> row = distribution.Slice(i * size, size);
            ReadOnlySpan<double> z = row.Slice(2 * d, lat);
            ReadOnlySpan<double> e = _noise.AsSpan((i % _noiseEnvs) * m, m);
            Span<double> a = actions.Slice(i * d, d);
            row[..d].CopyTo(a);
            for (int k = 0; k < lat; k++)
            {
                double zk = z[k];
                for (int j = 0; j < d; j++)
                {
                    a[j] += zk * e[(k * d) + j];
                }
            }
        }
    }

    /// <inheritdoc/>
    public override void Mode(ReadOnlySpan<double> distribution, int n, Span<double> actions)
    {
        int size = DistributionSize;
        Require(distribution, (long)n * size, nameof(distribution));
        Require(actions, (long)n * _dim, nameof(actions));
        for (int i = 0; i < n; i++)
        {
            distribution.Slice(i * size, _dim).CopyTo(actions.Slice(i * _dim, _dim));
        }
    }

    /// <inheritdoc/>
    public override void LogProb(ReadOnlySpan<double> distribution, ReadOnlySpan<double> actions, int n, Span<double> logProbs)
    {
        int d = _dim, size = DistributionSize;
        Require(distribution, (long)n * size, nameof(distribution));
        Require(actions, (long)n * d, nameof(actions));
        Require(logProbs, n, nameof(logProbs));
        for (int i = 0; i < n; i++)
        {
            int o = i * size;
            double s = 0;
            for (int j = 0; j < d; j++)
            {
                double lv = distribution[o + d + j];
                double dev = actions[(i * d) + j] - distribution[o + j];
                s += (-0.5 * dev * dev * Math.Exp(-lv)) - (0.5 * lv) - DiagonalGaussianHead.HalfLog2Pi;
            }
            logProbs[i] = s;
        }
    }

    /// <inheritdoc/>
    public override void Entropy(ReadOnlySpan<double> distribution, int n, Span<double> entropy)
    {
        int d = _dim, size = DistributionSize;
        Require(distribution, (long)n * size, nameof(distribution));
        Require(entropy, n, nameof(entropy));
        for (int i = 0; i < n; i++)
        {
            int o = (i * size) + d;
            double s = 0;
            for (int j = 0; j < d; j++)
            {
                s += 0.5 + DiagonalGaussianHead.HalfLog2Pi + (0.5 * distribution[o + j]);
            }
            entropy[i] = s;
        }
    }

    /// <inheritdoc/>
    public override void Kl(ReadOnlySpan<double> oldDistribution, ReadOnlySpan<double> distribution, int n, Span<double> kl)
    {
        int d = _dim, size = DistributionSize;
        Require(oldDistribution, (long)n * size, nameof(oldDistribution));
        Require(distribution, (long)n * size, nameof(distribution));
        Require(kl, n, nameof(kl));
        for (int i = 0; i < n; i++)
        {
            int o = i * size;
            double s = 0;
            for (int j = 0; j < d; j++)
            {
                double dm = oldDistribution[o + j] - distribution[o + j];
                double lq = oldDistribution[o + d + j], lp = distribution[o + d + j];
                // (ℓ_p − ℓ_q)/2 + (v_q/v_p + (μ_q − μ_p)²/v_p)/2 − ½; v_q/v_p = exp(ℓ_q − ℓ_p) is exactly 1 when q = p.
                s += (0.5 * (lp - lq)) + (0.5 * (Math.Exp(lq - lp) + (dm * dm * Math.Exp(-lp)))) - 0.5;
            }
            kl[i] = s;
        }
    }

    /// <inheritdoc/>
    public override void LogProbBackward(ReadOnlySpan<double> distribution, ReadOnlySpan<double> actions, int n, ReadOnlySpan<double> weights, Span<double> outputGradient, Span<double> parameterGradient)
    {
        int d = _dim, size = DistributionSize;
        Require(distribution, (long)n * size, nameof(distribution));
        Require(actions, (long)n * d, nameof(actions));
        Require(weights, n, nameof(weights));
        Require(outputGradient, (long)n * d, nameof(outputGradient));
        Require(parameterGradient, ParameterCount, nameof(parameterGradient));
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<double> row = distribution.Slice(i * size, size);
            double wi = weights[i];
            for (int j = 0; j < d; j++)
            {
                double invVar = Math.Exp(-row[d + j]);
                double dev = actions[(i * d) + j] - row[j];
                outputGradient[(i * d) + j] += wi * dev * invVar; // ∂log π/∂μ = (a − μ)/v
                _coefficient[j] = wi * 0.5 * ((dev * dev * invVar) - 1.0); // ∂log π/∂ℓ = ((a − μ)²/v − 1)/2
            }
            AccumulateThroughVariance(row, _coefficient, parameterGradient);
        }
    }

    /// <inheritdoc/>
    public override void EntropyBackward(ReadOnlySpan<double> distribution, int n, double weight, Span<double> outputGradient, Span<double> parameterGradient)
    {
        int size = DistributionSize;
        Require(distribution, (long)n * size, nameof(distribution));
        Require(parameterGradient, ParameterCount, nameof(parameterGradient));
        _coefficient.AsSpan().Fill(0.5 * weight); // ∂H/∂ℓ_j = ½
        for (int i = 0; i < n; i++)
        {
            AccumulateThroughVariance(distribution.Slice(i * size, size), _coefficient, parameterGradient);
        }
    }

    /// <inheritdoc/>
    public override void KlBackward(ReadOnlySpan<double> oldDistribution, ReadOnlySpan<double> distribution, int n, double weight, Span<double> outputGradient, Span<double> parameterGradient)
    {
        int d = _dim, size = DistributionSize;
        Require(oldDistribution, (long)n * size, nameof(oldDistribution));
        Require(distribution, (long)n * size, nameof(distribution));
        Require(outputGradient, (long)n * d, nameof(outputGradient));
        Require(parameterGradient, ParameterCount, nameof(parameterGradient));
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<double> q = oldDistribution.Slice(i * size, size);
            ReadOnlySpan<double> row = distribution.Slice(i * size, size);
            for (int j = 0; j < d; j++)
            {
                double dm = row[j] - q[j];
                double invVar = Math.Exp(-row[d + j]);
                outputGradient[(i * d) + j] += weight * dm * invVar; // ∂KL/∂μ_p = (μ_p − μ_q)/v_p
                _coefficient[j] = weight * 0.5 * (1.0 - ((Math.Exp(q[d + j]) + (dm * dm)) * invVar)); // ∂KL/∂ℓ_p = (1 − (v_q + Δμ²)/v_p)/2
            }
            AccumulateThroughVariance(row, _coefficient, parameterGradient);
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Outputs: <c>weight · δμ_j / v_j</c>. Parameters: <c>weight · Σ_i 2 w_kj Σ_k' w_k'j δφ_k'j</c> (the metric ½ on ℓ pulled back
    /// through <c>∂ℓ_j/∂φ_kj = 2 w_kj</c>). The latent is treated as a constant, so nothing flows to the network through it.
    /// </remarks>
    public override void FisherProduct(ReadOnlySpan<double> distribution, int n, ReadOnlySpan<double> outputTangent, ReadOnlySpan<double> parameterTangent, double weight, Span<double> outputResult, Span<double> parameterResult)
    {
        int d = _dim, lat = _latent, size = DistributionSize, p = ParameterCount;
        Require(distribution, (long)n * size, nameof(distribution));
        Require(outputTangent, (long)n * d, nameof(outputTangent));
        Require(parameterTangent, p, nameof(parameterTangent));
        Require(outputResult, (long)n * d, nameof(outputResult));
        Require(parameterResult, p, nameof(parameterResult));
        parameterResult[..p].Clear();
        // The updater calls this concurrently for disjoint row chunks (each with its own parameterResult), so the per-row
        // coefficient lives on this call's stack, never in the shared _coefficient scratch.
        Span<double> coefficient = d <= 256 ? stackalloc double[d] : new double[d];
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<double> row = distribution.Slice(i * size, size);
            ReadOnlySpan<double> w = row.Slice((2 * d) + lat, lat * d);
            for (int j = 0; j < d; j++)
            {
                outputResult[(i * d) + j] = weight * outputTangent[(i * d) + j] * Math.Exp(-row[d + j]);
                coefficient[j] = 0;
            }
            for (int k = 0; k < lat; k++)
            {
                for (int j = 0; j < d; j++)
                {
                    coefficient[j] += w[(k * d) + j] * parameterTangent[(k * d) + j]; // δℓ_j / 2
                }
            }
            for (int j = 0; j < d; j++)
            {
                coefficient[j] *= weight; // (weight · ½ · δℓ_j) is the metric's output; 2 w_kj pulls it back below
            }
            AccumulateThroughVariance(row, coefficient, parameterResult);
        }
    }

    /// <summary>
    /// <c>parameterGradient[k, j] += 2 w_kj · c_j</c> with c = ∂f/∂ℓ of one row: the chain rule through
    /// <c>ℓ_j = log(Σ_k z_k² exp(2φ_kj) + ε)</c> with z held constant.
    /// </summary>
    private void AccumulateThroughVariance(ReadOnlySpan<double> row, ReadOnlySpan<double> c, Span<double> parameterGradient)
    {
        int d = _dim, lat = _latent;
        ReadOnlySpan<double> w = row.Slice((2 * d) + lat, lat * d);
        for (int k = 0; k < lat; k++)
        {
            for (int j = 0; j < d; j++)
            {
                parameterGradient[(k * d) + j] += 2.0 * w[(k * d) + j] * c[j];
            }
        }
    }

    private void EnsureNoiseCapacity(int numEnvs)
    {
        long needed = (long)numEnvs * NoiseMatrixSize;
        if (needed > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(numEnvs), numEnvs, $"numEnvs is {numEnvs}; {numEnvs} noise matrices of {NoiseMatrixSize} doubles exceed the largest array.");
        }
        if (_noise.Length < needed)
        {
            _noise = new double[needed];
        }
    }
}
