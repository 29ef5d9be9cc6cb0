namespace TrustRegion.Envs;

/// <summary>
/// E copies of one environment stepped as a batch, with automatic reset at episode end ("same-step" autoreset,
/// as Stable-Baselines3's <c>DummyVecEnv</c>): when copy i ends an episode in a step, the returned observation row i
/// is already the first observation of its next episode, and the observation that ended the episode is kept in
/// <see cref="VectorStepBuffers.FinalObservations"/> for bootstrapping at a truncation.
/// </summary>
public interface IVectorEnv : IDisposable
{
    /// <summary>Number of environment copies E.</summary>
    int NumEnvs { get; }

    /// <summary>Observation space of one copy.</summary>
    Space ObservationSpace { get; }

    /// <summary>Action space of one copy.</summary>
    Space ActionSpace { get; }

    /// <summary>
    /// Resets every copy; copy i is seeded from <paramref name="seed"/> and i deterministically.
    /// </summary>
    /// <param name="seed">The run's environment seed.</param>
    /// <param name="observations">Receives E rows of <c>ObservationSpace.FlatSize</c>, row-major.</param>
    void Reset(ulong seed, Span<double> observations);

    /// <summary>Steps every copy with its row of <paramref name="actions"/> (E rows of <c>ActionSpace.FlatSize</c>).</summary>
    void Step(ReadOnlySpan<double> actions, VectorStepBuffers result);
}

/// <summary>Caller-owned outputs of <see cref="IVectorEnv.Step"/>, allocated once and reused every step.</summary>
public sealed class VectorStepBuffers
{
    /// <summary>Allocates buffers for <paramref name="numEnvs"/> copies with observations of <paramref name="obsSize"/> doubles.</summary>
    public VectorStepBuffers(int numEnvs, int obsSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numEnvs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(obsSize);
        NumEnvs = numEnvs;
        ObsSize = obsSize;
        Observations = new double[numEnvs * obsSize];
        FinalObservations = new double[numEnvs * obsSize];
        Rewards = new double[numEnvs];
        Terminated = new bool[numEnvs];
        Truncated = new bool[numEnvs];
        EpisodeReturns = new double[numEnvs];
        EpisodeLengths = new int[numEnvs];
    }

    /// <summary>Number of copies.</summary>
    public int NumEnvs { get; }

    /// <summary>Doubles per observation.</summary>
    public int ObsSize { get; }

    /// <summary>Next observations, [E, ObsSize] row-major; after an episode end, the reset observation.</summary>
    public double[] Observations { get; }

    /// <summary>The last observation of an ended episode, [E, ObsSize]; a row is valid only where Terminated or Truncated is set.</summary>
    public double[] FinalObservations { get; }

    /// <summary>Rewards, [E].</summary>
    public double[] Rewards { get; }

    /// <summary>Terminal-state flags, [E].</summary>
    public bool[] Terminated { get; }

    /// <summary>Truncation (time-limit) flags, [E].</summary>
    public bool[] Truncated { get; }

    /// <summary>
    /// Undiscounted raw return (sum of the environment's own rewards, before any normalisation) of the episode that ended in
    /// this step, [E]; an element is valid only where Terminated or Truncated is set. The channel the trainer logs from.
    /// </summary>
    public double[] EpisodeReturns { get; }

    /// <summary>Length in steps of the episode that ended in this step, [E]; valid only where Terminated or Truncated is set.</summary>
    public int[] EpisodeLengths { get; }

    /// <summary>Number of copies whose episode ended in this step (Terminated or Truncated).</summary>
    public int EpisodesEnded { get; set; }
}
