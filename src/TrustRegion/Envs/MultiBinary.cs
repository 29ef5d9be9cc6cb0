using TrustRegion.Numerics;

namespace TrustRegion.Envs;

/// <summary>A vector of n bits, each 0 or 1 (Gymnasium's <c>MultiBinary</c>).</summary>
public sealed class MultiBinary : Space
{
    /// <summary>Creates the space of <paramref name="n"/> bits.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is not positive.</exception>
    public MultiBinary(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        N = n;
    }

    /// <summary>Number of bits.</summary>
    public int N { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<int> Shape => [N];

    /// <inheritdoc/>
    public override int FlatSize => N;

    /// <inheritdoc/>
    public override ElementType ElementType => ElementType.Int64;

    /// <inheritdoc/>
    public override bool Contains(ReadOnlySpan<double> value)
    {
        if (value.Length != N)
        {
            return false;
        }
        foreach (double v in value)
        {
            if (v != 0.0 && v != 1.0)
            {
                return false;
            }
        }
        return true;
    }

    /// <inheritdoc/>
    public override void Sample(Rng rng, Span<double> destination)
    {
        for (int i = 0; i < N; i++)
        {
            destination[i] = rng.NextUInt64() >> 63;
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"MultiBinary({N})";
}
