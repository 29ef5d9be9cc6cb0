namespace TrustRegion.Training;

/// <summary>A destination for training metrics: a row of named scalars at a step (progress.csv, TensorBoard, the console).</summary>
/// <remarks>Sinks only read what they are given; the trainer calls <see cref="Write"/> once per iteration.</remarks>
public interface IMetricSink : IDisposable
{
    /// <summary>Records <paramref name="metrics"/> at environment step <paramref name="step"/>.</summary>
    /// <param name="step">Total environment steps so far (the x axis); must not decrease between calls.</param>
    /// <param name="metrics">The row; each key at most once.</param>
    void Write(long step, ReadOnlySpan<Metric> metrics);

    /// <summary>Pushes buffered rows to their destination.</summary>
    void Flush();
}
