using TrustRegion.Numerics;

namespace TrustRegion.Distributions;

/// <summary>
/// One categorical (Discrete) or a product of independent categoricals (MultiDiscrete), parameterised by logits.
/// The distribution description of a sample is its log-probabilities (log-softmax of each component's logits), concatenated.
/// </summary>
/// <remarks>
/// Per component with probabilities p and action a: <c>∂log p_a/∂z_k = [k = a] − p_k</c>; <c>H = −Σ p log p</c>,
/// <c>∂H/∂z_k = −p_k (log p_k + H)</c>; <c>KL(q ‖ p) = Σ q (log q − log p)</c>, <c>∂KL/∂z_k = p_k − q_k</c>; Fisher metric on the
/// logits <c>M = diag(p) − p pᵀ</c>. Components add up: log-probabilities, entropies and KLs are sums over components.
/// </remarks>
public sealed class CategoricalHead : ActionHead
{
    private readonly int[] _nvec;
    private readonly int[] _start;
    private readonly int _total;

    /// <summary>Creates the head.</summary>
    /// <param name="nvec">Category count of each component (each ≥ 1).</param>
    /// <param name="start">Value of category 0 per component (Discrete's <c>start</c>); null means zeros.</param>
    /// <param name="kind"><see cref="HeadKind.Categorical"/> for one component, <see cref="HeadKind.MultiCategorical"/> otherwise.</param>
    public CategoricalHead(IReadOnlyList<int> nvec, IReadOnlyList<int>? start, HeadKind kind)
    {
        ArgumentNullException.ThrowIfNull(nvec);
        if (nvec.Count == 0)
        {
            throw new ArgumentException("A categorical head needs at least one component.", nameof(nvec));
        }
        if (kind is not (HeadKind.Categorical or HeadKind.MultiCategorical) || (kind == HeadKind.Categorical && nvec.Count != 1))
        {
            throw new ArgumentException($"kind {kind} with {nvec.Count} components is invalid; use Categorical for one component or MultiCategorical.", nameof(kind));
        }
        if (start is not null && start.Count != nvec.Count)
        {
            throw new ArgumentException($"start has {start.Count} entries; expected one per component ({nvec.Count}).", nameof(start));
        }
        _nvec = [.. nvec];
        _start = start is null ? new int[nvec.Count] : [.. start];
        foreach (int k in _nvec)
        {
            if (k <= 0)
            {
                throw new ArgumentException($"Category counts must be ≥ 1; found {k}.", nameof(nvec));
            }
            _total += k;
        }
        Kind = kind;
    }

    /// <inheritdoc/>
    public override HeadKind Kind { get; }

    /// <inheritdoc/>
    public override int OutputSize => _total;

    /// <inheritdoc/>
    public override int ParameterCount => 0;

    /// <inheritdoc/>
    public override int ActionSize => _nvec.Length;

    /// <inheritdoc/>
    public override int DistributionSize => _total;

    /// <inheritdoc/>
    public override IReadOnlyList<int> ActionDims => _nvec;

    /// <inheritdoc/>
    public override void InitializeParameters(Span<double> parameters)
    {
    }

    /// <inheritdoc/>
    public override void ComputeDistribution(ReadOnlySpan<double> outputs, ReadOnlySpan<double> features, ReadOnlySpan<double> parameters, int n, Span<double> distribution)
    {
        Require(outputs, (long)n * _total, nameof(outputs));
        Require(distribution, (long)n * _total, nameof(distribution));
        for (int i = 0; i < n; i++)
        {
            int o = i * _total;
            for (int c = 0; c < _nvec.Length; c++)
            {
                int k = _nvec[c];
                ReadOnlySpan<double> z = outputs.Slice(o, k);
                Span<double> lp = distribution.Slice(o, k);
                double max = double.NegativeInfinity;
                for (int j = 0; j < k; j++)
                {
                    max = Math.Max(max, z[j]);
                }
                double s = 0;
                for (int j = 0; j < k; j++)
                {
                    s += Math.Exp(z[j] - max);
                }
                double logZ = max + Math.Log(s);
                for (int j = 0; j < k; j++)
                {
                    lp[j] = z[j] - logZ;
                }
                o += k;
            }
        }
    }

    /// <inheritdoc/>
    public override void Sample(ReadOnlySpan<double> distribution, int n, Rng rng, Span<double> actions)
    {
        ArgumentNullException.ThrowIfNull(rng);
        Require(distribution, (long)n * _total, nameof(distribution));
        Require(actions, (long)n * _nvec.Length, nameof(actions));
        for (int i = 0; i < n; i++)
        {
            int o = i * _total;
            for (int c = 0; c < _nvec.Length; c++)
            {
                int k = _nvec[c];
                double u = rng.NextDouble();
                int chosen = k - 1; // rounding can leave the cumulative sum just under u: fall back to the last category
                double cum = 0;
                for (int j = 0; j < k; j++)
                {
                    cum += Math.Exp(distribution[o + j]);
                    if (u < cum)
                    {
                        chosen = j;
                        break;
                    }
                }
                actions[(i * _nvec.Length) + c] = _start[c] + chosen;
                o += k;
            }
        }
    }

    /// <inheritdoc/>
    public override void Mode(ReadOnlySpan<double> distribution, int n, Span<double> actions)
    {
        Require(distribution, (long)n * _total, nameof(distribution));
        Require(actions, (long)n * _nvec.Length, nameof(actions));
        for (int i = 0; i < n; i++)
        {
            int o = i * _total;
            for (int c = 0; c < _nvec.Length; c++)
            {
                int best = 0;
                for (int j = 1; j < _nvec[c]; j++)
                {
                    if (distribution[o + j] > distribution[o + best])
                    {
                        best = j;
                    }
                }
                actions[(i * _nvec.Length) + c] = _start[c] + best;
                o += _nvec[c];
            }
        }
    }

    /// <inheritdoc/>
    public override void LogProb(ReadOnlySpan<double> distribution, ReadOnlySpan<double> actions, int n, Span<double> logProbs)
    {
        Require(distribution, (long)n * _total, nameof(distribution));
        Require(actions, (long)n * _nvec.Length, nameof(actions));
        Require(logProbs, n, nameof(logProbs));
        for (int i = 0; i < n; i++)
        {
            int o = i * _total;
            double s = 0;
            for (int c = 0; c < _nvec.Length; c++)
            {
                s += distribution[o + Index(actions, i, c)];
                o += _nvec[c];
            }
            logProbs[i] = s;
        }
    }

    /// <inheritdoc/>
    public override void Entropy(ReadOnlySpan<double> distribution, int n, Span<double> entropy)
    {
        Require(distribution, (long)n * _total, nameof(distribution));
        Require(entropy, n, nameof(entropy));
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<double> lp = distribution.Slice(i * _total, _total);
            double h = 0;
            for (int j = 0; j < _total; j++)
            {
                double p = Math.Exp(lp[j]);
                if (p > 0)
                {
                    h -= p * lp[j];
                }
            }
            entropy[i] = h;
        }
    }

    /// <inheritdoc/>
    public override void Kl(ReadOnlySpan<double> oldDistribution, ReadOnlySpan<double> distribution, int n, Span<double> kl)
    {
        Require(oldDistribution, (long)n * _total, nameof(oldDistribution));
        Require(distribution, (long)n * _total, nameof(distribution));
        Require(kl, n, nameof(kl));
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<double> q = oldDistribution.Slice(i * _total, _total);
            ReadOnlySpan<double> p = distribution.Slice(i * _total, _total);
            double s = 0;
            for (int j = 0; j < _total; j++)
            {
                double qj = Math.Exp(q[j]);
                if (qj > 0)
                {
                    s += qj * (q[j] - p[j]);
                }
            }
            kl[i] = s;
        }
    }

    /// <inheritdoc/>
    public override void LogProbBackward(ReadOnlySpan<double> distribution, ReadOnlySpan<double> actions, int n, ReadOnlySpan<double> weights, Span<double> outputGradient, Span<double> parameterGradient)
    {
        Require(distribution, (long)n * _total, nameof(distribution));
        Require(actions, (long)n * _nvec.Length, nameof(actions));
        Require(weights, n, nameof(weights));
        Require(outputGradient, (long)n * _total, nameof(outputGradient));
        for (int i = 0; i < n; i++)
        {
            double w = weights[i];
            int o = i * _total;
            for (int c = 0; c < _nvec.Length; c++)
            {
                int a = Index(actions, i, c);
                for (int j = 0; j < _nvec[c]; j++)
                {
                    outputGradient[o + j] -= w * Math.Exp(distribution[o + j]);
                }
                outputGradient[o + a] += w;
                o += _nvec[c];
            }
        }
    }

    /// <inheritdoc/>
    public override void EntropyBackward(ReadOnlySpan<double> distribution, int n, double weight, Span<double> outputGradient, Span<double> parameterGradient)
    {
        Require(distribution, (long)n * _total, nameof(distribution));
        Require(outputGradient, (long)n * _total, nameof(outputGradient));
        for (int i = 0; i < n; i++)
        {
            int o = i * _total;
            for (int c = 0; c < _nvec.Length; c++)
            {
                int k = _nvec[c];
                double h = 0;
                for (int j = 0; j < k; j++)
                {
                    double p = Math.Exp(distribution[o + j]);
                    if (p > 0)
                    {
                        h -= p * distribution[o + j];
                    }
                }
                for (int j = 0; j < k; j++)
                {
                    double p = Math.Exp(distribution[o + j]);
                    if (p > 0)
                    {
                        outputGradient[o + j] -= weight * p * (distribution[o + j] + h);
                    }
                }
                o += k;
            }
        }
    }

    /// <inheritdoc/>
    public override void KlBackward(ReadOnlySpan<double> oldDistribution, ReadOnlySpan<double> distribution, int n, double weight, Span<double> outputGradient, Span<double> parameterGradient)
    {
        Require(oldDistribution, (long)n * _total, nameof(oldDistribution));
        Require(distribution, (long)n * _total, nameof(distribution));
        Require(outputGradient, (long)n * _total, nameof(outputGradient));
        int len = n * _total;
        for (int j = 0; j < len; j++)
        {
            outputGradient[j] += weight * (Math.Exp(distribution[j]) - Math.Exp(oldDistribution[j]));
        }
    }

    /// <inheritdoc/>
    public override void FisherProduct(ReadOnlySpan<double> distribution, int n, ReadOnlySpan<double> outputTangent, ReadOnlySpan<double> parameterTangent, double weight, Span<double> outputResult, Span<double> parameterResult)
    {
        Require(distribution, (long)n * _total, nameof(distribution));
        Require(outputTangent, (long)n * _total, nameof(outputTangent));
        Require(outputResult, (long)n * _total, nameof(outputResult));
        for (int i = 0; i < n; i++)
        {
            int o = i * _total;
            for (int c = 0; c < _nvec.Length; c++)
            {
                int k = _nvec[c];
                double pu = 0;
                for (int j = 0; j < k; j++)
                {
                    pu += Math.Exp(distribution[o + j]) * outputTangent[o + j];
                }
                for (int j = 0; j < k; j++)
                {
                    outputResult[o + j] = weight * Math.Exp(distribution[o + j]) * (outputTangent[o + j] - pu);
                }
                o += k;
            }
        }
    }

    /// <summary>The prepared metric of a sample is its probabilities <c>p = exp(log p)</c> (<c>M = diag(p) − p pᵀ</c> per component).</summary>
    public override int FisherMetricSize => _total;

    /// <inheritdoc/>
    public override void PrepareFisherMetric(ReadOnlySpan<double> distribution, int n, Span<double> metric)
    {
        Require(distribution, (long)n * _total, nameof(distribution));
        Require(metric, (long)n * _total, nameof(metric));
        int len = n * _total;
        for (int j = 0; j < len; j++)
        {
            metric[j] = Math.Exp(distribution[j]);
        }
    }

    /// <inheritdoc/>
    public override void FisherProductPrepared(ReadOnlySpan<double> metric, int n, ReadOnlySpan<double> outputTangent, ReadOnlySpan<double> parameterTangent, double weight, Span<double> outputResult, Span<double> parameterResult)
    {
        Require(metric, (long)n * _total, nameof(metric));
        Require(outputTangent, (long)n * _total, nameof(outputTangent));
        Require(outputResult, (long)n * _total, nameof(outputResult));
        if (_nvec.Length == 1 && _total == 2)
        {
            // The common binary case (CartPole): the same operations as the general loop below, unrolled.
            for (int o = 0; o < 2 * n; o += 2)
            {
                double p0 = metric[o], p1 = metric[o + 1], u0 = outputTangent[o], u1 = outputTangent[o + 1];
                double pu = 0;
                pu += p0 * u0;
                pu += p1 * u1;
                outputResult[o] = weight * p0 * (u0 - pu);
                outputResult[o + 1] = weight * p1 * (u1 - pu);
            }
            return;
        }
        for (int i = 0; i < n; i++)
        {
            int o = i * _total;
            for (int c = 0; c < _nvec.Length; c++)
            {
                int k = _nvec[c];
                double pu = 0;
                for (int j = 0; j < k; j++)
                {
                    pu += metric[o + j] * outputTangent[o + j];
                }
                for (int j = 0; j < k; j++)
                {
                    outputResult[o + j] = weight * metric[o + j] * (outputTangent[o + j] - pu);
                }
                o += k;
            }
        }
    }

    private int Index(ReadOnlySpan<double> actions, int i, int c)
    {
        double a = actions[(i * _nvec.Length) + c] - _start[c];
        int idx = (int)a;
        if (idx != a || idx < 0 || idx >= _nvec[c])
        {
            throw new ArgumentOutOfRangeException(nameof(actions), actions[(i * _nvec.Length) + c], $"Action {i}, component {c} is {actions[(i * _nvec.Length) + c]}; valid values are the integers {_start[c]} … {_start[c] + _nvec[c] - 1}.");
        }
        return idx;
    }
}
