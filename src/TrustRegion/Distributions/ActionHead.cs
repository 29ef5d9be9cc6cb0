using TrustRegion.Envs;
using TrustRegion.Numerics;

namespace TrustRegion.Distributions;

/// <summary>
/// Maps a policy network's outputs (and any state-independent head parameters) to an action distribution, and provides
/// everything TRPO needs of that distribution: sampling, mode, log-probability, entropy, KL divergence, their gradients,
/// and the product with the distribution's Fisher metric in output space.
/// </summary>
/// <remarks>
/// <para>Every method works on a batch of <c>n</c> samples. The distribution of sample i is described by
/// <see cref="DistributionSize"/> doubles (row i of a <c>[n × DistributionSize]</c> "distribution" buffer) that
/// <see cref="ComputeDistribution"/> derives from the outputs; the other methods read only that description, so the
/// parameters of the old policy (for KL(old‖new)) are simply an earlier distribution buffer.</para>
/// <para>Gradient methods <em>accumulate</em> into the output-gradient buffer <c>[n × OutputSize]</c> and the head-parameter
/// gradient <c>[ParameterCount]</c>, so several terms (surrogate, entropy bonus) compose without temporaries.</para>
/// <para>Extending: a new head derives from this class. <see cref="GsdeHead"/> (generalized state-dependent exploration, whose
/// noise scale depends on the policy's last hidden layer) is one: <see cref="ComputeDistribution"/> receives those features
/// for that purpose, and <see cref="FisherProduct"/> defines its own metric on the outputs and head parameters.</para>
/// </remarks>
public abstract class ActionHead
{
    /// <summary>Distribution family.</summary>
    public abstract HeadKind Kind { get; }

    /// <summary>Network outputs per sample that this head consumes (logits or means).</summary>
    public abstract int OutputSize { get; }

    /// <summary>State-independent parameters of the head (the Gaussian's log standard deviations), stored after the network's in the policy's flat vector.</summary>
    public abstract int ParameterCount { get; }

    /// <summary>Doubles per action.</summary>
    public abstract int ActionSize { get; }

    /// <summary>Doubles that describe one sample's distribution.</summary>
    public abstract int DistributionSize { get; }

    /// <summary>Per-dimension sizes that identify the head: the category counts of each element, or the action dimension for a Gaussian.</summary>
    public abstract IReadOnlyList<int> ActionDims { get; }

    /// <summary>Creates the head that suits an action space: Discrete → categorical, MultiDiscrete → product of categoricals, Box → diagonal Gaussian.</summary>
    /// <param name="actionSpace">The environment's action space.</param>
    /// <param name="logStdInit">Initial log standard deviation of a Gaussian head (SB3 default 0); ignored otherwise.</param>
    /// <exception cref="NotSupportedException">The space has no head (e.g. MultiBinary).</exception>
    public static ActionHead Create(Space actionSpace, double logStdInit = 0.0)
    {
        ArgumentNullException.ThrowIfNull(actionSpace);
        return actionSpace switch
        {
            Discrete d => new CategoricalHead([d.N], [d.Start], HeadKind.Categorical),
            MultiDiscrete md => new CategoricalHead(md.Nvec, null, HeadKind.MultiCategorical),
            Box b => new DiagonalGaussianHead(b.FlatSize, logStdInit),
            _ => throw new NotSupportedException($"No action distribution for {actionSpace}; supported spaces are Discrete, MultiDiscrete and Box."),
        };
    }

    /// <summary>Writes the initial head parameters (the Gaussian's <c>log_std_init</c>); nothing for parameter-free heads.</summary>
    public abstract void InitializeParameters(Span<double> parameters);

    /// <summary>Derives each sample's distribution description from the network outputs and the head parameters.</summary>
    /// <param name="outputs">Network outputs, <c>[n × OutputSize]</c>.</param>
    /// <param name="features">The network's last hidden layer <c>[n × width]</c>, for heads that depend on it; the built-in heads ignore it.</param>
    /// <param name="parameters">Head parameters, length <see cref="ParameterCount"/>.</param>
    /// <param name="n">Samples.</param>
    /// <param name="distribution">Receives <c>[n × DistributionSize]</c>.</param>
    public abstract void ComputeDistribution(ReadOnlySpan<double> outputs, ReadOnlySpan<double> features, ReadOnlySpan<double> parameters, int n, Span<double> distribution);

    /// <summary>Draws one action per sample from <paramref name="rng"/> into <paramref name="actions"/> <c>[n × ActionSize]</c>.</summary>
    public abstract void Sample(ReadOnlySpan<double> distribution, int n, Rng rng, Span<double> actions);

    /// <summary>Writes each sample's most likely action (the mean, or the first most probable category).</summary>
    public abstract void Mode(ReadOnlySpan<double> distribution, int n, Span<double> actions);

    /// <summary><c>logProbs[i] = log π(actions[i] | distribution[i])</c>.</summary>
    public abstract void LogProb(ReadOnlySpan<double> distribution, ReadOnlySpan<double> actions, int n, Span<double> logProbs);

    /// <summary><c>entropy[i] = H(distribution[i])</c> in nats.</summary>
    public abstract void Entropy(ReadOnlySpan<double> distribution, int n, Span<double> entropy);

    /// <summary><c>kl[i] = KL(old[i] ‖ distribution[i])</c> in nats.</summary>
    public abstract void Kl(ReadOnlySpan<double> oldDistribution, ReadOnlySpan<double> distribution, int n, Span<double> kl);

    /// <summary>Accumulates the gradient of <c>Σ_i weights[i] · log π(actions[i])</c> with respect to the outputs and head parameters.</summary>
    public abstract void LogProbBackward(ReadOnlySpan<double> distribution, ReadOnlySpan<double> actions, int n, ReadOnlySpan<double> weights, Span<double> outputGradient, Span<double> parameterGradient);

    /// <summary>Accumulates the gradient of <c>weight · Σ_i H(distribution[i])</c>.</summary>
    public abstract void EntropyBackward(ReadOnlySpan<double> distribution, int n, double weight, Span<double> outputGradient, Span<double> parameterGradient);

    /// <summary>Accumulates the gradient of <c>weight · Σ_i KL(old[i] ‖ distribution[i])</c> with respect to the new distribution's outputs and parameters.</summary>
    public abstract void KlBackward(ReadOnlySpan<double> oldDistribution, ReadOnlySpan<double> distribution, int n, double weight, Span<double> outputGradient, Span<double> parameterGradient);

    /// <summary>
    /// Product with the Fisher metric in output space: for a tangent (<c>δy</c> per sample, <c>δφ</c> for the head parameters)
    /// overwrites <paramref name="outputResult"/> with <c>weight · M_y δy</c> per sample and <paramref name="parameterResult"/> with
    /// <c>weight · Σ_i M_φ δφ</c>, where M is the Hessian of <c>KL(p ‖ ·)</c> at p. Together with a network's Jacobian J this gives
    /// the Fisher-vector product <c>Jᵀ M J v</c> with no second derivatives. M is positive semi-definite.
    /// </summary>
    /// <remarks>
    /// The updater calls this concurrently from worker threads for disjoint row chunks, each with its own
    /// <paramref name="parameterResult"/>: an implementation must not write to any shared scratch state.
    /// </remarks>
    public abstract void FisherProduct(ReadOnlySpan<double> distribution, int n, ReadOnlySpan<double> outputTangent, ReadOnlySpan<double> parameterTangent, double weight, Span<double> outputResult, Span<double> parameterResult);

    /// <summary>
    /// Doubles per sample of the prepared Fisher metric that <see cref="PrepareFisherMetric"/> writes and
    /// <see cref="FisherProductPrepared"/> reads. The default is <see cref="DistributionSize"/> (the metric data is the
    /// distribution itself).
    /// </summary>
    public virtual int FisherMetricSize => DistributionSize;

    /// <summary>
    /// Writes, once per policy update, whatever per-sample data <see cref="FisherProductPrepared"/> needs, so that the
    /// conjugate-gradient iterations (whose metric M is fixed at θ_old) do not re-derive it (e.g. probabilities from
    /// log-probabilities) on every product. The default copies the distribution. A head that overrides this must also
    /// override <see cref="FisherProductPrepared"/> and <see cref="FisherMetricSize"/>.
    /// </summary>
    /// <param name="distribution">Distributions <c>[n × DistributionSize]</c>.</param>
    /// <param name="n">Samples.</param>
    /// <param name="metric">Receives <c>[n × FisherMetricSize]</c>.</param>
    public virtual void PrepareFisherMetric(ReadOnlySpan<double> distribution, int n, Span<double> metric)
    {
        long size = (long)n * DistributionSize;
        Require(distribution, size, nameof(distribution));
        Require(metric, size, nameof(metric));
        distribution[..(int)size].CopyTo(metric);
    }

    /// <summary>
    /// <see cref="FisherProduct"/> from metric data written by <see cref="PrepareFisherMetric"/> (<c>[n × FisherMetricSize]</c>):
    /// the same results, bit for bit. Safe to call concurrently for disjoint row chunks, like <see cref="FisherProduct"/>.
    /// The default passes the metric (a copy of the distribution) to <see cref="FisherProduct"/>.
    /// </summary>
    public virtual void FisherProductPrepared(ReadOnlySpan<double> metric, int n, ReadOnlySpan<double> outputTangent, ReadOnlySpan<double> parameterTangent, double weight, Span<double> outputResult, Span<double> parameterResult)
        => FisherProduct(metric, n, outputTangent, parameterTangent, weight, outputResult, parameterResult);

    /// <summary>Compact description, e.g. <c>categorical [2]</c> or <c>gaussian [3]</c>.</summary>
    public override string ToString() => $"{Kind} [{string.Join(", ", ActionDims)}]";

    /// <summary>Throws when <paramref name="span"/> is shorter than <paramref name="expected"/>.</summary>
    protected static void Require(ReadOnlySpan<double> span, long expected, string name)
    {
        if (span.Length < expected)
        {
            throw new ArgumentException($"{name} has length {span.Length}; expected at least {expected}.", name);
        }
    }
}
