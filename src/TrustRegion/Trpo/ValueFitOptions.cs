namespace TrustRegion.Trpo;

/// <summary>
/// How the value function is fitted after each policy step: Adam on the mean squared error to the returns, for
/// <see cref="Epochs"/> passes over shuffled minibatches. Defaults are sb3-contrib TRPO's.
/// </summary>
public sealed record ValueFitOptions
{
    /// <summary>Adam step size. Typical 1e-4–3e-3. Default 1e-3.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Passes over the batch (sb3-contrib's <c>n_critic_updates</c>). Default 10.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Samples per Adam step; the last minibatch of an epoch may be smaller. Default 128.</summary>
    public int MinibatchSize { get; init; } = 128;

    /// <summary>Checks every key; the exception names the key, its value and the valid range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A key is out of range.</exception>
    public void Validate()
    {
        TrpoOptions.Check(LearningRate > 0 && double.IsFinite(LearningRate), nameof(LearningRate), LearningRate, "a finite value > 0");
        TrpoOptions.Check(Epochs >= 1, nameof(Epochs), Epochs, "an integer ≥ 1");
        TrpoOptions.Check(MinibatchSize >= 1, nameof(MinibatchSize), MinibatchSize, "an integer ≥ 1");
    }
}
