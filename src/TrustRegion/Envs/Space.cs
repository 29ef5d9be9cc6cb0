using TrustRegion.Numerics;

namespace TrustRegion.Envs;

/// <summary>Element type of a space's values, as Gymnasium's dtype.</summary>
public enum ElementType
{
    /// <summary>IEEE-754 binary32 values (Gymnasium's <c>float32</c>), carried in doubles.</summary>
    Float32,

    /// <summary>IEEE-754 binary64 values.</summary>
    Float64,

    /// <summary>Integer values, carried in doubles.</summary>
    Int64,
}

/// <summary>The set of valid observations or actions of an environment, in Gymnasium's sense.</summary>
public abstract class Space
{
    /// <summary>Shape of one value (Gymnasium's <c>shape</c>).</summary>
    public abstract IReadOnlyList<int> Shape { get; }

    /// <summary>Number of doubles one value occupies when flattened (product of <see cref="Shape"/>).</summary>
    public abstract int FlatSize { get; }

    /// <summary>Element type of the values.</summary>
    public abstract ElementType ElementType { get; }

    /// <summary>True when <paramref name="value"/> (flat, length <see cref="FlatSize"/>) is a member of the space.</summary>
    public abstract bool Contains(ReadOnlySpan<double> value);

    /// <summary>Draws a uniformly random member (Gymnasium's <c>sample</c>) into <paramref name="destination"/>.</summary>
    public abstract void Sample(Rng rng, Span<double> destination);
}
