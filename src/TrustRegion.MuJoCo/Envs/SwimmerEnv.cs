namespace TrustRegion.MuJoCo.Envs;

/// <summary>Swimmer-v4: a three-link swimmer in a viscous fluid moves forward (Gymnasium v4 semantics, spec 2.4).</summary>
/// <remarks>
/// <list type="table">
/// <item><term>Observation (8, float64)</term><description>q2..q4 (body angle, two joint angles), v0..v4.</description></item>
/// <item><term>Action (2, float32)</term><description>joint torque commands in [−1, 1] (gear 150).</description></item>
/// <item><term>Reward</term><description>(x⁺ − x⁻)/dt − 1e-4·‖a‖², x = q0.</description></item>
/// <item><term>Start</term><description>q = U(−0.1, 0.1)⁵, v = U(−0.1, 0.1)⁵.</description></item>
/// <item><term>Termination</term><description>never.</description></item>
/// <item><term>Truncation</term><description>by the registry's time limit, 1000 steps.</description></item>
/// </list>
/// Physics: 0.01 s RK4 steps, frame skip 4 (dt 0.04 s); fluid density 4000, viscosity 0.1.
/// </remarks>
public sealed class SwimmerEnv : ForwardRunnerEnv
{
    /// <summary>
    /// Creates the environment on the model <see cref="SwimmerOptions.XmlFile"/> names (the shared embedded <c>swimmer.xml</c> by
    /// default), with Gymnasium's default constructor arguments unless <paramref name="options"/> are given.
    /// </summary>
    /// <exception cref="FileNotFoundException">The model file does not exist.</exception>
    /// <exception cref="MuJoCoException">MuJoCo rejects the model file.</exception>
    /// <exception cref="ArgumentException">The model does not have the robot's sizes, or a plain name is not an embedded model.</exception>
    public SwimmerEnv(SwimmerOptions? options = null)
        : this(MuJoCoModels.Resolve((options ??= new()).XmlFile), options)
    {
    }

    /// <summary>Creates the environment on a given model (nq 5, nv 5, nu 2), with Gymnasium's default constructor arguments unless <paramref name="options"/> are given (their <see cref="SwimmerOptions.XmlFile"/> is not used).</summary>
    public SwimmerEnv(MuJoCoModel model, SwimmerOptions? options = null)
        : base("Swimmer-v4", model, frameSkip: 4, nq: 5, nu: 2, positionsExcluded: 2, (options ??= new()).ForwardRewardWeight, options.CtrlCostWeight,
            options.ResetNoiseScale, normalVelocityNoise: false, options.ExcludeCurrentPositionsFromObservation) => Options = options;

    /// <summary>The constructor arguments in use.</summary>
    public SwimmerOptions Options { get; }
}
