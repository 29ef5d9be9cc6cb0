using TrustRegion.Distributions;
using TrustRegion.Networks;

namespace TrustRegion.Trpo;

/// <summary>
/// Compact description of a policy: its network shape, head kind and action dimensions. Equal shapes have equal parameter
/// layouts, so a checkpoint compares shapes before loading a parameter vector.
/// </summary>
public sealed record PolicyShape
{
    private readonly int[] _actionDims;

    /// <summary>Creates a description.</summary>
    public PolicyShape(MlpShape network, HeadKind head, IReadOnlyList<int> actionDims, int headParameterCount)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(actionDims);
        Network = network;
        Head = head;
        _actionDims = [.. actionDims];
        HeadParameterCount = headParameterCount;
    }

    /// <summary>The policy network.</summary>
    public MlpShape Network { get; }

    /// <summary>Distribution family.</summary>
    public HeadKind Head { get; }

    /// <summary>Category counts per component, or the action dimension of a Gaussian.</summary>
    public IReadOnlyList<int> ActionDims => _actionDims;

    /// <summary>State-independent head parameters after the network's (the Gaussian's log-stds).</summary>
    public int HeadParameterCount { get; }

    /// <summary>Length of the flat parameter vector.</summary>
    public int ParameterCount => Network.ParameterCount + HeadParameterCount;

    /// <inheritdoc/>
    public bool Equals(PolicyShape? other) =>
        other is not null && Network.Equals(other.Network) && Head == other.Head && HeadParameterCount == other.HeadParameterCount
        && _actionDims.AsSpan().SequenceEqual(other._actionDims);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Network, Head, HeadParameterCount, _actionDims.Length > 0 ? _actionDims[0] : 0);

    /// <summary>E.g. <c>4-64-64-2 tanh, Categorical [2]</c>.</summary>
    public override string ToString() => $"{Network}, {Head} [{string.Join(", ", _actionDims)}]";
}
