namespace TrustRegion.Training;

/// <summary>
/// Hidden-layer sizes of the policy and value networks (RL Zoo key <c>net_arch</c>, in YAML either one list used for
/// both networks, <c>[64, 64]</c>, or a mapping <c>{pi: [64, 64], vf: [64, 64]}</c>).
/// </summary>
/// <remarks>Equality compares the sizes element by element, so two configurations with equal sizes are equal records.</remarks>
public sealed record NetArch
{
    /// <summary>Creates an architecture from the hidden sizes of each network.</summary>
    /// <param name="policy">Hidden sizes of the policy network, input side first; may be empty (a linear policy).</param>
    /// <param name="value">Hidden sizes of the value network, input side first; may be empty.</param>
    public NetArch(IEnumerable<int> policy, IEnumerable<int> value)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(value);
        Policy = [.. policy];
        Value = [.. value];
    }

    /// <summary>sb3-contrib's default: two hidden layers of 64 units for both networks.</summary>
    public static NetArch Default { get; } = new([64, 64], [64, 64]);

    /// <summary>Hidden sizes of the policy network (Zoo <c>pi</c>), input side first.</summary>
    public IReadOnlyList<int> Policy { get; }

    /// <summary>Hidden sizes of the value network (Zoo <c>vf</c>), input side first.</summary>
    public IReadOnlyList<int> Value { get; }

    /// <inheritdoc/>
    public bool Equals(NetArch? other) =>
        other is not null && Policy.SequenceEqual(other.Policy) && Value.SequenceEqual(other.Value);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Policy.Count);
        foreach (int size in Policy)
        {
            hash.Add(size);
        }
        hash.Add(Value.Count);
        foreach (int size in Value)
        {
            hash.Add(size);
        }
        return hash.ToHashCode();
    }

    /// <summary>The YAML flow form: <c>{pi: [64, 64], vf: [64, 64]}</c>.</summary>
    public override string ToString() => $"{{pi: [{string.Join(", ", Policy)}], vf: [{string.Join(", ", Value)}]}}";
}
