using TrustRegion.Envs;

namespace TrustRegion.MuJoCo.Envs;

// The constructor arguments of Gymnasium's v4 locomotion environments (gym.make(id, **kwargs); config key env_kwargs), one
// options record per environment with Gymnasium's defaults, and the table that reads them from env_kwargs. The defaults
// reproduce the environments bit for bit (the parity tests run on them).

/// <summary>Hopper-v4's constructor arguments (Gymnasium v4 names in the remarks of each property); the defaults are Gymnasium's.</summary>
public sealed record HopperOptions
{
    /// <summary>
    /// <c>xml_file</c>: the model, <c>hopper.xml</c> (the embedded one) by default. A name starting with <c>.</c>, <c>/</c> or
    /// <c>~</c> is a file (<see cref="MuJoCoModels.Resolve"/>) with the same sizes (nq 6, nv 6, nu 3). Gymnasium's v4 takes this
    /// argument for Ant only (v5 for every robot); here every locomotion robot takes it. Used by the constructors that take no model.
    /// </summary>
    public string XmlFile { get; init; } = "hopper.xml";

    /// <summary><c>forward_reward_weight</c>: weight of the forward velocity term. Default 1.</summary>
    public double ForwardRewardWeight { get; init; } = 1.0;

    /// <summary><c>ctrl_cost_weight</c>: weight of the control cost ‖a‖². Default 1e-3.</summary>
    public double CtrlCostWeight { get; init; } = 1e-3;

    /// <summary><c>healthy_reward</c>: bonus per step (paid every step when terminating on ill health, else only while healthy). Default 1.</summary>
    public double HealthyReward { get; init; } = 1.0;

    /// <summary><c>terminate_when_unhealthy</c>: end the episode when the robot becomes unhealthy. Default true.</summary>
    public bool TerminateWhenUnhealthy { get; init; } = true;

    /// <summary><c>healthy_state_range</c>: open interval every q2.. and v entry must stay in. Default (−100, 100).</summary>
    public (double Low, double High) HealthyStateRange { get; init; } = (-100.0, 100.0);

    /// <summary><c>healthy_z_range</c>: open interval of the height q1. Default (0.7, ∞).</summary>
    public (double Low, double High) HealthyZRange { get; init; } = (0.7, double.PositiveInfinity);

    /// <summary><c>healthy_angle_range</c>: open interval of the pitch q2. Default (−0.2, 0.2).</summary>
    public (double Low, double High) HealthyAngleRange { get; init; } = (-0.2, 0.2);

    /// <summary><c>reset_noise_scale</c>: half-width of the uniform noise on qpos and qvel at reset. Default 5e-3.</summary>
    public double ResetNoiseScale { get; init; } = 5e-3;

    /// <summary><c>exclude_current_positions_from_observation</c>: leave the x position out of the observation (11 entries; 12 with it). Default true.</summary>
    public bool ExcludeCurrentPositionsFromObservation { get; init; } = true;

    /// <summary>The declared arguments.</summary>
    public static EnvParameters<HopperOptions> Parameters { get; } = new EnvParameters<HopperOptions>()
        .Text("xml_file", o => o.XmlFile, (o, v) => o with { XmlFile = v }, "the model: hopper.xml (embedded) or a file path starting with ., / or ~ (nq 6, nv 6, nu 3)", MuJoCoModels.NormalizeXmlFile)
        .Real("forward_reward_weight", o => o.ForwardRewardWeight, (o, v) => o with { ForwardRewardWeight = v }, "weight of the forward velocity reward")
        .Real("ctrl_cost_weight", o => o.CtrlCostWeight, (o, v) => o with { CtrlCostWeight = v }, "weight of the control cost, the sum of squared actions")
        .Real("healthy_reward", o => o.HealthyReward, (o, v) => o with { HealthyReward = v }, "bonus per step: every step if terminate_when_unhealthy, else only while healthy")
        .Boolean("terminate_when_unhealthy", o => o.TerminateWhenUnhealthy, (o, v) => o with { TerminateWhenUnhealthy = v }, "end the episode when the hopper becomes unhealthy")
        .Range("healthy_state_range", o => o.HealthyStateRange, (o, v) => o with { HealthyStateRange = v }, "open interval every joint angle (qpos[2:]) and velocity must stay in")
        .Range("healthy_z_range", o => o.HealthyZRange, (o, v) => o with { HealthyZRange = v }, "open interval of the torso height qpos[1]")
        .Range("healthy_angle_range", o => o.HealthyAngleRange, (o, v) => o with { HealthyAngleRange = v }, "open interval of the torso pitch qpos[2]")
        .Real("reset_noise_scale", o => o.ResetNoiseScale, (o, v) => o with { ResetNoiseScale = v }, "half-width of the uniform reset noise on qpos and qvel", nonNegative: true)
        .Boolean("exclude_current_positions_from_observation", o => o.ExcludeCurrentPositionsFromObservation, (o, v) => o with { ExcludeCurrentPositionsFromObservation = v }, "leave the x position out of the observation (11 entries instead of 12)");
}

/// <summary>Walker2d-v4's constructor arguments; the defaults are Gymnasium's.</summary>
public sealed record Walker2dOptions
{
    /// <summary>
    /// <c>xml_file</c>: the model, <c>walker2d.xml</c> (the embedded one) by default. A name starting with <c>.</c>, <c>/</c> or
    /// <c>~</c> is a file (<see cref="MuJoCoModels.Resolve"/>) with the same sizes (nq 9, nv 9, nu 6). Gymnasium's v4 takes this
    /// argument for Ant only (v5 for every robot); here every locomotion robot takes it. Used by the constructors that take no model.
    /// </summary>
    public string XmlFile { get; init; } = "walker2d.xml";

    /// <summary><c>forward_reward_weight</c>: weight of the forward velocity term. Default 1.</summary>
    public double ForwardRewardWeight { get; init; } = 1.0;

    /// <summary><c>ctrl_cost_weight</c>: weight of the control cost ‖a‖². Default 1e-3.</summary>
    public double CtrlCostWeight { get; init; } = 1e-3;

    /// <summary><c>healthy_reward</c>: bonus per step (paid every step when terminating on ill health, else only while healthy). Default 1.</summary>
    public double HealthyReward { get; init; } = 1.0;

    /// <summary><c>terminate_when_unhealthy</c>: end the episode when the walker becomes unhealthy. Default true.</summary>
    public bool TerminateWhenUnhealthy { get; init; } = true;

    /// <summary><c>healthy_z_range</c>: open interval of the height q1. Default (0.8, 2).</summary>
    public (double Low, double High) HealthyZRange { get; init; } = (0.8, 2.0);

    /// <summary><c>healthy_angle_range</c>: open interval of the pitch q2. Default (−1, 1).</summary>
    public (double Low, double High) HealthyAngleRange { get; init; } = (-1.0, 1.0);

    /// <summary><c>reset_noise_scale</c>: half-width of the uniform noise on qpos and qvel at reset. Default 5e-3.</summary>
    public double ResetNoiseScale { get; init; } = 5e-3;

    /// <summary><c>exclude_current_positions_from_observation</c>: leave the x position out of the observation (17 entries; 18 with it). Default true.</summary>
    public bool ExcludeCurrentPositionsFromObservation { get; init; } = true;

    /// <summary>The declared arguments.</summary>
    public static EnvParameters<Walker2dOptions> Parameters { get; } = new EnvParameters<Walker2dOptions>()
        .Text("xml_file", o => o.XmlFile, (o, v) => o with { XmlFile = v }, "the model: walker2d.xml (embedded) or a file path starting with ., / or ~ (nq 9, nv 9, nu 6)", MuJoCoModels.NormalizeXmlFile)
        .Real("forward_reward_weight", o => o.ForwardRewardWeight, (o, v) => o with { ForwardRewardWeight = v }, "weight of the forward velocity reward")
        .Real("ctrl_cost_weight", o => o.CtrlCostWeight, (o, v) => o with { CtrlCostWeight = v }, "weight of the control cost, the sum of squared actions")
        .Real("healthy_reward", o => o.HealthyReward, (o, v) => o with { HealthyReward = v }, "bonus per step: every step if terminate_when_unhealthy, else only while healthy")
        .Boolean("terminate_when_unhealthy", o => o.TerminateWhenUnhealthy, (o, v) => o with { TerminateWhenUnhealthy = v }, "end the episode when the walker becomes unhealthy")
        .Range("healthy_z_range", o => o.HealthyZRange, (o, v) => o with { HealthyZRange = v }, "open interval of the torso height qpos[1]")
        .Range("healthy_angle_range", o => o.HealthyAngleRange, (o, v) => o with { HealthyAngleRange = v }, "open interval of the torso pitch qpos[2]")
        .Real("reset_noise_scale", o => o.ResetNoiseScale, (o, v) => o with { ResetNoiseScale = v }, "half-width of the uniform reset noise on qpos and qvel", nonNegative: true)
        .Boolean("exclude_current_positions_from_observation", o => o.ExcludeCurrentPositionsFromObservation, (o, v) => o with { ExcludeCurrentPositionsFromObservation = v }, "leave the x position out of the observation (17 entries instead of 18)");
}

/// <summary>HalfCheetah-v4's constructor arguments; the defaults are Gymnasium's.</summary>
public sealed record HalfCheetahOptions
{
    /// <summary>
    /// <c>xml_file</c>: the model, <c>half_cheetah.xml</c> (the embedded one) by default. A name starting with <c>.</c>, <c>/</c> or
    /// <c>~</c> is a file (<see cref="MuJoCoModels.Resolve"/>) with the same sizes (nq 9, nv 9, nu 6). Gymnasium's v4 takes this
    /// argument for Ant only (v5 for every robot); here every locomotion robot takes it. Used by the constructors that take no model.
    /// </summary>
    public string XmlFile { get; init; } = "half_cheetah.xml";

    /// <summary><c>forward_reward_weight</c>: weight of the forward velocity term. Default 1.</summary>
    public double ForwardRewardWeight { get; init; } = 1.0;

    /// <summary><c>ctrl_cost_weight</c>: weight of the control cost ‖a‖². Default 0.1.</summary>
    public double CtrlCostWeight { get; init; } = 0.1;

    /// <summary><c>reset_noise_scale</c>: half-width of the uniform qpos noise and standard deviation of the normal qvel noise at reset. Default 0.1.</summary>
    public double ResetNoiseScale { get; init; } = 0.1;

    /// <summary><c>exclude_current_positions_from_observation</c>: leave the x position out of the observation (17 entries; 18 with it). Default true.</summary>
    public bool ExcludeCurrentPositionsFromObservation { get; init; } = true;

    /// <summary>The declared arguments.</summary>
    public static EnvParameters<HalfCheetahOptions> Parameters { get; } = new EnvParameters<HalfCheetahOptions>()
        .Text("xml_file", o => o.XmlFile, (o, v) => o with { XmlFile = v }, "the model: half_cheetah.xml (embedded) or a file path starting with ., / or ~ (nq 9, nv 9, nu 6)", MuJoCoModels.NormalizeXmlFile)
        .Real("forward_reward_weight", o => o.ForwardRewardWeight, (o, v) => o with { ForwardRewardWeight = v }, "weight of the forward velocity reward")
        .Real("ctrl_cost_weight", o => o.CtrlCostWeight, (o, v) => o with { CtrlCostWeight = v }, "weight of the control cost, the sum of squared actions")
        .Real("reset_noise_scale", o => o.ResetNoiseScale, (o, v) => o with { ResetNoiseScale = v }, "half-width of the uniform qpos reset noise, and standard deviation of the normal qvel noise", nonNegative: true)
        .Boolean("exclude_current_positions_from_observation", o => o.ExcludeCurrentPositionsFromObservation, (o, v) => o with { ExcludeCurrentPositionsFromObservation = v }, "leave the x position out of the observation (17 entries instead of 18)");
}

/// <summary>Swimmer-v4's constructor arguments; the defaults are Gymnasium's.</summary>
public sealed record SwimmerOptions
{
    /// <summary>
    /// <c>xml_file</c>: the model, <c>swimmer.xml</c> (the embedded one) by default. A name starting with <c>.</c>, <c>/</c> or
    /// <c>~</c> is a file (<see cref="MuJoCoModels.Resolve"/>) with the same sizes (nq 5, nv 5, nu 2). Gymnasium's v4 takes this
    /// argument for Ant only (v5 for every robot); here every locomotion robot takes it. Used by the constructors that take no model.
    /// </summary>
    public string XmlFile { get; init; } = "swimmer.xml";

    /// <summary><c>forward_reward_weight</c>: weight of the forward velocity term. Default 1.</summary>
    public double ForwardRewardWeight { get; init; } = 1.0;

    /// <summary><c>ctrl_cost_weight</c>: weight of the control cost ‖a‖². Default 1e-4.</summary>
    public double CtrlCostWeight { get; init; } = 1e-4;

    /// <summary><c>reset_noise_scale</c>: half-width of the uniform noise on qpos and qvel at reset. Default 0.1.</summary>
    public double ResetNoiseScale { get; init; } = 0.1;

    /// <summary><c>exclude_current_positions_from_observation</c>: leave the x and y positions out of the observation (8 entries; 10 with them). Default true.</summary>
    public bool ExcludeCurrentPositionsFromObservation { get; init; } = true;

    /// <summary>The declared arguments.</summary>
    public static EnvParameters<SwimmerOptions> Parameters { get; } = new EnvParameters<SwimmerOptions>()
        .Text("xml_file", o => o.XmlFile, (o, v) => o with { XmlFile = v }, "the model: swimmer.xml (embedded) or a file path starting with ., / or ~ (nq 5, nv 5, nu 2)", MuJoCoModels.NormalizeXmlFile)
        .Real("forward_reward_weight", o => o.ForwardRewardWeight, (o, v) => o with { ForwardRewardWeight = v }, "weight of the forward velocity reward")
        .Real("ctrl_cost_weight", o => o.CtrlCostWeight, (o, v) => o with { CtrlCostWeight = v }, "weight of the control cost, the sum of squared actions")
        .Real("reset_noise_scale", o => o.ResetNoiseScale, (o, v) => o with { ResetNoiseScale = v }, "half-width of the uniform reset noise on qpos and qvel", nonNegative: true)
        .Boolean("exclude_current_positions_from_observation", o => o.ExcludeCurrentPositionsFromObservation, (o, v) => o with { ExcludeCurrentPositionsFromObservation = v }, "leave the x and y positions out of the observation (8 entries instead of 10)");
}

/// <summary>Ant-v4's constructor arguments; the defaults are Gymnasium's.</summary>
public sealed record AntOptions
{
    /// <summary>
    /// <c>xml_file</c>: the model, <c>ant.xml</c> (the embedded one) by default. A name starting with <c>.</c>, <c>/</c> or
    /// <c>~</c> is a file (<see cref="MuJoCoModels.Resolve"/>); it must have Ant's sizes (nq 15, nv 14, nu 8) and a body named
    /// "torso". Used by the constructors that take no model.
    /// </summary>
    public string XmlFile { get; init; } = "ant.xml";

    /// <summary><c>ctrl_cost_weight</c>: weight of the control cost ‖a‖². Default 0.5.</summary>
    public double CtrlCostWeight { get; init; } = 0.5;

    /// <summary><c>use_contact_forces</c>: append the clipped external contact forces of every body to the observation and charge the contact cost. Default false.</summary>
    public bool UseContactForces { get; init; }

    /// <summary><c>contact_cost_weight</c>: weight of the contact cost, the sum of squared clipped contact forces (only with <see cref="UseContactForces"/>). Default 5e-4.</summary>
    public double ContactCostWeight { get; init; } = 5e-4;

    /// <summary><c>healthy_reward</c>: bonus per step (paid every step when terminating on ill health, else only while healthy). Default 1.</summary>
    public double HealthyReward { get; init; } = 1.0;

    /// <summary><c>terminate_when_unhealthy</c>: end the episode when the ant becomes unhealthy. Default true.</summary>
    public bool TerminateWhenUnhealthy { get; init; } = true;

    /// <summary><c>healthy_z_range</c>: closed interval of the torso height q2. Default [0.2, 1].</summary>
    public (double Low, double High) HealthyZRange { get; init; } = (0.2, 1.0);

    /// <summary><c>contact_force_range</c>: the interval the contact forces are clipped to. Default [−1, 1].</summary>
    public (double Low, double High) ContactForceRange { get; init; } = (-1.0, 1.0);

    /// <summary><c>reset_noise_scale</c>: half-width of the uniform qpos noise and standard deviation of the normal qvel noise at reset. Default 0.1.</summary>
    public double ResetNoiseScale { get; init; } = 0.1;

    /// <summary><c>exclude_current_positions_from_observation</c>: leave the torso x and y out of the observation (27 entries; 29 with them). Default true.</summary>
    public bool ExcludeCurrentPositionsFromObservation { get; init; } = true;

    /// <summary>The declared arguments.</summary>
    public static EnvParameters<AntOptions> Parameters { get; } = new EnvParameters<AntOptions>()
        .Text("xml_file", o => o.XmlFile, (o, v) => o with { XmlFile = v }, "the model: ant.xml (embedded) or a file path starting with ., / or ~ (nq 15, nv 14, nu 8, a body named torso)", MuJoCoModels.NormalizeXmlFile)
        .Real("ctrl_cost_weight", o => o.CtrlCostWeight, (o, v) => o with { CtrlCostWeight = v }, "weight of the control cost, the sum of squared actions")
        .Boolean("use_contact_forces", o => o.UseContactForces, (o, v) => o with { UseContactForces = v }, "append the clipped contact forces of all bodies to the observation (84 more entries) and charge the contact cost")
        .Real("contact_cost_weight", o => o.ContactCostWeight, (o, v) => o with { ContactCostWeight = v }, "weight of the contact cost (only with use_contact_forces)")
        .Real("healthy_reward", o => o.HealthyReward, (o, v) => o with { HealthyReward = v }, "bonus per step: every step if terminate_when_unhealthy, else only while healthy")
        .Boolean("terminate_when_unhealthy", o => o.TerminateWhenUnhealthy, (o, v) => o with { TerminateWhenUnhealthy = v }, "end the episode when the ant becomes unhealthy")
        .Range("healthy_z_range", o => o.HealthyZRange, (o, v) => o with { HealthyZRange = v }, "closed interval of the torso height qpos[2] (the state must also be finite)")
        .Range("contact_force_range", o => o.ContactForceRange, (o, v) => o with { ContactForceRange = v }, "interval the contact forces are clipped to")
        .Real("reset_noise_scale", o => o.ResetNoiseScale, (o, v) => o with { ResetNoiseScale = v }, "half-width of the uniform qpos reset noise, and standard deviation of the normal qvel noise", nonNegative: true)
        .Boolean("exclude_current_positions_from_observation", o => o.ExcludeCurrentPositionsFromObservation, (o, v) => o with { ExcludeCurrentPositionsFromObservation = v }, "leave the torso x and y out of the observation (27 entries instead of 29)");
}

/// <summary>Humanoid-v4's constructor arguments; the defaults are Gymnasium's.</summary>
public sealed record HumanoidOptions
{
    /// <summary>
    /// <c>xml_file</c>: the model, <c>humanoid.xml</c> (the embedded one) by default. A name starting with <c>.</c>, <c>/</c> or
    /// <c>~</c> is a file (<see cref="MuJoCoModels.Resolve"/>) with the same sizes (nq 24, nv 23, nu 17, 14 bodies). Gymnasium's v4 takes this
    /// argument for Ant only (v5 for every robot); here every locomotion robot takes it. Used by the constructors that take no model.
    /// </summary>
    public string XmlFile { get; init; } = "humanoid.xml";

    /// <summary><c>forward_reward_weight</c>: weight of the centre-of-mass forward velocity term. Default 1.25.</summary>
    public double ForwardRewardWeight { get; init; } = 1.25;

    /// <summary><c>ctrl_cost_weight</c>: weight of the control cost ‖a‖². Default 0.1.</summary>
    public double CtrlCostWeight { get; init; } = 0.1;

    /// <summary><c>healthy_reward</c>: bonus per step (paid every step when terminating on ill health, else only while healthy). Default 5.</summary>
    public double HealthyReward { get; init; } = 5.0;

    /// <summary><c>terminate_when_unhealthy</c>: end the episode when the humanoid becomes unhealthy. Default true.</summary>
    public bool TerminateWhenUnhealthy { get; init; } = true;

    /// <summary><c>healthy_z_range</c>: open interval of the torso height q2. Default (1, 2).</summary>
    public (double Low, double High) HealthyZRange { get; init; } = (1.0, 2.0);

    /// <summary><c>reset_noise_scale</c>: half-width of the uniform noise on qpos and qvel at reset. Default 1e-2.</summary>
    public double ResetNoiseScale { get; init; } = 1e-2;

    /// <summary><c>exclude_current_positions_from_observation</c>: leave the torso x and y out of the observation (376 entries; 378 with them). Default true.</summary>
    public bool ExcludeCurrentPositionsFromObservation { get; init; } = true;

    /// <summary>The declared arguments.</summary>
    public static EnvParameters<HumanoidOptions> Parameters { get; } = new EnvParameters<HumanoidOptions>()
        .Text("xml_file", o => o.XmlFile, (o, v) => o with { XmlFile = v }, "the model: humanoid.xml (embedded) or a file path starting with ., / or ~ (nq 24, nv 23, nu 17, 14 bodies)", MuJoCoModels.NormalizeXmlFile)
        .Real("forward_reward_weight", o => o.ForwardRewardWeight, (o, v) => o with { ForwardRewardWeight = v }, "weight of the centre-of-mass forward velocity reward")
        .Real("ctrl_cost_weight", o => o.CtrlCostWeight, (o, v) => o with { CtrlCostWeight = v }, "weight of the control cost, the sum of squared actions")
        .Real("healthy_reward", o => o.HealthyReward, (o, v) => o with { HealthyReward = v }, "bonus per step: every step if terminate_when_unhealthy, else only while healthy")
        .Boolean("terminate_when_unhealthy", o => o.TerminateWhenUnhealthy, (o, v) => o with { TerminateWhenUnhealthy = v }, "end the episode when the humanoid becomes unhealthy")
        .Range("healthy_z_range", o => o.HealthyZRange, (o, v) => o with { HealthyZRange = v }, "open interval of the torso height qpos[2]")
        .Real("reset_noise_scale", o => o.ResetNoiseScale, (o, v) => o with { ResetNoiseScale = v }, "half-width of the uniform reset noise on qpos and qvel", nonNegative: true)
        .Boolean("exclude_current_positions_from_observation", o => o.ExcludeCurrentPositionsFromObservation, (o, v) => o with { ExcludeCurrentPositionsFromObservation = v }, "leave the torso x and y out of the observation (376 entries instead of 378)");
}
