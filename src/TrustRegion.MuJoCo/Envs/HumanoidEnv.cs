using TrustRegion.Numerics;

namespace TrustRegion.MuJoCo.Envs;

/// <summary>Humanoid-v4: a 3-D humanoid walks forward without falling (Gymnasium v4 semantics, spec 2.9).</summary>
/// <remarks>
/// <list type="table">
/// <item><term>Observation (376, float64)</term><description>q2..q23 (22), v (23), cinert (14×10), cvel (14×6), qfrc_actuator (23), cfrc_ext (14×6), world body included, row-major.</description></item>
/// <item><term>Action (17, float32)</term><description>torque commands in [−0.4, 0.4] (abdomen, legs, arms; gears 25–300).</description></item>
/// <item><term>Reward</term><description>1.25·(c⁺x − c⁻x)/dt + 5 − 0.1·‖a‖², c the mass-weighted mean of the body centres of mass (xipos).</description></item>
/// <item><term>Start</term><description>q = qpos0 + U(−0.01, 0.01)²⁴, v = U(−0.01, 0.01)²³.</description></item>
/// <item><term>Termination</term><description>unhealthy: torso z q2 outside (1.0, 2.0).</description></item>
/// <item><term>Truncation</term><description>by the registry's time limit, 1000 steps.</description></item>
/// </list>
/// Physics: 0.003 s RK4 steps with the PGS solver, frame skip 5 (dt 0.015 s).
/// </remarks>
public sealed class HumanoidEnv : MuJoCoEnv
{
    private readonly double _totalMass;
    private readonly HumanoidOptions _options;
    private readonly int _firstObservedPosition;
    private double _comXBefore;

    /// <summary>
    /// Creates the environment on the model <see cref="HumanoidOptions.XmlFile"/> names (the shared embedded <c>humanoid.xml</c> by
    /// default), with Gymnasium's default constructor arguments unless <paramref name="options"/> are given.
    /// </summary>
    /// <exception cref="FileNotFoundException">The model file does not exist.</exception>
    /// <exception cref="MuJoCoException">MuJoCo rejects the model file.</exception>
    /// <exception cref="ArgumentException">The model does not have the robot's sizes, or a plain name is not an embedded model.</exception>
    public HumanoidEnv(HumanoidOptions? options = null)
        : this(MuJoCoModels.Resolve((options ??= new()).XmlFile), options)
    {
    }

    /// <summary>Creates the environment on a given model (nq 24, nv 23, nu 17, 14 bodies), with Gymnasium's default constructor arguments unless <paramref name="options"/> are given (their <see cref="HumanoidOptions.XmlFile"/> is not used).</summary>
    public HumanoidEnv(MuJoCoModel model, HumanoidOptions? options = null)
        : base("Humanoid-v4", model, frameSkip: 5,
            observationSize: ((options ??= new()).ExcludeCurrentPositionsFromObservation ? 22 : 24) + 23 + (22 * model.NBody) + 23, nq: 24, nv: 23, nu: 17)
    {
        _totalMass = NumpyMath.Sum(model.BodyMass);
        _options = options;
        _firstObservedPosition = options.ExcludeCurrentPositionsFromObservation ? 2 : 0;
    }

    /// <summary>The constructor arguments in use.</summary>
    public HumanoidOptions Options => _options;

    /// <inheritdoc/>
    protected override void SampleInitialState(Rng rng, Span<double> qpos, Span<double> qvel)
    {
        for (int i = 0; i < qpos.Length; i++)
        {
            qpos[i] += rng.NextDouble(-_options.ResetNoiseScale, _options.ResetNoiseScale);
        }
        for (int i = 0; i < qvel.Length; i++)
        {
            qvel[i] += rng.NextDouble(-_options.ResetNoiseScale, _options.ResetNoiseScale);
        }
    }

    /// <inheritdoc/>
    protected override void BeforePhysics() => _comXBefore = CenterOfMassX();

    /// <inheritdoc/>
    protected override (double Reward, bool Terminated) Evaluate(ReadOnlySpan<double> action, Span<double> observation)
    {
        double xVelocity = (CenterOfMassX() - _comXBefore) / Dt;
        double ctrlCost = _options.CtrlCostWeight * NumpyMath.SumOfSquares(action);
        double z = Data.Qpos[2];
        bool healthy = z > _options.HealthyZRange.Low && z < _options.HealthyZRange.High;
        // Gymnasium: float(is_healthy or terminate_when_unhealthy) * healthy_reward.
        double rewards = (_options.ForwardRewardWeight * xVelocity) + (healthy || _options.TerminateWhenUnhealthy ? _options.HealthyReward : 0.0);
        WriteObservation(observation);
        return (rewards - ctrlCost, _options.TerminateWhenUnhealthy && !healthy);
    }

    /// <inheritdoc/>
    protected override void WriteObservation(Span<double> observation)
    {
        int at = 0;
        Append(Data.Qpos[_firstObservedPosition..], observation, ref at);
        Append(Data.Qvel, observation, ref at);
        Append(Data.Cinert, observation, ref at);
        Append(Data.Cvel, observation, ref at);
        Append(Data.QfrcActuator, observation, ref at);
        Append(Data.CfrcExt, observation, ref at);
    }

    private static void Append(ReadOnlySpan<double> source, Span<double> destination, ref int at)
    {
        source.CopyTo(destination[at..]);
        at += source.Length;
    }

    // Gymnasium's mass_center: np.sum(mass * xipos, axis=0) / np.sum(mass); the axis-0 sum runs over the bodies in order.
    private double CenterOfMassX()
    {
        ReadOnlySpan<double> mass = Model.BodyMass;
        ReadOnlySpan<double> xipos = Data.Xipos;
        double sum = 0.0;
        for (int b = 0; b < mass.Length; b++)
        {
            sum += mass[b] * xipos[3 * b];
        }
        return sum / _totalMass;
    }
}
