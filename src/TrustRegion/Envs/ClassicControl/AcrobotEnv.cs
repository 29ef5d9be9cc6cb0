using TrustRegion.Numerics;

namespace TrustRegion.Envs.ClassicControl;

/// <summary>
/// Acrobot-v1 (Sutton, 1996; Sutton and Barto, 1998), identical to Gymnasium 1.0.0's <c>AcrobotEnv</c> with its default
/// "book" dynamics, bit for bit: two links hanging from a fixed joint, torque applied at the middle joint only; swing the
/// tip above a bar one link-length over the pivot.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Observation</term><description><c>Box(float32, 6)</c>: cos θ1, sin θ1, cos θ2, sin θ2, ω1, ω2, each computed in
/// double from the state and rounded to float32. θ1 is the first link's angle (0 = hanging down), θ2 the second link's angle
/// relative to the first. Bounds ±(1, 1, 1, 1, 4π, 9π).</description></item>
/// <item><term>Action</term><description><c>Discrete(3)</c>: torque −1, 0 or +1 on the middle joint.</description></item>
/// <item><term>Reward</term><description>−1 for every step that does not reach the goal, 0 for the step that does.</description></item>
/// <item><term>Start state</term><description>θ1, θ2, ω1, ω2 each uniform in [−0.1, 0.1), rounded to float32 (as Gymnasium stores it).</description></item>
/// <item><term>Termination</term><description><c>−cos θ1 − cos(θ2 + θ1) &gt; 1</c> on the new state (strict).</description></item>
/// <item><term>Truncation</term><description>none in the environment; the registry wraps it in a 500-step <see cref="Wrappers.TimeLimit"/>.</description></item>
/// </list>
/// <para>Dynamics: one classical Runge–Kutta-4 step of h = 0.2 s, then each angle is wrapped into [−π, π] by adding or
/// subtracting 2π, and the velocities are clipped to ±4π and ±9π. Internal state (<see cref="IEnvState"/>):
/// <c>(theta1, theta2, dtheta1, dtheta2)</c> as doubles; after the first step it is never rounded again.</para>
/// </remarks>
public sealed class AcrobotEnv : ClassicControlEnv
{
    /// <summary>The registry id.</summary>
    public const string Id = "Acrobot-v1";

    private const double Pi = Math.PI;
    private const double TwoPi = 2 * Math.PI;
    private const double HalfPi = Math.PI / 2;
    private const double MaxVel1 = 4 * Math.PI;
    private const double MaxVel2 = 9 * Math.PI;
    private const double K1 = ((1.0 * 0.5) + (1.0 * 1.0)) * 9.8; // (m1·lc1 + m2·l1)·g = 14.700000000000001
    private const double K2 = 1.0 * 0.5 * 9.8;                   // m2·lc2·g = 4.9
    private const double HalfStep = 0.1;                         // dt / 2
    private const double Step1 = 0.2;                            // dt
    private const double H6 = 0.2 / 6.0;                         // dt / 6

    private static readonly string[] s_stateNames = ["theta1", "theta2", "dtheta1", "dtheta2"];

    /// <summary>Creates the environment; its generator starts from <paramref name="seed"/> until a reset passes another seed.</summary>
    public AcrobotEnv(ulong seed = 0)
        : base(Id, seed, CreateObservationSpace(), new Discrete(3), s_stateNames, -0.1, 0.1)
    {
    }

    /// <summary>Lower bound of the uniform start distribution (Gymnasium's <c>options["low"]</c>); default −0.1.</summary>
    public double ResetLow => StartParameter0;

    /// <summary>Upper bound of the uniform start distribution (Gymnasium's <c>options["high"]</c>); default 0.1.</summary>
    public double ResetHigh => StartParameter1;

    /// <summary>Sets the start distribution used by later resets.</summary>
    /// <exception cref="ArgumentException">A bound is not finite or low exceeds high.</exception>
    public void SetResetBounds(double low, double high) => SetStartRange(low, high, "theta1, theta2, dtheta1, dtheta2");

    /// <inheritdoc/>
    public override StepResult Step(ReadOnlySpan<double> action, Span<double> observation)
    {
        int a = BeginDiscreteStep(action, observation);
        double torque = a == 0 ? -1.0 : a == 1 ? 0.0 : 1.0;

        // Classical RK4 over y = (θ1, θ2, ω1, ω2, τ); τ's derivative is 0, so τ stays exact and is passed through.
        double y0 = State[0], y1 = State[1], y2 = State[2], y3 = State[3];
        Derivatives(y0, y1, y2, y3, torque, out double k1a, out double k1b, out double k1c, out double k1d);
        Derivatives(y0 + (HalfStep * k1a), y1 + (HalfStep * k1b), y2 + (HalfStep * k1c), y3 + (HalfStep * k1d), torque,
            out double k2a, out double k2b, out double k2c, out double k2d);
        Derivatives(y0 + (HalfStep * k2a), y1 + (HalfStep * k2b), y2 + (HalfStep * k2c), y3 + (HalfStep * k2d), torque,
            out double k3a, out double k3b, out double k3c, out double k3d);
        Derivatives(y0 + (Step1 * k3a), y1 + (Step1 * k3b), y2 + (Step1 * k3c), y3 + (Step1 * k3d), torque,
            out double k4a, out double k4b, out double k4c, out double k4d);
        double n0 = y0 + (H6 * (((k1a + (2 * k2a)) + (2 * k3a)) + k4a));
        double n1 = y1 + (H6 * (((k1b + (2 * k2b)) + (2 * k3b)) + k4b));
        double n2 = y2 + (H6 * (((k1c + (2 * k2c)) + (2 * k3c)) + k4c));
        double n3 = y3 + (H6 * (((k1d + (2 * k2d)) + (2 * k3d)) + k4d));

        double t1 = Wrap(n0);
        double t2 = Wrap(n1);
        State[0] = t1;
        State[1] = t2;
        State[2] = Math.Min(Math.Max(n2, -MaxVel1), MaxVel1);
        State[3] = Math.Min(Math.Max(n3, -MaxVel2), MaxVel2);

        bool terminated = ((-Math.Cos(t1)) - Math.Cos(t2 + t1)) > 1.0;
        WriteObservation(observation);
        return new StepResult(terminated ? 0.0 : -1.0, terminated, false);
    }

    /// <summary>
    /// Gymnasium's <c>_dsdt</c> with the book dynamics, constants folded as Gymnasium's arithmetic folds them; every other
    /// operation in Gymnasium's order. The squares of ω1, ω2 and d2 are the C library's <c>pow(x, 2)</c>, as numpy's <c>**</c>.
    /// </summary>
    private static void Derivatives(double t1, double t2, double w1, double w2, double torque,
        out double dt1, out double dt2, out double dw1, out double dw2)
    {
        double c2 = Math.Cos(t2);
        double s2 = Math.Sin(t2);
        double d1 = ((0.25 + (1.25 + c2)) + 1.0) + 1.0;
        double d2 = (0.25 + (0.5 * c2)) + 1.0;
        double phi2 = K2 * Math.Cos((t1 + t2) - HalfPi);
        double phi1 = ((((-0.5 * Math.Pow(w2, 2.0)) * s2) - ((w2 * w1) * s2)) + (K1 * Math.Cos(t1 - HalfPi))) + phi2;
        double ddt2 = (((torque + ((d2 / d1) * phi1)) - ((0.5 * Math.Pow(w1, 2.0)) * s2)) - phi2)
            / (1.25 - (Math.Pow(d2, 2.0) / d1));
        double ddt1 = (-((d2 * ddt2) + phi1)) / d1;
        dt1 = w1;
        dt2 = w2;
        dw1 = ddt1;
        dw2 = ddt2;
    }

    /// <summary>Gymnasium's <c>wrap</c>: subtract or add 2π until the angle is in [−π, π]; ±π itself stays.</summary>
    private static double Wrap(double x)
    {
        while (x > Pi)
        {
            x -= TwoPi;
        }
        while (x < -Pi)
        {
            x += TwoPi;
        }
        return x;
    }

    private protected override void SampleStart(Rng rng, double start0, double start1)
    {
        // Gymnasium stores the sampled start state as float32.
        for (int i = 0; i < 4; i++)
        {
            State[i] = (float)rng.NextDouble(start0, start1);
        }
    }

    private protected override void WriteObservation(Span<double> observation)
    {
        observation[5] = (float)State[3];
        observation[0] = (float)Math.Cos(State[0]);
        observation[1] = (float)Math.Sin(State[0]);
        observation[2] = (float)Math.Cos(State[1]);
        observation[3] = (float)Math.Sin(State[1]);
        observation[4] = (float)State[2];
    }

    private static Box CreateObservationSpace()
    {
        double[] high = [1, 1, 1, 1, (float)MaxVel1, (float)MaxVel2];
        double[] low = [-1, -1, -1, -1, -high[4], -high[5]];
        return new Box(low, high);
    }
}
