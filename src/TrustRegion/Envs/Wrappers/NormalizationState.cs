namespace TrustRegion.Envs.Wrappers;

/// <summary>
/// The statistics of a <see cref="VecNormalize"/> as plain arrays, for checkpoints: observation mean and variance per
/// element with their count, and the variance of the discounted return with its count.
/// </summary>
/// <param name="ObservationMean">Running mean of each observation element.</param>
/// <param name="ObservationVariance">Running variance of each observation element.</param>
/// <param name="ObservationCount">Number of observations merged (plus 1e-4).</param>
/// <param name="ReturnMean">Running mean of the discounted return (kept for completeness; not used to scale).</param>
/// <param name="ReturnVariance">Running variance of the discounted return; rewards are divided by its square root.</param>
/// <param name="ReturnCount">Number of returns merged (plus 1e-4).</param>
public sealed record NormalizationState(
    double[] ObservationMean, double[] ObservationVariance, double ObservationCount,
    double ReturnMean, double ReturnVariance, double ReturnCount);
