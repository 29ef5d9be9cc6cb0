namespace TrustRegion.Training;

/// <summary>One named scalar of a metrics row, e.g. <c>("train/kl", 0.0093)</c>.</summary>
/// <param name="Key">The metric's name, namespaced as in <see cref="MetricKeys"/>.</param>
/// <param name="Value">The value; NaN when it is undefined (e.g. no episode finished yet).</param>
public readonly record struct Metric(string Key, double Value);
