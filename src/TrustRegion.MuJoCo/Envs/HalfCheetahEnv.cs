namespace TrustRegion.MuJoCo.Envs;

/// <summary>HalfCheetah-v4: a planar cheetah runs forward (Gymnasium v4 semantics, spec 2.7).</summary>
/// <remarks>
/// <list type="table">
/// <item><term>Observation (17, float64)</term><description>q1..q8 (height displacement, pitch, six joints), v0..v8 (not clipped).</description></item>
/// <item><term>Action (6, float32)</term><description>bthigh, bshin, bfoot, fthigh, fshin, ffoot torque commands in [−1, 1].</description></item>
/// <item><term>Reward</term><description>(x⁺ − x⁻)/dt − 0.1·‖a‖².</description></item>
/// <item><term>Start</term><description>q = U(−0.1, 0.1)⁹, v = 0.1·N(0, 1)⁹.</description></item>
/// <item><term>Termination</term><description>never.</description></item>
/// <item><term>Truncation</term><description>by the registry's time limit, 1000 steps.</description></item>
/// </list>
/// Physics: 0.01 s Euler steps, frame skip 5 (dt 0.05 s).
/// </remarks>
public sealed class HalfCheetahEnv : ForwardRunnerEnv
{
    /// <summary>
    /// Creates the environment on the model <see cref="HalfCheetahOptions.XmlFile"/> names (the shared embedded <c>half_cheetah.xml</c> by
    /// default), with Gymnasium's default constructor arguments unless <paramref name="options"/> are given.
    /// </summary>
    /// <exception cref="FileNotFoundException">The model file does not exist.</exception>
    /// <exception cref="MuJoCoException">MuJoCo rejects the model file.</exception>
    /// <exception cref="ArgumentException">The model does not have the robot's sizes, or a plain name is not an embedded model.</exception>
    public HalfCheetahEnv(HalfCheetahOptions? options = null)
        : this(MuJoCoModels.Resolve((options ??= new()).XmlFile), options)
    {
    }

    /// <summary>Creates the environment on a given model (nq 9, nv 9, nu 6), with Gymnasium's default constructor arguments unless <paramref name="options"/> are given (their <see cref="HalfCheetahOptions.XmlFile"/> is not used).</summary>
    public HalfCheetahEnv(MuJoCoModel model, HalfCheetahOptions? options = null)
        : base("HalfCheetah-v4", model, frameSkip: 5, nq: 9, nu: 6, positionsExcluded: 1, (options ??= new()).ForwardRewardWeight, options.CtrlCostWeight,
            options.ResetNoiseScale, normalVelocityNoise: true, options.ExcludeCurrentPositionsFromObservation) => Options = options;

    /// <summary>The constructor arguments in use.</summary>
    public HalfCheetahOptions Options { get; }
}
