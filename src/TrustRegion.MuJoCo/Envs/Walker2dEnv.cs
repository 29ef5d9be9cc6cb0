namespace TrustRegion.MuJoCo.Envs;

/// <summary>Walker2d-v4: a planar biped walks forward (Gymnasium v4 semantics, spec 2.6).</summary>
/// <remarks>
/// <list type="table">
/// <item><term>Observation (17, float64)</term><description>q1..q8 (height, pitch, six leg joints), clip(v0..v8, ±10).</description></item>
/// <item><term>Action (6, float32)</term><description>right thigh, leg, foot, left thigh, leg, foot torque commands in [−1, 1] (gear 100).</description></item>
/// <item><term>Reward</term><description>(x⁺ − x⁻)/dt + 1 − 0.001·‖a‖²; the healthy bonus is paid every step.</description></item>
/// <item><term>Start</term><description>q = (0, 1.25, 0, …) + U(−0.005, 0.005)⁹, v = U(−0.005, 0.005)⁹.</description></item>
/// <item><term>Termination</term><description>unhealthy: height q1 outside (0.8, 2.0) or pitch q2 outside (−1, 1).</description></item>
/// <item><term>Truncation</term><description>by the registry's time limit, 1000 steps.</description></item>
/// </list>
/// Physics: 0.002 s RK4 steps, frame skip 4 (dt 0.008 s).
/// </remarks>
public sealed class Walker2dEnv : PlanarWalkerEnv
{
    private readonly Walker2dOptions _options;

    /// <summary>
    /// Creates the environment on the model <see cref="Walker2dOptions.XmlFile"/> names (the shared embedded <c>walker2d.xml</c> by
    /// default), with Gymnasium's default constructor arguments unless <paramref name="options"/> are given.
    /// </summary>
    /// <exception cref="FileNotFoundException">The model file does not exist.</exception>
    /// <exception cref="MuJoCoException">MuJoCo rejects the model file.</exception>
    /// <exception cref="ArgumentException">The model does not have the robot's sizes, or a plain name is not an embedded model.</exception>
    public Walker2dEnv(Walker2dOptions? options = null)
        : this(MuJoCoModels.Resolve((options ??= new()).XmlFile), options)
    {
    }

    /// <summary>Creates the environment on a given model (nq 9, nv 9, nu 6), with Gymnasium's default constructor arguments unless <paramref name="options"/> are given (their <see cref="Walker2dOptions.XmlFile"/> is not used).</summary>
    public Walker2dEnv(MuJoCoModel model, Walker2dOptions? options = null)
        : base("Walker2d-v4", model, frameSkip: 4, nq: 9, nu: 6, (options ??= new()).ForwardRewardWeight, options.CtrlCostWeight, options.HealthyReward,
            options.TerminateWhenUnhealthy, options.ResetNoiseScale, options.ExcludeCurrentPositionsFromObservation) => _options = options;

    /// <summary>The constructor arguments in use.</summary>
    public Walker2dOptions Options => _options;

    /// <inheritdoc/>
    protected override bool IsHealthy(ReadOnlySpan<double> q, ReadOnlySpan<double> v) =>
        q[1] > _options.HealthyZRange.Low && q[1] < _options.HealthyZRange.High && q[2] > _options.HealthyAngleRange.Low && q[2] < _options.HealthyAngleRange.High;
}
