using TrustRegion.Numerics;

namespace TrustRegion.Distributions;

/// <summary>
/// Diagonal Gaussian with state-dependent means (the network outputs) and state-independent learned log standard deviations
/// (Stable-Baselines3's <c>DiagGaussianDistribution</c>). A sample's description is its means followed by its log-stds.
/// Actions are unbounded: the caller clips them to the Box.
/// </summary>
/// <remarks>
/// With <c>σ = exp(s)</c>: <c>log π(a) = Σ −(a−μ)²/(2σ²) − s − ½ log 2π</c>; <c>H = Σ s + ½(1 + log 2π)</c>;
/// <c>KL(q ‖ p) = Σ s_p − s_q + (σ_q² + (μ_q − μ_p)²)/(2σ_p²) − ½</c> (e.g. Bishop, PRML, §1.6 and exercise 1.30);
/// Fisher metric <c>1/σ²</c> on each mean and <c>2</c> on each log-std, no cross terms.
/// </remarks>
public sealed class DiagonalGaussianHead : ActionHead
{
    /// <summary><c>½ log 2π</c>.</summary>
    public const double HalfLog2Pi = 0.91893853320467274178;

    private readonly int _dim;
    private readonly int[] _dims;

    /// <summary>Creates a head for <paramref name="actionDim"/> continuous actions.</summary>
    /// <param name="actionDim">Action dimension (≥ 1).</param>
    /// <param name="logStdInit">Initial log standard deviation (finite).</param>
    public DiagonalGaussianHead(int actionDim, double logStdInit = 0.0)
    {
        if (actionDim <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(actionDim), actionDim, $"actionDim is {actionDim}; it must be at least 1.");
        }
        if (!double.IsFinite(logStdInit))
        {
            throw new ArgumentOutOfRangeException(nameof(logStdInit), logStdInit, $"logStdInit is {logStdInit}; it must be finite.");
        }
        _dim = actionDim;
        _dims = [actionDim];
        LogStdInit = logStdInit;
    }

    /// <summary>Initial log standard deviation written by <see cref="InitializeParameters"/>.</summary>
    public double LogStdInit { get; }

    /// <inheritdoc/>
    public override HeadKind Kind => HeadKind.DiagonalGaussian;

    /// <inheritdoc/>
    public override int OutputSize => _dim;

    /// <inheritdoc/>
    public override int ParameterCount => _dim;

    /// <inheritdoc/>
    public override int ActionSize => _dim;

    /// <inheritdoc/>
    public override int DistributionSize => 2 * _dim;

    /// <inheritdoc/>
    public override IReadOnlyList<int> ActionDims => _dims;

    /// <inheritdoc/>
    public override void InitializeParameters(Span<double> parameters)
    {
        Require(parameters, _dim, nameof(parameters));
        parameters[.._dim].Fill(LogStdInit);
    }

    /// <inheritdoc/>
    public override void ComputeDistribution(ReadOnlySpan<double> outputs, ReadOnlySpan<double> features, ReadOnlySpan<double> parameters, int n, Span<double> distribution)
    {
        Require(outputs, (long)n * _dim, nameof(outputs));
        Require(parameters, _dim, nameof(parameters));
        Require(distribution, (long)n * 2 * _dim, nameof(distribution));
        for (int i = 0; i < n; i++)
        {
            outputs.Slice(i * _dim, _dim).CopyTo(distribution.Slice(2 * i * _dim, _dim));
            parameters[.._dim].CopyTo(distribution.Slice((2 * i * _dim) + _dim, _dim));
        }
    }

    /// <inheritdoc/>
    public override void Sample(ReadOnlySpan<double> distribution, int n, Rng rng, Span<double> actions)
    {
        ArgumentNullException.ThrowIfNull(rng);
        Require(distribution, (long)n * 2 * _dim, nameof(distribution));
        Require(actions, (long)n * _dim, nameof(actions));
        for (int i = 0; i < n; i++)
        {
            int o = 2 * i * _dim;
            for (int j = 0; j < _dim; j++)
            {
                actions[(i * _dim) + j] = distribution[o + j] + (Math.Exp(distribution[o + _dim + j]) * rng.NextGaussian());
            }
        }
    }

    /// <inheritdoc/>
    public override void Mode(ReadOnlySpan<double> distribution, int n, Span<double> actions)
    {
        Require(distribution, (long)n * 2 * _dim, nameof(distribution));
        Require(actions, (long)n * _dim, nameof(actions));
        for (int i = 0; i < n; i++)
        {
            distribution.Slice(2 * i * _dim, _dim).CopyTo(actions.Slice(i * _dim, _dim));
        }
    }

    /// <inheritdoc/>
    public override void LogProb(ReadOnlySpan<double> distribution, ReadOnlySpan<double> actions, int n, Span<double> logProbs)
    {
        Require(distribution, (long)n * 2 * _dim, nameof(distribution));
        Require(actions, (long)n * _dim, nameof(actions));
        Require(logProbs, n, nameof(logProbs));
        for (int i = 0; i < n; i++)
        {
            int o = 2 * i * _dim;
            double s = 0;
            for (int j = 0; j < _dim; j++)
            {
                double ls = distribution[o + _dim + j];
                double z = (actions[(i * _dim) + j] - distribution[o + j]) * Math.Exp(-ls);
                s += (-0.5 * z * z) - ls - HalfLog2Pi;
            }
            logProbs[i] = s;
        }
    }

    /// <inheritdoc/>
    public override void Entropy(ReadOnlySpan<double> distribution, int n, Span<double> entropy)
    {
        Require(distribution, (long)n * 2 * _dim, nameof(distribution));
        Require(entropy, n, nameof(entropy));
        for (int i = 0; i < n; i++)
        {
            int o = (2 * i * _dim) + _dim;
            double s = 0;
            for (int j = 0; j < _dim; j++)
            {
                s += 0.5 + HalfLog2Pi + distribution[o + j];
            }
            entropy[i] = s;
        }
    }

    /// <inheritdoc/>
    public override void Kl(ReadOnlySpan<double> oldDistribution, ReadOnlySpan<double> distribution, int n, Span<double> kl)
    {
        Require(oldDistribution, (long)n * 2 * _dim, nameof(oldDistribution));
        Require(distribution, (long)n * 2 * _dim, nameof(distribution));
        Require(kl, n, nameof(kl));
        for (int i = 0; i < n; i++)
        {
            int o = 2 * i * _dim;
            double s = 0;
            for (int j = 0; j < _dim; j++)
            {
                double dm = oldDistribution[o + j] - distribution[o + j];
                double lsq = oldDistribution[o + _dim + j], lsp = distribution[o + _dim + j];
                double ratio = Math.Exp(2 * (lsq - lsp)); // σ_q² / σ_p²
                s += lsp - lsq + (0.5 * (ratio + (dm * dm * Math.Exp(-2 * lsp)))) - 0.5;
            }
            kl[i] = s;
        }
    }

    /// <inheritdoc/>
    public override void LogProbBackward(ReadOnlySpan<double> distribution, ReadOnlySpan<double> actions, int n, ReadOnlySpan<double> weights, Span<double> outputGradient, Span<double> parameterGradient)
    {
        Require(distribution, (long)n * 2 * _dim, nameof(distribution));
        Require(actions, (long)n * _dim, nameof(actions));
        Require(weights, n, nameof(weights));
        Require(outputGradient, (long)n * _dim, nameof(outputGradient));
        Require(parameterGradient, _dim, nameof(parameterGradient));
        for (int i = 0; i < n; i++)
        {
            double w = weights[i];
            int o = 2 * i * _dim;
            for (int j = 0; j < _dim; j++)
            {
                double invSigma = Math.Exp(-distribution[o + _dim + j]);
                double z = (actions[(i * _dim) + j] - distribution[o + j]) * invSigma;
                outputGradient[(i * _dim) + j] += w * z * invSigma;
                parameterGradient[j] += w * ((z * z) - 1.0);
            }
        }
    }

    /// <inheritdoc/>
    public override void EntropyBackward(ReadOnlySpan<double> distribution, int n, double weight, Span<double> outputGradient, Span<double> parameterGradient)
    {
        Require(parameterGradient, _dim, nameof(parameterGradient));
        for (int j = 0; j < _dim; j++)
        {
            parameterGradient[j] += weight * n;
        }
    }

    /// <inheritdoc/>
    public override void KlBackward(ReadOnlySpan<double> oldDistribution, ReadOnlySpan<double> distribution, int n, double weight, Span<double> outputGradient, Span<double> parameterGradient)
    {
        Require(oldDistribution, (long)n * 2 * _dim, nameof(oldDistribution));
        Require(distribution, (long)n * 2 * _dim, nameof(distribution));
        Require(outputGradient, (long)n * _dim, nameof(outputGradient));
        Require(parameterGradient, _dim, nameof(parameterGradient));
        for (int i = 0; i < n; i++)
        {
            int o = 2 * i * _dim;
            for (int j = 0; j < _dim; j++)
            {
                double dm = distribution[o + j] - oldDistribution[o + j];
                double lsq = oldDistribution[o + _dim + j], lsp = distribution[o + _dim + j];
                double invVar = Math.Exp(-2 * lsp);
                outputGradient[(i * _dim) + j] += weight * dm * invVar;
                parameterGradient[j] += weight * (1.0 - ((Math.Exp(2 * lsq) + (dm * dm)) * invVar));
            }
        }
    }

    /// <inheritdoc/>
    public override void FisherProduct(ReadOnlySpan<double> distribution, int n, ReadOnlySpan<double> outputTangent, ReadOnlySpan<double> parameterTangent, double weight, Span<double> outputResult, Span<double> parameterResult)
    {
        Require(distribution, (long)n * 2 * _dim, nameof(distribution));
        Require(outputTangent, (long)n * _dim, nameof(outputTangent));
        Require(parameterTangent, _dim, nameof(parameterTangent));
        Require(outputResult, (long)n * _dim, nameof(outputResult));
        Require(parameterResult, _dim, nameof(parameterResult));
        for (int i = 0; i < n; i++)
        {
            int o = 2 * i * _dim;
            for (int j = 0; j < _dim; j++)
            {
                outputResult[(i * _dim) + j] = weight * outputTangent[(i * _dim) + j] * Math.Exp(-2 * distribution[o + _dim + j]);
            }
        }
        for (int j = 0; j < _dim; j++)
        {
            parameterResult[j] = weight * n * 2.0 * parameterTangent[j];
        }
    }

    /// <summary>The prepared metric of a sample is its inverse variances <c>exp(−2 log σ_j)</c>, one per action dimension.</summary>
    public override int FisherMetricSize => _dim;

    /// <inheritdoc/>
    public override void PrepareFisherMetric(ReadOnlySpan<double> distribution, int n, Span<double> metric)
    {
        Require(distribution, (long)n * 2 * _dim, nameof(distribution));
        Require(metric, (long)n * _dim, nameof(metric));
        for (int i = 0; i < n; i++)
        {
            int o = 2 * i * _dim;
            for (int j = 0; j < _dim; j++)
            {
                metric[(i * _dim) + j] = Math.Exp(-2 * distribution[o + _dim + j]);
            }
        }
    }

    /// <inheritdoc/>
    public override void FisherProductPrepared(ReadOnlySpan<double> metric, int n, ReadOnlySpan<double> outputTangent, ReadOnlySpan<double> parameterTangent, double weight, Span<double> outputResult, Span<double> parameterResult)
    {
        Require(metric, (long)n * _dim, nameof(metric));
        Require(outputTangent, (long)n * _dim, nameof(outputTangent));
        Require(parameterTangent, _dim, nameof(parameterTangent));
        Require(outputResult, (long)n * _dim, nameof(outputResult));
        Require(parameterResult, _dim, nameof(parameterResult));
        int len = n * _dim;
        for (int j = 0; j < len; j++)
        {
            outputResult[j] = weight * outputTangent[j] * metric[j];
        }
        for (int j = 0; j < _dim; j++)
        {
            parameterResult[j] = weight * n * 2.0 * parameterTangent[j];
        }
    }
}
