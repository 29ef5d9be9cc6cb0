using System.Reflection;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace TrustRegion.Training;

/// <summary>
/// Builds a <see cref="TrpoConfig"/> in layers — sb3-contrib defaults, the environment's embedded RL Zoo preset, a
/// user YAML file, then <c>key=value</c> overrides — and reads and writes the resolved configuration as YAML.
/// </summary>
/// <remarks>
/// Keys use the RL Zoo spelling (<c>n_steps</c>, <c>target_kl</c>, ...); <see cref="KeyNames"/> lists them in the order
/// the serialised file uses. Every value is checked as it is read and the result is validated as a whole
/// (<see cref="TrpoConfig.Validate"/>); failures raise <see cref="ConfigException"/> with the key, the value, where it
/// came from and the valid range. Unknown keys are rejected with the closest known key as a suggestion.
/// </remarks>
public static class ConfigResolver
{
    private const string PresetResource = "TrustRegion.Training.Presets.trpo.yml";

    private static readonly Lazy<Dictionary<string, YamlMappingNode>> s_presets = new(LoadPresets);

    /// <summary>Every configuration key, in the order of the serialised file.</summary>
    public static IReadOnlyList<string> KeyNames { get; } = [.. ConfigSchema.Keys.Select(k => k.Name)];

    /// <summary>The environment ids that have an embedded preset, in the order of the preset file.</summary>
    public static IReadOnlyList<string> PresetIds => [.. s_presets.Value.Keys];

    /// <summary>True when <paramref name="envId"/> has an embedded preset (ids are case-sensitive, as in Gymnasium).</summary>
    public static bool HasPreset(string envId) => s_presets.Value.ContainsKey(envId);

    /// <summary>sb3-contrib's TRPO defaults for <paramref name="envId"/>, ignoring any preset.</summary>
    /// <exception cref="ConfigException">The id is empty or has surrounding white space.</exception>
    public static TrpoConfig Defaults(string envId)
    {
        ArgumentNullException.ThrowIfNull(envId);
        var config = new TrpoConfig { EnvId = envId };
        ConfigSchema.Keys[0].Check(config, "environment id");
        return config;
    }

    /// <summary>The defaults with <paramref name="envId"/>'s preset applied; the defaults alone when it has none.</summary>
    public static TrpoConfig Preset(string envId)
    {
        TrpoConfig config = Defaults(envId);
        if (s_presets.Value.TryGetValue(envId, out YamlMappingNode? preset))
        {
            config = ApplyMapping(config, preset, $"the embedded preset for {envId}");
        }
        config.Validate();
        return config;
    }

    /// <summary>Resolves a run's configuration: defaults, preset, the user's YAML, then overrides, validated as a whole.</summary>
    /// <param name="envId">The environment id.</param>
    /// <param name="userYaml">Contents of a user YAML file (a mapping of keys to values), or null.</param>
    /// <param name="overrides"><c>key=value</c> strings; a value is read as YAML, so <c>net_arch=[32, 32]</c> works.</param>
    /// <param name="userYamlName">Name of the user file for messages, e.g. its path.</param>
    /// <exception cref="ConfigException">Unknown key, malformed YAML, invalid value, or an <c>env_id</c> in the file that differs from <paramref name="envId"/>.</exception>
    public static TrpoConfig Resolve(string envId, string? userYaml = null, IEnumerable<string>? overrides = null, string? userYamlName = null)
    {
        TrpoConfig config = Preset(envId);
        if (userYaml is not null)
        {
            config = ApplyYaml(config, userYaml, userYamlName ?? "the configuration file");
            if (config.EnvId != envId)
            {
                throw new ConfigException(
                    $"Invalid value for 'env_id' ({userYamlName ?? "the configuration file"}): {config.EnvId} differs from the requested environment {envId}; remove env_id from the file or train {config.EnvId}.",
                    "env_id");
            }
        }
        if (overrides is not null)
        {
            config = ApplyOverrides(config, overrides);
        }
        config.Validate();
        return config;
    }

    /// <summary>Applies the keys of a YAML mapping on top of <paramref name="config"/> (not yet validated as a whole).</summary>
    /// <param name="config">The configuration to start from.</param>
    /// <param name="yaml">A YAML document whose root is a mapping of keys to values; an empty document changes nothing.</param>
    /// <param name="sourceName">Where the text came from, for messages.</param>
    /// <exception cref="ConfigException">Malformed YAML (with line and column), an unknown key, or an invalid value.</exception>
    public static TrpoConfig ApplyYaml(TrpoConfig config, string yaml, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(yaml);
        YamlNode? root = ParseDocument(yaml, sourceName);
        return root switch
        {
            null => config,
            YamlMappingNode map => ApplyMapping(config, map, sourceName),
            YamlScalarNode { Value: null or "" or "~" or "null" } => config,
            _ => throw new ConfigException(
                $"{sourceName}, line {root.Start.Line}, column {root.Start.Column}: expected a mapping of 'key: value' lines at the top level, found a {(root is YamlSequenceNode ? "list" : "single value")}."),
        };
    }

    /// <summary>Applies <c>key=value</c> overrides in order (not yet validated as a whole).</summary>
    /// <exception cref="ConfigException">An override lacks '=', names an unknown key, or has an invalid value.</exception>
    public static TrpoConfig ApplyOverrides(TrpoConfig config, IEnumerable<string> overrides)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(overrides);
        foreach (string item in overrides)
        {
            int eq = item.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new ConfigException($"Invalid override '{item}': expected key=value, for example target_kl=0.02.");
            }
            string name = item[..eq].Trim();
            string valueText = item[(eq + 1)..].Trim();
            ConfigKey key = Lookup(name, $"override '{item}'");
            if (valueText.Length == 0)
            {
                throw new ConfigException($"Invalid override '{item}': the value is empty; valid: {key.Valid}.", key.Name);
            }
            YamlNode value = ParseDocument(valueText, $"override '{item}'")
                ?? throw new ConfigException($"Invalid override '{item}': the value is empty; valid: {key.Valid}.", key.Name);
            config = key.Apply(config, value, $"override '{item}'");
        }
        return config;
    }

    /// <summary>Reads a resolved configuration written by <see cref="ToYaml"/>; keys it lacks take the defaults.</summary>
    /// <param name="yaml">The file's text; it must contain <c>env_id</c>.</param>
    /// <param name="sourceName">Where the text came from, for messages.</param>
    /// <exception cref="ConfigException">The text is malformed, lacks <c>env_id</c>, or holds an invalid value.</exception>
    public static TrpoConfig FromYaml(string yaml, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        sourceName ??= "the configuration";
        var unset = new TrpoConfig();
        TrpoConfig config = ApplyYaml(unset, yaml, sourceName);
        if (config.EnvId.Length == 0)
        {
            throw new ConfigException($"{sourceName} has no env_id; add a line such as 'env_id: CartPole-v1'.", "env_id");
        }
        config.Validate();
        return config;
    }

    /// <summary>
    /// Writes every key of <paramref name="config"/> as YAML, one <c>key: value</c> line each in <see cref="KeyNames"/>
    /// order, numbers in invariant round-trip form, <c>norm_obs</c>/<c>norm_reward</c> resolved. <see cref="FromYaml"/>
    /// reads it back to an equivalent configuration.
    /// </summary>
    public static string ToYaml(TrpoConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var text = new StringBuilder();
        text.Append("# TrustRegion TRPO configuration, fully resolved (defaults, preset, file, overrides).\n");
        foreach (ConfigKey key in ConfigSchema.Keys)
        {
            text.Append(key.Name).Append(": ").Append(key.Format(config)).Append('\n');
        }
        return text.ToString();
    }

    private static TrpoConfig ApplyMapping(TrpoConfig config, YamlMappingNode map, string sourceName)
    {
        foreach (KeyValuePair<YamlNode, YamlNode> entry in map.Children)
        {
            string where = $"{sourceName}, line {entry.Key.Start.Line}, column {entry.Key.Start.Column}";
            if (entry.Key is not YamlScalarNode { Value: { } name })
            {
                throw new ConfigException($"{where}: a key must be a plain name such as n_steps.");
            }
            ConfigKey key = Lookup(name, where);
            config = key.Apply(config, entry.Value, $"{sourceName}, line {entry.Value.Start.Line}, column {entry.Value.Start.Column}");
        }
        return config;
    }

    private static ConfigKey Lookup(string name, string where)
    {
        if (ConfigSchema.TryGet(name, out ConfigKey key))
        {
            return key;
        }
        string? suggestion = ConfigSchema.Suggest(name);
        string hint = suggestion is null
            ? $"valid keys: {string.Join(", ", KeyNames)}"
            : $"did you mean '{suggestion}'?";
        throw new ConfigException($"Unknown configuration key '{name}' ({where}); {hint}", name);
    }

    private static YamlNode? ParseDocument(string yaml, string sourceName)
    {
        var stream = new YamlStream();
        var parser = new Parser(new StringReader(yaml));
        try
        {
            stream.Load(parser);
        }
        catch (YamlException e)
        {
            throw new ConfigException(
                $"Malformed YAML in {sourceName} at line {e.Start.Line}, column {e.Start.Column}: {YamlProblem(e)}. Fix the syntax there.", null, e);
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet 16.3 fails this way (without a position) on some unterminated flow collections; report where
            // parsing last succeeded instead.
            Mark end = parser.Current?.End ?? Mark.Empty;
            throw new ConfigException(
                $"Malformed YAML in {sourceName} after line {end.Line}, column {end.Column}: the text cannot be parsed (an unclosed bracket, brace or quote?). Fix the syntax there.", null, e);
        }
        return stream.Documents.Count switch
        {
            0 => null,
            1 => stream.Documents[0].RootNode,
            _ => throw new ConfigException($"{sourceName} holds {stream.Documents.Count} YAML documents; expected one."),
        };
    }

    // YamlDotNet prefixes its messages with "(Line: l, Col: c, Idx: i) - (Line: ...): "; the position is reported separately.
    private static string YamlProblem(YamlException e)
    {
        string message = e.Message;
        int cut = message.IndexOf("): ", StringComparison.Ordinal);
        if (message.StartsWith("(Line:", StringComparison.Ordinal) && cut >= 0)
        {
            message = message[(cut + 3)..];
        }
        return message.TrimEnd('.');
    }

    private static Dictionary<string, YamlMappingNode> LoadPresets()
    {
        using Stream stream = typeof(ConfigResolver).Assembly.GetManifestResourceStream(PresetResource)
            ?? throw new InvalidOperationException($"The embedded preset file {PresetResource} is missing from {typeof(ConfigResolver).Assembly.GetName().Name}; the library was built incorrectly.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var yaml = new YamlStream();
        yaml.Load(reader);
        var presets = new Dictionary<string, YamlMappingNode>(StringComparer.Ordinal);
        foreach (KeyValuePair<YamlNode, YamlNode> entry in ((YamlMappingNode)yaml.Documents[0].RootNode).Children)
        {
            presets.Add(((YamlScalarNode)entry.Key).Value!, (YamlMappingNode)entry.Value);
        }
        return presets;
    }
}
