namespace TrustRegion.Envs;

/// <summary>
/// An environment in Gymnasium's shape, allocation-free: the caller owns the observation and action buffers.
/// </summary>
/// <remarks>
/// Observations and actions travel as flat <see cref="double"/> spans in the layout of
/// <see cref="Space.FlatSize"/>. Where a space's element type is <see cref="ElementType.Float32"/>, the
/// environment writes values that are exactly representable as <see cref="float"/> (Gymnasium's float32
/// observations) and rounds continuous actions to float32 before using them, so nothing is lost by the
/// double transport. Discrete actions are integer-valued doubles.
/// </remarks>
public interface IEnv : IDisposable
{
    /// <summary>The space every observation lies in.</summary>
    Space ObservationSpace { get; }

    /// <summary>The space of valid actions.</summary>
    Space ActionSpace { get; }

    /// <summary>
    /// Starts a new episode. With a seed, the environment's generator is re-seeded first (Gymnasium's
    /// <c>reset(seed=...)</c>); without one it continues from its current generator state.
    /// </summary>
    /// <param name="seed">Optional seed for the environment's own generator.</param>
    /// <param name="observation">Receives the first observation; length <c>ObservationSpace.FlatSize</c>.</param>
    void Reset(ulong? seed, Span<double> observation);

    /// <summary>Advances the environment by one action.</summary>
    /// <param name="action">The action, length <c>ActionSpace.FlatSize</c>.</param>
    /// <param name="observation">Receives the next observation, length <c>ObservationSpace.FlatSize</c>.</param>
    /// <returns>Reward and the two end-of-episode flags, kept apart as in Gymnasium.</returns>
    StepResult Step(ReadOnlySpan<double> action, Span<double> observation);
}

/// <summary>The outcome of one <see cref="IEnv.Step"/> call besides the observation.</summary>
/// <param name="Reward">The reward for the transition.</param>
/// <param name="Terminated">The episode reached a terminal state of the task (no bootstrapping past it).</param>
/// <param name="Truncated">The episode was cut short from outside the task, e.g. by a time limit (bootstrap from the final observation).</param>
public readonly record struct StepResult(double Reward, bool Terminated, bool Truncated);
