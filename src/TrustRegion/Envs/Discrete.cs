using TrustRegion.Numerics;

namespace TrustRegion.Envs;

/// <summary>The integers <c>start, …, start + n − 1</c> (Gymnasium's <c>Discrete</c>); one value, carried as a double.</summary>
public sealed class Discrete : Space
{
    /// <summary>Creates a discrete space of <paramref name="n"/> values starting at <paramref name="start"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is not positive.</exception>
    public Discrete(int n, int start = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        N = n;
        Start = start;
    }

    /// <summary>Number of values.</summary>
    public int N { get; }

    /// <summary>The smallest value.</summary>
    public int Start { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<int> Shape => [];

    /// <inheritdoc/>
    public override int FlatSize => 1;

    /// <inheritdoc/>
    public override ElementType ElementType => ElementType.Int64;

    /// <inheritdoc/>
    public override bool Contains(ReadOnlySpan<double> value) =>
        value.Length == 1 && value[0] == Math.Floor(value[0]) && value[0] >= Start && value[0] < (double)Start + N;

    /// <inheritdoc/>
    public override void Sample(Rng rng, Span<double> destination) => destination[0] = Start + rng.NextInt(N);

    /// <inheritdoc/>
    public override string ToString() => Start == 0 ? $"Discrete({N})" : $"Discrete({N}, start={Start})";
}
