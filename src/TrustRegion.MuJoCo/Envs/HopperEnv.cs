namespace TrustRegion.MuJoCo.Envs;

/// <summary>Hopper-v4: a one-legged planar robot hops forward (Gymnasium v4 semantics, spec 2.5).</summary>
/// <remarks>
/// <list type="table">
/// <item><term>Observation (11, float64)</term><description>q1..q5 (height, pitch, thigh, leg, foot), clip(v0..v5, ±10).</description></item>
/// <item><term>Action (3, float32)</term><description>thigh, leg, foot torque commands in [−1, 1] (gear 200).</description></item>
/// <item><term>Reward</term><description>(x⁺ − x⁻)/dt + 1 − 0.001·‖a‖²; the healthy bonus 1 is paid every step, also the terminating one.</description></item>
/// <item><term>Start</term><description>q = (0, 1.25, 0, 0, 0, 0) + U(−0.005, 0.005)⁶, v = U(−0.005, 0.005)⁶.</description></item>
/// <item><term>Termination</term><description>unhealthy: some of q2..q5, v0..v5 outside (−100, 100), or height q1 ≤ 0.7, or |q2| ≥ 0.2.</description></item>
/// <item><term>Truncation</term><description>by the registry's time limit, 1000 steps.</description></item>
/// </list>
/// Physics: 0.002 s RK4 steps, frame skip 4 (dt 0.008 s).
/// </remarks>
public sealed class HopperEnv : PlanarWalkerEnv
{
    private readonly HopperOptions _options;

    /// <summary>
    /// Creates the environment on the model <see cref="HopperOptions.XmlFile"/> names (the shared embedded <c>hopper.xml</c> by
    /// default), with Gymnasium's default constructor arguments unless <paramref name="options"/> are given.
    /// </summary>
    /// <exception cref="FileNotFoundException">The model file does not exist.</exception>
    /// <exception cref="MuJoCoException">MuJoCo rejects the model file.</exception>
    /// <exception cref="ArgumentException">The model does not have the robot's sizes, or a plain name is not an embedded model.</exception>
    public HopperEnv(HopperOptions? options = null)
        : this(MuJoCoModels.Resolve((options ??= new()).XmlFile), options)
    {
    }

    /// <summary>Creates the environment on a given model (nq 6, nv 6, nu 3), with Gymnasium's default constructor arguments unless <paramref name="options"/> are given (their <see cref="HopperOptions.XmlFile"/> is not used).</summary>
    public HopperEnv(MuJoCoModel model, HopperOptions? options = null)
        : base("Hopper-v4", model, frameSkip: 4, nq: 6, nu: 3, (options ??= new()).ForwardRewardWeight, options.CtrlCostWeight, options.HealthyReward,
            options.TerminateWhenUnhealthy, options.ResetNoiseScale, options.ExcludeCurrentPositionsFromObservation) => _options = options;

    /// <summary>The constructor arguments in use.</summary>
    public HopperOptions Options => _options;

    /// <inheritdoc/>
    protected override bool IsHealthy(ReadOnlySpan<double> q, ReadOnlySpan<double> v)
    {
        (double lo, double hi) = _options.HealthyStateRange;
        (double zLo, double zHi) = _options.HealthyZRange;
        (double angleLo, double angleHi) = _options.HealthyAngleRange;
        bool healthyState = true;
        for (int i = 2; i < q.Length; i++)
        {
            healthyState &= q[i] > lo && q[i] < hi;
        }
        for (int i = 0; i < v.Length; i++)
        {
            healthyState &= v[i] > lo && v[i] < hi;
        }
        return healthyState && q[1] > zLo && q[1] < zHi && q[2] > angleLo && q[2] < angleHi;
    }
}
