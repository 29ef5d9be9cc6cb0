using TrustRegion.Networks;

namespace TrustRegion.Training;

/// <summary>
/// The fully typed, immutable configuration of a training run: the RL Zoo TRPO hyperparameters plus the run's
/// seed, evaluation, checkpoint and stepping settings. Each property documents its YAML key (RL Zoo naming),
/// meaning and valid range.
/// </summary>
/// <remarks>
/// <para>Build one with <see cref="ConfigResolver.Resolve(string, string?, IEnumerable{string}?, string?)"/> (defaults,
/// then the environment's preset, then a user YAML file, then <c>key=value</c> overrides) or read a resolved file back
/// with <see cref="ConfigResolver.FromYaml(string, string?)"/>. Adjust with <c>with</c> expressions and call
/// <see cref="Validate"/> before use; the resolver already does.</para>
/// <para>The defaults of the properties are sb3-contrib's TRPO defaults (one environment, 2048 steps, batches of 128,
/// γ 0.99, λ 0.95, critic learning rate 1e-3, 10 critic epochs, 15 CG steps, CG damping 0.1, line search 10 × 0.8,
/// δ 0.01 measured per action dimension, 64-64 tanh networks with orthogonal initialisation and log-std 0).</para>
/// </remarks>
public sealed record TrpoConfig
{
    /// <summary>Key <c>env_id</c>: the registered environment id, e.g. <c>CartPole-v1</c>. Required, non-empty.</summary>
    public string EnvId { get; init; } = "";

    /// <summary>
    /// Key <c>env_kwargs</c>: keyword arguments for the environment's constructor (Gymnasium's <c>gym.make(id, **kwargs)</c>, the
    /// RL Zoo's <c>env_kwargs</c>), a YAML mapping such as <c>{ctrl_cost_weight: 0.0, terminate_when_unhealthy: false}</c>. The
    /// names and values must be ones the environment declares (<see cref="Envs.EnvSpec.Parameters"/>; <c>trpo envs</c> lists
    /// them); checked when the trainer is built. Training, evaluation and resumed runs all use them. Default empty.
    /// </summary>
    public Envs.EnvKwargs EnvKwargs { get; init; } = Envs.EnvKwargs.Empty;

    /// <summary>Key <c>n_envs</c>: number of environment copies stepped together. Range 1–1024. Default 1.</summary>
    public int NumEnvs { get; init; } = 1;

    /// <summary>Key <c>n_timesteps</c>: total environment steps of the run (over all copies). Range 1–10^12. Default 10^6 (the Zoo requires it; sb3-contrib has none).</summary>
    public long TotalTimesteps { get; init; } = 1_000_000;

    /// <summary>Key <c>n_steps</c>: steps per environment copy in each rollout; a rollout holds <c>n_steps × n_envs</c> transitions. Range 1–10^7. Default 2048.</summary>
    public int NumSteps { get; init; } = 2048;

    /// <summary>Key <c>batch_size</c>: minibatch size of the critic's Adam steps. Range 1 to <c>n_steps × n_envs</c>. Default 128.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Key <c>gamma</c>: discount factor γ. Range (0, 1]. Default 0.99.</summary>
    public double Gamma { get; init; } = 0.99;

    /// <summary>Key <c>gae_lambda</c>: GAE λ (0 gives one-step TD errors, 1 Monte-Carlo returns minus the baseline). Range [0, 1]. Default 0.95.</summary>
    public double GaeLambda { get; init; } = 0.95;

    /// <summary>Key <c>cg_damping</c>: damping added to the Fisher matrix in conjugate gradient, <c>(F + cg_damping·I) x = g</c>. Range [0, 10^3]. Default 0.1.</summary>
    public double CgDamping { get; init; } = 0.1;

    /// <summary>Key <c>cg_max_steps</c>: conjugate-gradient iterations per policy update. Range 1–1000. Default 15.</summary>
    public int CgMaxSteps { get; init; } = 15;

    /// <summary>Key <c>n_critic_updates</c>: passes of Adam over the rollout to fit the value network. Range 1–10^4. Default 10.</summary>
    public int CriticUpdates { get; init; } = 10;

    /// <summary>Key <c>learning_rate</c>: Adam learning rate of the value network (the policy step size comes from the trust region). Range (0, 1]. Default 1e-3.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Key <c>target_kl</c>: the trust-region radius δ, the largest mean KL divergence between the old and new policy an update may take. Range (0, 1]; typically 0.005–0.05. Default 0.01.</summary>
    public double TargetKl { get; init; } = 0.01;

    /// <summary>Key <c>line_search_max_iter</c>: backtracking steps of the line search before the update is rejected. Range 1–100. Default 10.</summary>
    public int LineSearchMaxIterations { get; init; } = 10;

    /// <summary>Key <c>line_search_shrinking_factor</c>: factor applied to the step at each backtracking step. Range (0, 1), exclusive. Default 0.8.</summary>
    public double LineSearchShrinkingFactor { get; init; } = 0.8;

    /// <summary>Key <c>normalize</c>: normalise observations and rewards with running statistics (the Zoo's <c>normalize: true</c>, VecNormalize defaults). Default false.</summary>
    public bool Normalize { get; init; }

    /// <summary>Key <c>norm_obs</c>: overrides <see cref="Normalize"/> for observations; null follows it.</summary>
    public bool? NormObs { get; init; }

    /// <summary>Key <c>norm_reward</c>: overrides <see cref="Normalize"/> for rewards; null follows it.</summary>
    public bool? NormReward { get; init; }

    /// <summary>Key <c>clip_obs</c>: normalised observations are clipped to ±clip_obs. Range (0, 10^6]. Default 10 (VecNormalize).</summary>
    public double ClipObs { get; init; } = 10.0;

    /// <summary>Key <c>clip_reward</c>: normalised rewards are clipped to ±clip_reward. Range (0, 10^6]. Default 10 (VecNormalize).</summary>
    public double ClipReward { get; init; } = 10.0;

    /// <summary>Key <c>normalize_advantage</c>: standardise advantages over the rollout before the policy step. Default true.</summary>
    public bool NormalizeAdvantage { get; init; } = true;

    /// <summary>
    /// Key <c>kl_per_action_dim</c>: measure a continuous policy's KL per action dimension, as sb3-contrib does
    /// (<c>kl_divergence(…).mean()</c> over the per-dimension KLs), so that <c>target_kl</c> and <c>cg_damping</c> mean what they
    /// mean there and in the RL Zoo's presets: for a d-dimensional Box the whole-action KL of a step may reach d · target_kl, and
    /// the damping of the whole-action Fisher matrix is d · cg_damping (<see cref="Trpo.TrpoOptions.KlPerActionDimension"/>).
    /// No effect on Discrete and MultiDiscrete actions or with one action dimension. Default true (sb3-contrib); false
    /// constrains the KL of the whole action, as the TRPO paper, OpenAI Baselines and Spinning Up do.
    /// </summary>
    public bool KlPerActionDim { get; init; } = true;

    /// <summary>Key <c>sub_sampling_factor</c> k: the whole policy step (advantage normalisation, surrogate, gradient, Fisher products, line search) uses every k-th transition of the rollout taken in a random order, as sb3-contrib; the value fit uses all. Range 1 to <c>n_steps × n_envs</c>. Default 1.</summary>
    public int SubSamplingFactor { get; init; } = 1;

    /// <summary>Key <c>ent_coef</c>: weight of the policy entropy added to the surrogate objective. Range [0, 1]. Default 0.</summary>
    public double EntCoef { get; init; }

    /// <summary>Key <c>net_arch</c>: hidden-layer sizes of the policy and value networks, each 1–4096 units, at most 16 layers. Default 64-64 for both.</summary>
    public NetArch NetArch { get; init; } = NetArch.Default;

    /// <summary>Key <c>activation_fn</c>: hidden activation, <c>tanh</c> or <c>relu</c>. Default tanh.</summary>
    public ActivationFunction Activation { get; init; } = ActivationFunction.Tanh;

    /// <summary>
    /// Key <c>precision</c>: arithmetic of the policy and value network passes, <c>single</c> (float32, as Stable-Baselines3;
    /// about twice the learner's speed of double; parameters, heads, conjugate gradient, line search and Adam stay double) or
    /// <c>double</c> (for exact work: the finite-difference checks run there). Default single. A checkpoint written before this
    /// key existed computed in double and resumes in double.
    /// </summary>
    public NetworkPrecision Precision { get; init; } = NetworkPrecision.Single;

    /// <summary>Key <c>log_std_init</c>: initial log standard deviation of a Gaussian policy. Range [-20, 2]. Default 0.</summary>
    public double LogStdInit { get; init; }

    /// <summary>Key <c>ortho_init</c>: orthogonal initialisation of the weights (SB3's gains √2, 0.01 for the policy head, 1 for the value head). Default true.</summary>
    public bool OrthoInit { get; init; } = true;

    /// <summary>Key <c>use_sde</c>: generalised state-dependent exploration for continuous actions. Default false.</summary>
    public bool UseSde { get; init; }

    /// <summary>Key <c>sde_sample_freq</c>: with <c>use_sde</c>, draw new exploration noise every this many steps; -1 draws it only at the start of each rollout. Range -1 or 1–10^7. Default -1.</summary>
    public int SdeSampleFreq { get; init; } = -1;

    /// <summary>Key <c>seed</c>: the run seed; it alone fixes network initialisation, environment resets and action sampling. Any unsigned 64-bit integer. Default 0.</summary>
    public ulong Seed { get; init; }

    /// <summary>Key <c>eval_freq</c>: evaluate (and keep the best model) every this many environment steps; 0 evaluates only at the end. Range 0–10^12. Default 25000 (the Zoo's).</summary>
    public long EvalFreq { get; init; } = 25_000;

    /// <summary>Key <c>n_eval_episodes</c>: episodes per evaluation. Range 1–10^5. Default 10.</summary>
    public int EvalEpisodes { get; init; } = 10;

    /// <summary>Key <c>checkpoint_freq</c>: write a checkpoint every this many environment steps (at the end of the iteration that crosses it); 0 only at the end and on interruption. Range 0–10^12. Default 10000.</summary>
    public long CheckpointFreq { get; init; } = 10_000;

    /// <summary>Key <c>vec_env</c>: how the copies are stepped, <c>auto</c>, <c>sequential</c> or <c>parallel</c>. Default auto.</summary>
    public VecEnvMode VecEnv { get; init; } = VecEnvMode.Auto;

    /// <summary>Observations are normalised: <see cref="NormObs"/> when set, else <see cref="Normalize"/>.</summary>
    public bool NormalizeObservations => NormObs ?? Normalize;

    /// <summary>Rewards are normalised: <see cref="NormReward"/> when set, else <see cref="Normalize"/>.</summary>
    public bool NormalizeRewards => NormReward ?? Normalize;

    /// <summary>Transitions per rollout, <c>n_steps × n_envs</c>.</summary>
    public long RolloutSize => (long)NumSteps * NumEnvs;

    /// <summary>Checks every key against its range and the rules between keys.</summary>
    /// <exception cref="ConfigException">A value is out of range; the message names the key, the value and the valid range.</exception>
    public void Validate() => ConfigSchema.Validate(this);
}
