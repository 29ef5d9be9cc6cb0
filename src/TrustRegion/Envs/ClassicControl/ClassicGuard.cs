using System.Diagnostics.CodeAnalysis;

namespace TrustRegion.Envs.ClassicControl;

/// <summary>Checks shared by the classic-control environments' state accessors and reset options.</summary>
internal static class ClassicGuard
{
    public static void StateLength(string envId, int length, int expected, string paramName)
    {
        if (length != expected)
        {
            ThrowStateLength(envId, length, expected, paramName);
        }
    }

    public static void StateValues(string envId, ReadOnlySpan<double> state)
    {
        for (int i = 0; i < state.Length; i++)
        {
            if (double.IsNaN(state[i]))
            {
                throw new ArgumentException($"{envId}: state component {i} is NaN; every component must be a number.", nameof(state));
            }
        }
    }

    public static void Bounds(string envId, double low, double high, string what)
    {
        if (!double.IsFinite(low) || !double.IsFinite(high) || low > high)
        {
            throw new ArgumentException($"{envId}: reset bounds for {what} are low {low}, high {high}; need finite values with low <= high.", what);
        }
    }

    [DoesNotReturn]
    private static void ThrowStateLength(string envId, int length, int expected, string paramName) =>
        throw new ArgumentException($"{envId}: state span has length {length}; expected {expected}.", paramName);
}
