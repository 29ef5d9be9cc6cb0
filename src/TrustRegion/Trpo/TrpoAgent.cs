using TrustRegion.Envs;
using TrustRegion.Numerics;
using TrustRegion.Training;

namespace TrustRegion.Trpo;

/// <summary>
/// A TRPO agent with Stable-Baselines3's shape: create it for an environment, <see cref="Learn"/>, <see cref="Predict"/>,
/// <see cref="Evaluate"/>, <see cref="Save"/> and <see cref="Load(string, EnvRegistry?)"/>. A thin facade over <see cref="Trainer"/>.
/// </summary>
/// <remarks>
/// Normalisation statistics belong to the model: <see cref="Predict"/>, <see cref="Evaluate"/> and saved files apply the
/// statistics gathered during training, frozen (they are not updated outside <see cref="Learn"/>). A saved file holds the
/// complete training state, so a loaded agent can also continue learning exactly where it stopped.
/// </remarks>
/// <example>
/// <code>
/// using var agent = new TrpoAgent("CartPole-v1");          // the RL Zoo preset, seed 0
/// agent.Learn(100_000);
/// agent.Save("cartpole.ckpt");
/// using var loaded = TrpoAgent.Load("cartpole.ckpt");
/// Span&lt;double&gt; action = stackalloc double[1];
/// loaded.Predict([0.0, 0.0, 0.05, 0.0], action);              // deterministic by default
/// </code>
/// </example>
public sealed class TrpoAgent : IDisposable
{
    private const ulong PredictStream = 7;

    private readonly Trainer _trainer;
    private readonly Rng _predictRng;

    /// <summary>Creates an agent for a registered environment id with its preset (or <paramref name="config"/>).</summary>
    /// <param name="envId">A registered id, e.g. <c>CartPole-v1</c>.</param>
    /// <param name="config">The configuration; null takes the id's preset (<see cref="ConfigResolver.Resolve"/>). Its <c>env_id</c> is set to <paramref name="envId"/>.</param>
    /// <param name="registry">Where the id is looked up; <see cref="EnvRegistry.Default"/> when null.</param>
    /// <exception cref="ArgumentException">The id is unknown, or the configuration is invalid (<see cref="ConfigException"/>).</exception>
    /// <exception cref="NotSupportedException">The configuration asks for a feature this build lacks (named in the message).</exception>
    public TrpoAgent(string envId, TrpoConfig? config = null, EnvRegistry? registry = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(envId);
        (registry ?? EnvRegistry.Default).GetSpec(envId);
        config = config is null ? ConfigResolver.Resolve(envId) : config with { EnvId = envId };
        _trainer = new Trainer(config, registry);
        _predictRng = new Rng(config.Seed).Split(PredictStream);
    }

    /// <summary>Creates an agent for a user's environment.</summary>
    /// <param name="envFactory">Builds a new environment instance on every call (one per copy, plus one for evaluation).</param>
    /// <param name="config">The configuration; its <c>env_id</c> names the environment in files and messages.</param>
    /// <exception cref="ArgumentException">The configuration is invalid.</exception>
    /// <exception cref="NotSupportedException">The configuration asks for a feature this build lacks, or the observation space is not a Box.</exception>
    public TrpoAgent(Func<IEnv> envFactory, TrpoConfig config)
    {
        ArgumentNullException.ThrowIfNull(envFactory);
        ArgumentNullException.ThrowIfNull(config);
        _trainer = new Trainer(config, envFactory);
        _predictRng = new Rng(config.Seed).Split(PredictStream);
    }

    private TrpoAgent(Trainer trainer)
    {
        _trainer = trainer;
        _predictRng = new Rng(trainer.Config.Seed).Split(PredictStream);
    }

    /// <summary>The configuration.</summary>
    public TrpoConfig Config => _trainer.Config;

    /// <summary>The policy.</summary>
    public Policy Policy => _trainer.Policy;

    /// <summary>The value function.</summary>
    public ValueFunction Value => _trainer.Value;

    /// <summary>The training loop underneath (environments, counters, checkpoints).</summary>
    public Trainer Trainer => _trainer;

    /// <summary>The environment's observation space.</summary>
    public Space ObservationSpace => _trainer.Environments.ObservationSpace;

    /// <summary>The environment's action space.</summary>
    public Space ActionSpace => _trainer.Environments.ActionSpace;

    /// <summary>Environment steps trained so far.</summary>
    public long TotalSteps => _trainer.TotalSteps;

    /// <summary>
    /// Trains for <paramref name="steps"/> more environment steps (rounded up to whole rollouts of <c>n_steps × n_envs</c>).
    /// </summary>
    /// <param name="steps">Additional environment steps, over all copies.</param>
    /// <param name="callback">Called after every iteration; return false to stop early.</param>
    /// <param name="cancellation">Stops between iterations.</param>
    /// <returns>Why training stopped.</returns>
    /// <exception cref="TrainingDivergedException">A loss, gradient or KL became non-finite.</exception>
    public TrainingStop Learn(long steps, Func<IterationReport, bool>? callback = null, CancellationToken cancellation = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        return _trainer.Train(checked(_trainer.TotalSteps + steps), new TrainerOutputs { Callback = callback }, cancellation);
    }

    /// <summary>
    /// Chooses an action for one raw observation: normalised with the model's frozen statistics, then the policy's most likely
    /// action (or a sample from the agent's own stream when <paramref name="deterministic"/> is false), clipped to a Box's bounds.
    /// </summary>
    /// <param name="observation">A raw observation, <c>ObservationSpace.FlatSize</c> values.</param>
    /// <param name="action">Receives the action, <c>ActionSpace.FlatSize</c> values (a Discrete action as an integer-valued double).</param>
    /// <param name="deterministic">True for the mode (default), false to sample.</param>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    public void Predict(ReadOnlySpan<double> observation, Span<double> action, bool deterministic = true)
    {
        int obs = ObservationSpace.FlatSize, act = ActionSpace.FlatSize;
        if (observation.Length != obs)
        {
            throw new ArgumentException($"observation has length {observation.Length}; expected ObservationSpace.FlatSize = {obs}.", nameof(observation));
        }
        if (action.Length != act)
        {
            throw new ArgumentException($"action has length {action.Length}; expected ActionSpace.FlatSize = {act}.", nameof(action));
        }
        _trainer.Act(observation, action, deterministic, _predictRng);
    }

    /// <summary>Runs whole episodes on a separate environment instance and reports mean ± std of the raw return and length.</summary>
    /// <param name="episodes">Episodes to run (≥ 1).</param>
    /// <param name="deterministic">True for the policy's mode (default), false to sample.</param>
    /// <param name="seed">Seeds the episodes and the sampling.</param>
    public EvaluationResult Evaluate(int episodes, bool deterministic = true, ulong seed = 0) => _trainer.Evaluate(episodes, deterministic, seed);

    /// <summary>Saves the complete state (model, normalisation statistics and training state) atomically to <paramref name="path"/>.</summary>
    public void Save(string path) => _trainer.Save(path);

    /// <summary>Loads an agent saved by <see cref="Save"/> (or a <c>trpo train</c> checkpoint), building its environment from <paramref name="registry"/>.</summary>
    /// <exception cref="CheckpointException">The file is missing, damaged, foreign, or does not match the environment (named in the message).</exception>
    public static TrpoAgent Load(string path, EnvRegistry? registry = null) => new(Trainer.Load(Checkpoint.Load(path), registry));

    /// <summary>Loads an agent for a user's environment; its spaces must match the saved ones.</summary>
    /// <exception cref="CheckpointException">The file is missing, damaged, foreign, or does not match the environment (named in the message).</exception>
    public static TrpoAgent Load(string path, Func<IEnv> envFactory) => new(Trainer.Load(Checkpoint.Load(path), envFactory));

    /// <summary>Disposes the environments.</summary>
    public void Dispose() => _trainer.Dispose();
}
