using TrustRegion.Distributions;
using TrustRegion.Envs;
using TrustRegion.Networks;
using TrustRegion.Numerics;

namespace TrustRegion.Trpo;

/// <summary>
/// A stochastic policy: an <see cref="Mlp"/> whose outputs feed an <see cref="ActionHead"/>. All parameters (network first, then
/// the head's state-independent parameters such as the Gaussian log-stds) live in one flat vector, <see cref="Parameters"/>.
/// </summary>
/// <remarks>
/// Initialisation follows Stable-Baselines3: orthogonal weights with gain √2 on hidden layers and 0.01 on the output layer,
/// zero biases, log-std = <c>logStdInit</c>. Continuous actions are returned unclipped; the caller clips them to the Box.
/// Not thread-safe: <see cref="Act"/> reuses internal buffers (grown on first use, then allocation-free).
/// <para>With <c>useSde</c> the head is a <see cref="GsdeHead"/> (generalized state-dependent exploration): exploration noise is
/// the last hidden layer times a noise matrix per environment copy. The rollout loop calls <see cref="ResampleNoise"/> at the
/// start of every rollout and, when <c>sde_sample_freq</c> = f &gt; 0, before every step t of the rollout with t mod f = 0;
/// <see cref="Act"/> row i explores with the matrix of copy <c>i % numEnvs</c>. <see cref="Noise"/> is that state, for
/// checkpoints. For other heads <see cref="ResampleNoise"/> does nothing.</para>
/// </remarks>
public sealed class Policy
{
    private readonly double[] _parameters;
    private InferenceWorkspaces? _inference; // acting: a few rows in double, more in the network's precision
    private double[] _distribution = [];

    /// <summary>Creates and initialises a policy.</summary>
    /// <param name="actionSpace">Discrete, MultiDiscrete or Box.</param>
    /// <param name="observationSize">Doubles per observation.</param>
    /// <param name="hiddenSizes">Hidden widths (SB3: 64, 64).</param>
    /// <param name="activation">Hidden nonlinearity (SB3: tanh).</param>
    /// <param name="logStdInit">Initial log-std of a Gaussian head (SB3: 0).</param>
    /// <param name="rng">Source of the initial weights.</param>
    /// <param name="useSde">Explore by gSDE (<see cref="GsdeHead"/>, a Box action space only) instead of the state-independent
    /// Gaussian; <paramref name="logStdInit"/> then initialises every entry of its <c>[latent × action]</c> log-std matrix.</param>
    /// <param name="precision">Arithmetic of the network passes (<see cref="NetworkPrecision"/>); parameters and heads stay double.</param>
    /// <exception cref="ArgumentException"><paramref name="useSde"/> with an action space other than Box.</exception>
    public Policy(Space actionSpace, int observationSize, IReadOnlyList<int> hiddenSizes, Activation activation, double logStdInit, Rng rng, bool useSde = false,
        NetworkPrecision precision = NetworkPrecision.Double)
    {
        ArgumentNullException.ThrowIfNull(actionSpace);
        ArgumentNullException.ThrowIfNull(hiddenSizes);
        ArgumentNullException.ThrowIfNull(rng);
        if (useSde)
        {
            if (actionSpace is not Box box)
            {
                throw new ArgumentException($"useSde needs a Box action space; found {actionSpace}. gSDE explores continuous actions only.", nameof(useSde));
            }
            // The latent is the last hidden layer (the observation itself for a network without hidden layers), as SB3's latent_pi.
            int latent = hiddenSizes.Count > 0 ? hiddenSizes[^1] : observationSize;
            Head = new GsdeHead(box.FlatSize, Math.Max(latent, 1), logStdInit);
        }
        else
        {
            Head = ActionHead.Create(actionSpace, logStdInit);
        }
        var netShape = new MlpShape(observationSize, hiddenSizes, Head.OutputSize, activation);
        Shape = new PolicyShape(netShape, Head.Kind, Head.ActionDims, Head.ParameterCount);
        _parameters = new double[Shape.ParameterCount];
        Network = new Mlp(netShape, _parameters, 0, precision);
        Network.InitializeOrthogonal(rng, Math.Sqrt(2.0), 0.01);
        Head.InitializeParameters(HeadParameters);
    }

    /// <summary>The network producing the head's inputs; its parameters are the first part of <see cref="Parameters"/>.</summary>
    public Mlp Network { get; }

    /// <summary>Arithmetic of the network passes (the network's <see cref="Mlp.Precision"/>).</summary>
    public NetworkPrecision Precision => Network.Precision;

    /// <summary>The action distribution.</summary>
    public ActionHead Head { get; }

    /// <summary>Architecture description (for checkpoint compatibility checks).</summary>
    public PolicyShape Shape { get; }

    /// <summary>Doubles per observation.</summary>
    public int ObservationSize => Network.Shape.InputSize;

    /// <summary>Doubles per action.</summary>
    public int ActionSize => Head.ActionSize;

    /// <summary>Length of <see cref="Parameters"/>.</summary>
    public int ParameterCount => _parameters.Length;

    /// <summary>All parameters: network, then head (readable and writable).</summary>
    public Span<double> Parameters => _parameters;

    /// <summary>The head's state-independent parameters (the Gaussian's log-stds, gSDE's log-std matrix), a view into <see cref="Parameters"/>.</summary>
    public Span<double> HeadParameters => _parameters.AsSpan(Network.ParameterCount);

    /// <summary>Whether the policy explores by gSDE (its head is a <see cref="GsdeHead"/>).</summary>
    public bool UsesSde => Head is GsdeHead;

    /// <summary>Number of noise matrices held (environment copies): 0 for other heads and before the first <see cref="ResampleNoise"/>.</summary>
    public int NoiseEnvCount => Head is GsdeHead g ? g.NoiseEnvCount : 0;

    /// <summary>
    /// The gSDE noise matrices, <c>[NoiseEnvCount × latent × ActionSize]</c> row-major, readable and writable in place; empty for
    /// other heads. With <see cref="Parameters"/> it is all the policy state a checkpoint needs to resume sampling exactly;
    /// restore it into a fresh policy with <see cref="RestoreNoise"/>.
    /// </summary>
    public Span<double> Noise => Head is GsdeHead g ? g.Noise : [];

    /// <summary>
    /// Draws a new gSDE noise matrix for each of <paramref name="numEnvs"/> environment copies (entries <c>N(0, σ_kj²)</c> with the
    /// current σ); does nothing for other heads. Allocation-free once storage for <paramref name="numEnvs"/> copies exists.
    /// </summary>
    /// <param name="rng">Source of the noise (the rollout's sampling stream).</param>
    /// <param name="numEnvs">Environment copies (≥ 1); <see cref="Act"/> row i uses matrix <c>i % numEnvs</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numEnvs"/> is below 1.</exception>
    public void ResampleNoise(Rng rng, int numEnvs)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numEnvs);
        if (Head is GsdeHead g)
        {
            g.ResampleNoise(HeadParameters, rng, numEnvs);
        }
    }

    /// <summary>Sets the gSDE noise matrices from a saved <see cref="Noise"/> (its length fixes <see cref="NoiseEnvCount"/>).</summary>
    /// <exception cref="InvalidOperationException">The policy does not use gSDE.</exception>
    /// <exception cref="ArgumentException">The length is not a positive multiple of one matrix (latent × ActionSize).</exception>
    public void RestoreNoise(ReadOnlySpan<double> noise)
    {
        if (Head is not GsdeHead g)
        {
            throw new InvalidOperationException($"RestoreNoise needs a gSDE policy; this policy's head is {Head}.");
        }
        g.RestoreNoise(noise);
    }

    /// <summary>Mean standard deviation of a Gaussian head (<c>mean(exp(log_std))</c>, over the whole matrix for gSDE); NaN for other heads.</summary>
    public double MeanStd
    {
        get
        {
            if (Head.Kind is not (HeadKind.DiagonalGaussian or HeadKind.Gsde))
            {
                return double.NaN;
            }
            ReadOnlySpan<double> ls = HeadParameters;
            double s = 0;
            foreach (double x in ls)
            {
                s += Math.Exp(x);
            }
            return s / ls.Length;
        }
    }

    /// <summary>
    /// Chooses actions for a batch of observations (all environments at once).
    /// </summary>
    /// <param name="observations"><c>[n × ObservationSize]</c> row-major.</param>
    /// <param name="n">Number of observations (≥ 1).</param>
    /// <param name="actions">Receives <c>[n × ActionSize]</c>; categorical actions are integers carried as doubles.</param>
    /// <param name="logProbs">Receives the log-probability of each chosen action (length ≥ n).</param>
    /// <param name="rng">Sampling stream (unused when deterministic, and by gSDE, which samples with its noise matrices).</param>
    /// <param name="deterministic">Return the mode instead of a sample.</param>
    /// <exception cref="InvalidOperationException">A gSDE sample is requested before any <see cref="ResampleNoise"/>.</exception>
    public void Act(ReadOnlySpan<double> observations, int n, Span<double> actions, Span<double> logProbs, Rng rng, bool deterministic)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        if (actions.Length < n * ActionSize)
        {
            throw new ArgumentException($"actions has length {actions.Length}; expected at least {n} × {ActionSize}.", nameof(actions));
        }
        if (logProbs.Length < n)
        {
            throw new ArgumentException($"logProbs has length {logProbs.Length}; expected at least {n}.", nameof(logProbs));
        }
        ReadOnlySpan<double> dist = Distribution(observations, n);
        if (deterministic)
        {
            Head.Mode(dist, n, actions);
        }
        else
        {
            Head.Sample(dist, n, rng, actions);
        }
        Head.LogProb(dist, actions, n, logProbs);
    }

    /// <summary>
    /// Chooses the action for one observation: the mode when <paramref name="deterministic"/>, else a sample from
    /// <paramref name="rng"/> (gSDE: with noise matrix 0).
    /// </summary>
    /// <exception cref="ArgumentNullException">A sample is requested without a generator.</exception>
    /// <exception cref="InvalidOperationException">A gSDE sample is requested before any <see cref="ResampleNoise"/>.</exception>
    public void Predict(ReadOnlySpan<double> observation, Span<double> action, bool deterministic, Rng? rng = null)
    {
        if (!deterministic && rng is null)
        {
            throw new ArgumentNullException(nameof(rng), "A stochastic prediction needs an Rng; pass one or set deterministic: true.");
        }
        if (action.Length < ActionSize)
        {
            throw new ArgumentException($"action has length {action.Length}; expected {ActionSize}.", nameof(action));
        }
        ReadOnlySpan<double> dist = Distribution(observation, 1);
        if (deterministic)
        {
            Head.Mode(dist, 1, action);
        }
        else
        {
            Head.Sample(dist, 1, rng!, action);
        }
    }

    /// <summary>
    /// A thread's own buffers for <see cref="PredictMode"/>: the same single-row double-precision pass as <see cref="Predict"/>,
    /// so that several threads can act with one policy at once (parallel evaluation).
    /// </summary>
    internal sealed class ActingBuffers(Policy policy)
    {
        internal readonly MlpWorkspace Workspace = policy.Network.CreateInferenceWorkspace(1);
        internal readonly double[] Distribution = new double[policy.Head.DistributionSize];
    }

    /// <summary>
    /// The deterministic action for one observation, computed exactly as <see cref="Predict"/> with <c>deterministic: true</c>
    /// but in <paramref name="buffers"/>: safe to call from several threads at once, each with its own buffers, as long as no
    /// thread changes the parameters meanwhile. Not for gSDE heads, whose distribution uses scratch of the head's own.
    /// </summary>
    internal void PredictMode(ReadOnlySpan<double> observation, Span<double> action, ActingBuffers buffers)
    {
        if (UsesSde)
        {
            throw new InvalidOperationException("PredictMode is not thread-safe for gSDE heads; use Predict.");
        }
        CheckObservations(observation, 1);
        ComputeDistribution(observation, 1, buffers.Workspace, buffers.Distribution);
        Head.Mode(buffers.Distribution, 1, action);
    }

    /// <summary>
    /// Forward pass into <paramref name="workspace"/> and distribution description <c>[n × Head.DistributionSize]</c> into
    /// <paramref name="distribution"/>.
    /// </summary>
    internal void ComputeDistribution(ReadOnlySpan<double> observations, int n, MlpWorkspace workspace, Span<double> distribution)
    {
        ReadOnlySpan<double> outputs = Network.Forward(observations, n, workspace);
        Head.ComputeDistribution(outputs, Features(observations, n, workspace), HeadParameters, n, distribution);
    }

    /// <summary>The last hidden layer of the workspace's forward pass (the observations for a network without hidden layers).</summary>
    internal ReadOnlySpan<double> Features(ReadOnlySpan<double> observations, int n, MlpWorkspace workspace) =>
        Network.Shape.LayerCount > 1 ? workspace.LayerOutput(Network.Shape.LayerCount - 2) : observations[..(n * ObservationSize)];

    private ReadOnlySpan<double> Distribution(ReadOnlySpan<double> observations, int n)
    {
        CheckObservations(observations, n);
        MlpWorkspace workspace = (_inference ??= new InferenceWorkspaces(Network)).For(n);
        if (_distribution.Length < n * Head.DistributionSize)
        {
            _distribution = new double[Math.Max(n, Mlp.SmallBatchRows) * Head.DistributionSize];
        }
        Span<double> dist = _distribution.AsSpan(0, n * Head.DistributionSize);
        ComputeDistribution(observations, n, workspace, dist);
        return dist;
    }

    private void CheckObservations(ReadOnlySpan<double> observations, int n)
    {
        if (observations.Length < n * ObservationSize)
        {
            throw new ArgumentException($"observations has length {observations.Length}; expected {n} × {ObservationSize}.", nameof(observations));
        }
    }
}
