namespace TrustRegion.Envs;

/// <summary>
/// Read and write access to an environment's internal (physical) state, in addition to its observation.
/// </summary>
/// <remarks>
/// The state is a flat vector of doubles whose components are named by <see cref="StateNames"/> and documented on
/// each environment class. Writing a state does not count as a step and does not touch wrappers such as
/// <see cref="Wrappers.TimeLimit"/>; it makes the environment steppable as if it had been reset into that state.
/// Uses: parity tests against a reference implementation, curricula that start episodes in chosen states.
/// </remarks>
public interface IEnvState
{
    /// <summary>Names of the state components, in order; the length is the state size.</summary>
    IReadOnlyList<string> StateNames { get; }

    /// <summary>Copies the current state into <paramref name="destination"/> (length <c>StateNames.Count</c>).</summary>
    /// <exception cref="ArgumentException">The destination has the wrong length.</exception>
    void GetState(Span<double> destination);

    /// <summary>Overwrites the state with <paramref name="state"/> (length <c>StateNames.Count</c>) and clears any
    /// per-episode bookkeeping of the environment itself (for example CartPole's post-termination counter).</summary>
    /// <exception cref="ArgumentException">The state has the wrong length or a NaN component.</exception>
    void SetState(ReadOnlySpan<double> state);

    /// <summary>Writes the observation of the current state (the environment's observation rule) into <paramref name="observation"/>.</summary>
    void GetObservation(Span<double> observation);
}
