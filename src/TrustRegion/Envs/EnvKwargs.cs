using System.Collections;

namespace TrustRegion.Envs;

/// <summary>
/// Keyword arguments for an environment's constructor, as written by a user (config key <c>env_kwargs</c>, RL Zoo's name):
/// argument names mapped to their values as text (<c>"0.5"</c>, <c>"false"</c>, <c>"[0.7, .inf]"</c>). Immutable, kept in
/// ordinal order of the names, and compared by content.
/// </summary>
/// <remarks>The text is read against the environment's declared <see cref="EnvParameter"/>s by
/// <see cref="EnvArguments.Bind"/>, which names any unknown argument or malformed value.</remarks>
public sealed class EnvKwargs : IReadOnlyList<KeyValuePair<string, string>>, IEquatable<EnvKwargs>
{
    private readonly KeyValuePair<string, string>[] _items;

    /// <summary>No arguments: every parameter takes its default.</summary>
    public static EnvKwargs Empty { get; } = new([]);

    private EnvKwargs(KeyValuePair<string, string>[] items) => _items = items;

    /// <summary>Creates the arguments from name/value pairs (names trimmed, values trimmed).</summary>
    /// <exception cref="ArgumentException">A name is empty or appears twice, or a value is empty.</exception>
    public static EnvKwargs From(IEnumerable<KeyValuePair<string, string>> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var items = new List<KeyValuePair<string, string>>();
        foreach ((string? rawName, string? rawValue) in arguments)
        {
            string name = (rawName ?? "").Trim();
            string value = (rawValue ?? "").Trim();
            if (name.Length == 0)
            {
                throw new ArgumentException("An environment argument has an empty name.", nameof(arguments));
            }
            if (value.Length == 0)
            {
                throw new ArgumentException($"The environment argument '{name}' has an empty value.", nameof(arguments));
            }
            if (items.Exists(i => i.Key == name))
            {
                throw new ArgumentException($"The environment argument '{name}' is given twice.", nameof(arguments));
            }
            items.Add(new(name, value));
        }
        items.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return items.Count == 0 ? Empty : new EnvKwargs([.. items]);
    }

    /// <summary>Creates the arguments from a dictionary (see <see cref="From(IEnumerable{KeyValuePair{string, string}})"/>).</summary>
    public static EnvKwargs From(IReadOnlyDictionary<string, string> arguments) => From((IEnumerable<KeyValuePair<string, string>>)arguments);

    /// <summary>These arguments with <paramref name="overrides"/> applied: its names replace the same names here, the others are kept.</summary>
    public EnvKwargs Merge(EnvKwargs overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        return overrides.IsEmpty ? this : From(_items.Where(i => overrides.Get(i.Key) is null).Concat(overrides._items));
    }

    /// <summary>Number of arguments.</summary>
    public int Count => _items.Length;

    /// <summary>True when no argument is given.</summary>
    public bool IsEmpty => _items.Length == 0;

    /// <summary>The argument at <paramref name="index"/> in name order.</summary>
    public KeyValuePair<string, string> this[int index] => _items[index];

    /// <summary>The value given for <paramref name="name"/>, or null.</summary>
    public string? Get(string name)
    {
        foreach (KeyValuePair<string, string> item in _items)
        {
            if (item.Key == name)
            {
                return item.Value;
            }
        }
        return null;
    }

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, string>>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc/>
    public bool Equals(EnvKwargs? other) => other is not null && _items.AsSpan().SequenceEqual(other._items);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as EnvKwargs);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (KeyValuePair<string, string> item in _items)
        {
            hash.Add(item.Key, StringComparer.Ordinal);
            hash.Add(item.Value, StringComparer.Ordinal);
        }
        return hash.ToHashCode();
    }

    /// <summary><c>{name: value, …}</c>, or <c>{}</c>.</summary>
    public override string ToString() => "{" + string.Join(", ", _items.Select(i => $"{i.Key}: {i.Value}")) + "}";
}
