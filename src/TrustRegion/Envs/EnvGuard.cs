using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace TrustRegion.Envs;

/// <summary>Boundary checks shared by environments and wrappers; the throwing paths live in cold helpers.</summary>
internal static class EnvGuard
{
    /// <summary>Checks a discrete action of a <see cref="Discrete"/> space and returns it as an integer.</summary>
    public static int DiscreteAction(string envId, Discrete space, ReadOnlySpan<double> action)
    {
        if (action.Length != 1)
        {
            ThrowWrongLength(envId, "action", action, space);
        }
        double a = action[0];
        int n = space.N, start = space.Start;
        if (!(a >= start && a < (double)start + n) || a != Math.Floor(a))
        {
            ThrowDiscrete(envId, a, space);
        }
        return (int)a;
    }

    /// <summary>Checks a one-element float32 continuous action and returns it rounded to float32 (Gymnasium's float32 action array).</summary>
    public static float Float32Action(string envId, Box space, ReadOnlySpan<double> action)
    {
        if (action.Length != 1)
        {
            ThrowWrongLength(envId, "action", action, space);
        }
        float a = (float)action[0];
        if (!float.IsFinite(a))
        {
            ThrowNotFinite(envId, action, space);
        }
        return a;
    }

    /// <summary>Checks an action against any space's length, finiteness and, for integer spaces, membership.</summary>
    public static void Action(string envId, Space space, ReadOnlySpan<double> action)
    {
        if (action.Length != space.FlatSize)
        {
            ThrowWrongLength(envId, "action", action, space);
        }
        for (int i = 0; i < action.Length; i++)
        {
            if (!double.IsFinite(action[i]))
            {
                ThrowNotFinite(envId, action, space);
            }
        }
        if (space.ElementType == ElementType.Int64 && !space.Contains(action))
        {
            ThrowNotInSpace(envId, action, space);
        }
    }

    /// <summary>Checks that an observation buffer has the observation space's size.</summary>
    public static void ObservationBuffer(string envId, Space space, Span<double> observation)
    {
        if (observation.Length != space.FlatSize)
        {
            ThrowObservationBuffer(envId, observation, space);
        }
    }

    [DoesNotReturn]
    public static void ThrowNotReset(string envId) =>
        throw new InvalidOperationException($"{envId}: Step was called before Reset. Call Reset (optionally with a seed) to start an episode first.");

    [DoesNotReturn]
    public static void ThrowWrongLength(string envId, string what, ReadOnlySpan<double> value, Space space) =>
        throw new ArgumentException($"{envId}: {what} {Format(value)} has length {value.Length}; expected ActionSpace.FlatSize = {space.FlatSize} for the space {space}.", what);

    [DoesNotReturn]
    private static void ThrowDiscrete(string envId, double action, Discrete space) =>
        throw new ArgumentOutOfRangeException(nameof(action), action, $"{envId}: action {Format(action)} is not in the action space {space}; expected an integer from {space.Start} to {space.Start + space.N - 1}.");

    [DoesNotReturn]
    private static void ThrowNotFinite(string envId, ReadOnlySpan<double> action, Space space) =>
        throw new ArgumentException($"{envId}: action {Format(action)} is not finite (NaN or infinite after rounding to the space's element type); the action space is {space}.", nameof(action));

    [DoesNotReturn]
    private static void ThrowNotInSpace(string envId, ReadOnlySpan<double> action, Space space) =>
        throw new ArgumentOutOfRangeException(nameof(action), $"{envId}: action {Format(action)} is not in the action space {space}.");

    [DoesNotReturn]
    public static void ThrowObservationBuffer(string envId, Span<double> observation, Space space) =>
        throw new ArgumentException($"{envId}: the observation buffer has length {observation.Length}; expected ObservationSpace.FlatSize = {space.FlatSize} for the space {space}.", nameof(observation));

    /// <summary>Formats values for messages with round-trip precision.</summary>
    public static string Format(ReadOnlySpan<double> values)
    {
        var sb = new StringBuilder("[");
        for (int i = 0; i < values.Length && i < 16; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }
            sb.Append(Format(values[i]));
        }
        if (values.Length > 16)
        {
            sb.Append(", …");
        }
        return sb.Append(']').ToString();
    }

    /// <summary>Formats one value with round-trip precision.</summary>
    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
