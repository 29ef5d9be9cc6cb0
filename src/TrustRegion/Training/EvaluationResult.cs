namespace TrustRegion.Training;

/// <summary>The outcome of evaluating a policy over whole episodes (raw, unnormalised rewards).</summary>
/// <param name="Episodes">Episodes run.</param>
/// <param name="ReturnMean">Mean episode return.</param>
/// <param name="ReturnStd">Population standard deviation of the episode returns.</param>
/// <param name="LengthMean">Mean episode length in steps.</param>
/// <param name="LengthStd">Population standard deviation of the episode lengths.</param>
public readonly record struct EvaluationResult(int Episodes, double ReturnMean, double ReturnStd, double LengthMean, double LengthStd);
