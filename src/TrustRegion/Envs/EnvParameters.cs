namespace TrustRegion.Envs;

/// <summary>
/// Declares the keyword arguments of an environment whose settings live in an immutable options record
/// <typeparamref name="TOptions"/> (its parameterless construction holding the defaults): each parameter's name, type and
/// description, with how to read it from and write it to the record. Gives the <see cref="EnvParameter"/> list for an
/// <see cref="EnvSpec"/> and turns <see cref="EnvArguments"/> into options.
/// </summary>
/// <typeparam name="TOptions">The options record.</typeparam>
public sealed class EnvParameters<TOptions>
    where TOptions : class, new()
{
    private readonly List<EnvParameter> _list = [];
    private readonly List<Func<TOptions, EnvArguments, TOptions>> _apply = [];
    private readonly TOptions _defaults = new();

    /// <summary>The declared parameters, in declaration order.</summary>
    public IReadOnlyList<EnvParameter> List => _list;

    /// <summary>Declares a real-valued parameter (finite; with <paramref name="nonNegative"/>, also at least 0).</summary>
    public EnvParameters<TOptions> Real(string name, Func<TOptions, double> get, Func<TOptions, double, TOptions> set, string description, bool nonNegative = false)
    {
        Add(new EnvParameter(name, nonNegative ? EnvParameterType.NonNegativeReal : EnvParameterType.Real, EnvArguments.FormatReal(get(_defaults)), description),
            (o, a) => set(o, a.Real(name)));
        return this;
    }

    /// <summary>Declares a boolean parameter.</summary>
    public EnvParameters<TOptions> Boolean(string name, Func<TOptions, bool> get, Func<TOptions, bool, TOptions> set, string description)
    {
        Add(new EnvParameter(name, EnvParameterType.Boolean, EnvArguments.FormatBoolean(get(_defaults)), description), (o, a) => set(o, a.Boolean(name)));
        return this;
    }

    /// <summary>Declares a text parameter (a file name, for instance).</summary>
    /// <param name="name">The argument's name.</param>
    /// <param name="get">Reads the value from the options.</param>
    /// <param name="set">Writes the value into a copy of the options.</param>
    /// <param name="description">What the argument changes.</param>
    /// <param name="normalize">Turns a given value into its canonical form (see <see cref="EnvParameter.Normalize"/>).</param>
    public EnvParameters<TOptions> Text(string name, Func<TOptions, string> get, Func<TOptions, string, TOptions> set, string description, Func<string, string>? normalize = null)
    {
        Add(new EnvParameter(name, EnvParameterType.Text, get(_defaults), description) { Normalize = normalize }, (o, a) => set(o, a.Text(name)));
        return this;
    }

    /// <summary>Declares an interval parameter.</summary>
    public EnvParameters<TOptions> Range(string name, Func<TOptions, (double Low, double High)> get, Func<TOptions, (double Low, double High), TOptions> set, string description)
    {
        Add(new EnvParameter(name, EnvParameterType.Range, EnvArguments.FormatRange(get(_defaults)), description), (o, a) => set(o, a.Range(name)));
        return this;
    }

    /// <summary>The options that <paramref name="arguments"/> give: the defaults, with every given argument applied.</summary>
    public TOptions Bind(EnvArguments arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        TOptions options = new();
        for (int i = 0; i < _list.Count; i++)
        {
            if (arguments.IsGiven(_list[i].Name))
            {
                options = _apply[i](options, arguments);
            }
        }
        return options;
    }

    private void Add(EnvParameter parameter, Func<TOptions, EnvArguments, TOptions> apply)
    {
        if (_list.Exists(p => p.Name == parameter.Name))
        {
            throw new ArgumentException($"Parameter '{parameter.Name}' is declared twice.", nameof(parameter));
        }
        _list.Add(parameter);
        _apply.Add(apply);
    }
}
