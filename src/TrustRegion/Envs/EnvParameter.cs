namespace TrustRegion.Envs;

/// <summary>The kind of value an <see cref="EnvParameter"/> takes, and how its text is read.</summary>
public enum EnvParameterType
{
    /// <summary>A finite real number, such as <c>0.5</c> or <c>1e-3</c>.</summary>
    Real,

    /// <summary>A finite real number, zero or more.</summary>
    NonNegativeReal,

    /// <summary><c>true</c> or <c>false</c> (any letter case).</summary>
    Boolean,

    /// <summary>
    /// An interval of reals <c>[low, high]</c> (YAML list, or the text <c>[low, high]</c> or <c>(low, high)</c>) with
    /// <c>low &lt; high</c>; either end may be infinite (<c>.inf</c>, <c>inf</c>, <c>-.inf</c>). Whether the ends belong to
    /// it is the environment's rule, as in Gymnasium.
    /// </summary>
    Range,

    /// <summary>Any non-empty text, such as a file name; taken as written (trimmed).</summary>
    Text,
}

/// <summary>One keyword argument an environment's constructor accepts (Gymnasium's <c>gym.make(id, **kwargs)</c>).</summary>
/// <param name="Name">The argument's name, Gymnasium's spelling (e.g. <c>ctrl_cost_weight</c>).</param>
/// <param name="Type">The kind of value.</param>
/// <param name="Default">The default value as text, in the form <see cref="EnvArguments.Bind"/> reads.</param>
/// <param name="Description">What the argument changes, in one sentence.</param>
public sealed record EnvParameter(string Name, EnvParameterType Type, string Default, string Description)
{
    /// <summary>
    /// For a <see cref="EnvParameterType.Text"/> parameter: turns a given value into the canonical form kept in the run's
    /// configuration (a relative file path into an absolute one, for instance), or throws an <see cref="ArgumentException"/>
    /// naming what is wrong. Null keeps the text as given.
    /// </summary>
    public Func<string, string>? Normalize { get; init; }
}
