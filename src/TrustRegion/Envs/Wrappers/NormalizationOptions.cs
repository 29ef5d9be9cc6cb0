namespace TrustRegion.Envs.Wrappers;

/// <summary>Settings of <see cref="VecNormalize"/>; the defaults are Stable-Baselines3's <c>VecNormalize</c> defaults.</summary>
public sealed record NormalizationOptions
{
    /// <summary>Normalise observations with their running mean and variance (requires a Box observation space).</summary>
    public bool NormalizeObservations { get; init; } = true;

    /// <summary>Divide rewards by the running standard deviation of the discounted return.</summary>
    public bool NormalizeRewards { get; init; } = true;

    /// <summary>Normalised observations are clipped to ±this; default 10.</summary>
    public double ClipObservations { get; init; } = 10.0;

    /// <summary>Normalised rewards are clipped to ±this; default 10.</summary>
    public double ClipRewards { get; init; } = 10.0;

    /// <summary>Discount of the return whose variance scales rewards: use the run's gamma; default 0.99.</summary>
    public double Gamma { get; init; } = 0.99;

    /// <summary>Added to variances before the square root; default 1e-8.</summary>
    public double Epsilon { get; init; } = 1e-8;

    /// <summary>Throws when a value is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A clip or epsilon is not positive, or gamma is outside [0, 1].</exception>
    public void Validate()
    {
        if (!(ClipObservations > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(ClipObservations), ClipObservations, "Must be positive.");
        }
        if (!(ClipRewards > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(ClipRewards), ClipRewards, "Must be positive.");
        }
        if (!(Gamma >= 0 && Gamma <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Gamma), Gamma, "Must be in [0, 1].");
        }
        if (!(Epsilon > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(Epsilon), Epsilon, "Must be positive.");
        }
    }
}
