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
/// </remarks>
public sealed class Policy
{
    private readonly double[] _parameters;
    private MlpWorkspace? _workspace;
    private double[] _distribution = [];

    /// <summary>Creates and initialises a policy.</summary>
    /// <param name="actionSpace">Discrete, MultiDiscrete or Box.</param>
    /// <param name="observationSize">Doubles per observation.</param>
    /// <param name="hiddenSizes">Hidden widths (SB3: 64, 64).</param>
    /// <param name="activation">Hidden nonlinearity (SB3: tanh).</param>
    /// <param name="logStdInit">Initial log-std of a Gaussian head (SB3: 0).</param>
    /// <param name="rng">Source of the initial weights.</param>
    public Policy(Space actionSpace, int observationSize, IReadOnlyList<int> hiddenSizes, Activation activation, double logStdInit, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(actionSpace);
        ArgumentNullException.ThrowIfNull(rng);
        Head = ActionHead.Create(actionSpace, logStdInit);
        var netShape = new MlpShape(observationSize, hiddenSizes, Head.OutputSize, activation);
        Shape = new PolicyShape(netShape, Head.Kind, Head.ActionDims, Head.ParameterCount);
        _parameters = new double[Shape.ParameterCount];
        Network = new Mlp(netShape, _parameters, 0);
        Network.InitializeOrthogonal(rng, Math.Sqrt(2.0), 0.01);
        Head.InitializeParameters(HeadParameters);
    }

    /// <summary>The network producing the head's inputs; its parameters are the first part of <see cref="Parameters"/>.</summary>
    public Mlp Network { get; }

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

    /// <summary>The head's state-independent parameters (the Gaussian's log-stds), a view into <see cref="Parameters"/>.</summary>
    public Span<double> HeadParameters => _parameters.AsSpan(Network.ParameterCount);

    /// <summary>Mean standard deviation of a Gaussian head (<c>mean(exp(log_std))</c>); NaN for other heads.</summary>
    public double MeanStd
    {
        get
        {
            if (Head.Kind != HeadKind.DiagonalGaussian)
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
    /// <param name="rng">Sampling stream (unused when deterministic).</param>
    /// <param name="deterministic">Return the mode instead of a sample.</param>
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

    /// <summary>Chooses the action for one observation: the mode when <paramref name="deterministic"/>, else a sample from <paramref name="rng"/>.</summary>
    /// <exception cref="ArgumentNullException">A sample is requested without a generator.</exception>
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
        if (observations.Length < n * ObservationSize)
        {
            throw new ArgumentException($"observations has length {observations.Length}; expected {n} × {ObservationSize}.", nameof(observations));
        }
        if (_workspace is null || _workspace.MaxBatch < n)
        {
            _workspace = Network.CreateWorkspace(n);
            _distribution = new double[n * Head.DistributionSize];
        }
        Span<double> dist = _distribution.AsSpan(0, n * Head.DistributionSize);
        ComputeDistribution(observations, n, _workspace, dist);
        return dist;
    }
}
