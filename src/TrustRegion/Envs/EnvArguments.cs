using System.Globalization;

namespace TrustRegion.Envs;

/// <summary>
/// An environment's keyword arguments read against its declared parameters: each given value parsed to its type, each
/// missing one at its default. Built by <see cref="Bind"/>, which rejects unknown names and malformed values with a message
/// naming the environment, the argument and what it accepts.
/// </summary>
public sealed class EnvArguments
{
    private readonly Dictionary<string, object> _given;
    private readonly Dictionary<string, EnvParameter> _parameters;

    private EnvArguments(string envId, IReadOnlyList<EnvParameter> parameters, Dictionary<string, EnvParameter> byName, Dictionary<string, object> given)
    {
        EnvId = envId;
        Parameters = parameters;
        _parameters = byName;
        _given = given;
    }

    /// <summary>The environment the arguments are for.</summary>
    public string EnvId { get; }

    /// <summary>The parameters the environment declares.</summary>
    public IReadOnlyList<EnvParameter> Parameters { get; }

    /// <summary>
    /// Reads <paramref name="kwargs"/> against <paramref name="parameters"/>.
    /// </summary>
    /// <exception cref="ArgumentException">An argument is not a parameter of the environment (the message suggests the closest
    /// names and lists all), or its value does not read as the parameter's type.</exception>
    public static EnvArguments Bind(string envId, IReadOnlyList<EnvParameter> parameters, EnvKwargs kwargs)
    {
        ArgumentNullException.ThrowIfNull(envId);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(kwargs);
        var byName = parameters.ToDictionary(p => p.Name, StringComparer.Ordinal);
        var given = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach ((string name, string text) in kwargs)
        {
            if (!byName.TryGetValue(name, out EnvParameter? parameter))
            {
                throw new ArgumentException(UnknownMessage(envId, parameters, name));
            }
            given[name] = Parse(parameter, text, envId);
        }
        return new EnvArguments(envId, parameters, byName, given);
    }

    /// <summary>True when the argument was given (not left at its default).</summary>
    public bool IsGiven(string name) => _given.ContainsKey(name);

    /// <summary>The value of a <see cref="EnvParameterType.Real"/> or <see cref="EnvParameterType.NonNegativeReal"/> parameter.</summary>
    public double Real(string name) => (double)Value(name, EnvParameterType.Real, EnvParameterType.NonNegativeReal);

    /// <summary>The value of a <see cref="EnvParameterType.Boolean"/> parameter.</summary>
    public bool Boolean(string name) => (bool)Value(name, EnvParameterType.Boolean, EnvParameterType.Boolean);

    /// <summary>The value of a <see cref="EnvParameterType.Text"/> parameter.</summary>
    public string Text(string name) => (string)Value(name, EnvParameterType.Text, EnvParameterType.Text);

    /// <summary>The value of a <see cref="EnvParameterType.Range"/> parameter.</summary>
    public (double Low, double High) Range(string name) => ((double, double))Value(name, EnvParameterType.Range, EnvParameterType.Range);

    private object Value(string name, EnvParameterType type, EnvParameterType alternative)
    {
        if (!_parameters.TryGetValue(name, out EnvParameter? p))
        {
            throw new ArgumentException($"{EnvId} declares no parameter '{name}'.", nameof(name));
        }
        if (p.Type != type && p.Type != alternative)
        {
            throw new ArgumentException($"{EnvId}: parameter '{name}' is of type {p.Type}, not {type}.", nameof(name));
        }
        return _given.TryGetValue(name, out object? v) ? v : Parse(p, p.Default, EnvId);
    }

    /// <summary>Parses <paramref name="text"/> as a value of <paramref name="parameter"/>'s type.</summary>
    /// <exception cref="ArgumentException">The text does not read as that type.</exception>
    public static object Parse(EnvParameter parameter, string text, string envId)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim();
        object? value = parameter.Type switch
        {
            EnvParameterType.Real => TryReal(t, allowInfinite: false) is { } r ? r : null,
            EnvParameterType.NonNegativeReal => TryReal(t, allowInfinite: false) is { } r && r >= 0 ? r : null,
            EnvParameterType.Boolean => t.Equals("true", StringComparison.OrdinalIgnoreCase) ? true
                : t.Equals("false", StringComparison.OrdinalIgnoreCase) ? false : null,
            EnvParameterType.Range => TryRange(t),
            EnvParameterType.Text => t.Length > 0 ? NormalizeText(parameter, t, envId) : null,
            _ => null,
        };
        return value ?? throw new ArgumentException(
            $"{envId}: invalid value '{text}' for the argument '{parameter.Name}'; expected {Expected(parameter.Type)} (default {parameter.Default}).",
            (Exception?)null);
    }

    /// <summary>
    /// The given arguments in canonical text (numbers in round-trip form, <c>true</c>/<c>false</c>, <c>[low, high]</c>, text
    /// through its parameter's <see cref="EnvParameter.Normalize"/>): binding them again gives the same values.
    /// </summary>
    public EnvKwargs ToKwargs() => EnvKwargs.From(_given.Select(g => new KeyValuePair<string, string>(g.Key, g.Value switch
    {
        double r => FormatReal(r),
        bool b => FormatBoolean(b),
        ValueTuple<double, double> range => FormatRange(range),
        _ => (string)g.Value,
    })));

    private static string NormalizeText(EnvParameter parameter, string text, string envId)
    {
        if (parameter.Normalize is null)
        {
            return text;
        }
        try
        {
            return parameter.Normalize(text);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{envId}: invalid value '{text}' for the argument '{parameter.Name}': {e.Message}", e);
        }
    }

    /// <summary>Formats a real the way <see cref="Parse"/> reads it: round-trip invariant digits, <c>.inf</c> and <c>-.inf</c>.</summary>
    public static string FormatReal(double value) =>
        double.IsPositiveInfinity(value) ? ".inf" : double.IsNegativeInfinity(value) ? "-.inf" : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Formats a boolean as <c>true</c> or <c>false</c>.</summary>
    public static string FormatBoolean(bool value) => value ? "true" : "false";

    /// <summary>Formats an interval as <c>[low, high]</c>.</summary>
    public static string FormatRange((double Low, double High) range) => $"[{FormatReal(range.Low)}, {FormatReal(range.High)}]";

    private static string Expected(EnvParameterType type) => type switch
    {
        EnvParameterType.Real => "a finite number",
        EnvParameterType.NonNegativeReal => "a finite number, zero or more",
        EnvParameterType.Boolean => "true or false",
        EnvParameterType.Text => "a non-empty text",
        _ => "an interval [low, high] of two numbers with low < high (either may be .inf or -.inf)",
    };

    private static double? TryReal(string text, bool allowInfinite)
    {
        string t = text.Trim();
        string unsigned = t.TrimStart('+', '-');
        bool negative = t.StartsWith('-');
        if (unsigned.Equals(".inf", StringComparison.OrdinalIgnoreCase) || unsigned.Equals("inf", StringComparison.OrdinalIgnoreCase)
            || unsigned.Equals("infinity", StringComparison.OrdinalIgnoreCase))
        {
            return allowInfinite && t.Length - unsigned.Length <= 1 ? (negative ? double.NegativeInfinity : double.PositiveInfinity) : null;
        }
        return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) ? v : null;
    }

    private static (double, double)? TryRange(string text)
    {
        if (text.Length < 2 || !((text[0] == '[' && text[^1] == ']') || (text[0] == '(' && text[^1] == ')')))
        {
            return null;
        }
        string[] parts = text[1..^1].Split(',');
        if (parts.Length != 2 || TryReal(parts[0], allowInfinite: true) is not { } low || TryReal(parts[1], allowInfinite: true) is not { } high)
        {
            return null;
        }
        return low < high ? (low, high) : null;
    }

    private static string UnknownMessage(string envId, IReadOnlyList<EnvParameter> parameters, string name)
    {
        if (parameters.Count == 0)
        {
            return $"{envId} takes no arguments, but env_kwargs gives '{name}'; remove env_kwargs.";
        }
        string[] close = [.. parameters
            .Select(p => (p.Name, Distance: EnvRegistry.EditDistance(name.ToLowerInvariant(), p.Name)))
            .Where(p => p.Distance <= Math.Max(2, name.Length / 3) || (name.Length >= 4 && p.Name.Contains(name, StringComparison.OrdinalIgnoreCase)))
            .OrderBy(p => p.Distance).ThenBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => p.Name)];
        string suggestion = close.Length > 0 ? $" Did you mean {string.Join(" or ", close.Take(3))}?" : "";
        return $"{envId} has no argument '{name}'.{suggestion} It accepts: {string.Join(", ", parameters.Select(p => p.Name))}.";
    }
}
