using TrustRegion.Numerics;

namespace TrustRegion.Envs;

/// <summary>A vector of independent discrete values, element i in <c>0 … Nvec[i] − 1</c> (Gymnasium's <c>MultiDiscrete</c>).</summary>
public sealed class MultiDiscrete : Space
{
    private readonly int[] _nvec;

    /// <summary>Creates the space from the number of values of each element.</summary>
    /// <exception cref="ArgumentException">The list is empty or has a non-positive count.</exception>
    public MultiDiscrete(IReadOnlyList<int> nvec)
    {
        if (nvec.Count == 0)
        {
            throw new ArgumentException("MultiDiscrete needs at least one element.", nameof(nvec));
        }
        for (int i = 0; i < nvec.Count; i++)
        {
            if (nvec[i] <= 0)
            {
                throw new ArgumentException($"MultiDiscrete element {i} has {nvec[i]} values; each needs at least 1.", nameof(nvec));
            }
        }
        _nvec = [.. nvec];
    }

    /// <summary>Number of values of each element.</summary>
    public IReadOnlyList<int> Nvec => _nvec;

    /// <inheritdoc/>
    public override IReadOnlyList<int> Shape => [_nvec.Length];

    /// <inheritdoc/>
    public override int FlatSize => _nvec.Length;

    /// <inheritdoc/>
    public override ElementType ElementType => ElementType.Int64;

    /// <inheritdoc/>
    public override bool Contains(ReadOnlySpan<double> value)
    {
        if (value.Length != _nvec.Length)
        {
            return false;
        }
        for (int i = 0; i < value.Length; i++)
        {
            double v = value[i];
            if (v != Math.Floor(v) || v < 0 || v >= _nvec[i])
            {
                return false;
            }
        }
        return true;
    }

    /// <inheritdoc/>
    public override void Sample(Rng rng, Span<double> destination)
    {
        for (int i = 0; i < _nvec.Length; i++)
        {
            destination[i] = rng.NextInt(_nvec[i]);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"MultiDiscrete([{string.Join(", ", _nvec)}])";
}
