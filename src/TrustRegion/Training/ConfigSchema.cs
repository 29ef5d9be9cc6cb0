using System.Globalization;
using TrustRegion.Envs;
using TrustRegion.Networks;
using YamlDotNet.RepresentationModel;

namespace TrustRegion.Training;

/// <summary>
/// The table of configuration keys: for each, how a YAML value is read into <see cref="TrpoConfig"/>, how it is
/// written back, and its valid range. The order of the table is the order of the serialised file.
/// </summary>
internal static class ConfigSchema
{
    private const long MaxSteps = 1_000_000_000_000;
    private const long MaxRolloutSize = 1 << 24;
    private const int MaxLayers = 16;
    private const int MaxLayerSize = 4096;

    internal static IReadOnlyList<ConfigKey> Keys { get; } =
    [
        new("env_id", "a registered environment id such as CartPole-v1",
            (c, n) => c with { EnvId = ReadText(n) }, c => Quote(c.EnvId), c => c.EnvId.Length > 0 && c.EnvId.Trim() == c.EnvId),
        new("env_kwargs", "a mapping of the environment's argument names to values, such as {ctrl_cost_weight: 0.0, healthy_z_range: [0.7, .inf]}",
            (c, n) => c with { EnvKwargs = ReadEnvKwargs(n) }, c => FormatEnvKwargs(c.EnvKwargs), _ => true),
        Int("n_envs", 1, 1024, c => c.NumEnvs, (c, v) => c with { NumEnvs = v }),
        Long("n_timesteps", 1, MaxSteps, c => c.TotalTimesteps, (c, v) => c with { TotalTimesteps = v }),
        Int("n_steps", 1, 10_000_000, c => c.NumSteps, (c, v) => c with { NumSteps = v }),
        Int("batch_size", 1, int.MaxValue, c => c.BatchSize, (c, v) => c with { BatchSize = v }, "an integer from 1 to n_steps × n_envs"),
        Real("gamma", 0, 1, lowOpen: true, highOpen: false, c => c.Gamma, (c, v) => c with { Gamma = v }),
        Real("gae_lambda", 0, 1, lowOpen: false, highOpen: false, c => c.GaeLambda, (c, v) => c with { GaeLambda = v }),
        Real("cg_damping", 0, 1e3, lowOpen: false, highOpen: false, c => c.CgDamping, (c, v) => c with { CgDamping = v }),
        Int("cg_max_steps", 1, 1000, c => c.CgMaxSteps, (c, v) => c with { CgMaxSteps = v }),
        Int("n_critic_updates", 1, 10_000, c => c.CriticUpdates, (c, v) => c with { CriticUpdates = v }),
        Real("learning_rate", 0, 1, lowOpen: true, highOpen: false, c => c.LearningRate, (c, v) => c with { LearningRate = v }),
        Real("target_kl", 0, 1, lowOpen: true, highOpen: false, c => c.TargetKl, (c, v) => c with { TargetKl = v }),
        Int("line_search_max_iter", 1, 100, c => c.LineSearchMaxIterations, (c, v) => c with { LineSearchMaxIterations = v }),
        Real("line_search_shrinking_factor", 0, 1, lowOpen: true, highOpen: true, c => c.LineSearchShrinkingFactor, (c, v) => c with { LineSearchShrinkingFactor = v }),
        Bool("normalize", c => c.Normalize, (c, v) => c with { Normalize = v }),
        new("norm_obs", "true, false or null (null follows normalize)",
            (c, n) => c with { NormObs = ReadNullableBool(n) }, c => FormatBool(c.NormalizeObservations), _ => true),
        new("norm_reward", "true, false or null (null follows normalize)",
            (c, n) => c with { NormReward = ReadNullableBool(n) }, c => FormatBool(c.NormalizeRewards), _ => true),
        Real("clip_obs", 0, 1e6, lowOpen: true, highOpen: false, c => c.ClipObs, (c, v) => c with { ClipObs = v }),
        Real("clip_reward", 0, 1e6, lowOpen: true, highOpen: false, c => c.ClipReward, (c, v) => c with { ClipReward = v }),
        Bool("normalize_advantage", c => c.NormalizeAdvantage, (c, v) => c with { NormalizeAdvantage = v }),
        Bool("kl_per_action_dim", c => c.KlPerActionDim, (c, v) => c with { KlPerActionDim = v }),
        Int("sub_sampling_factor", 1, int.MaxValue, c => c.SubSamplingFactor, (c, v) => c with { SubSamplingFactor = v }, "an integer from 1 to n_steps × n_envs"),
        Real("ent_coef", 0, 1, lowOpen: false, highOpen: false, c => c.EntCoef, (c, v) => c with { EntCoef = v }),
        new("net_arch", $"a list of 0–{MaxLayers} layer sizes, each 1–{MaxLayerSize}, such as [64, 64], or {{pi: [64, 64], vf: [64, 64]}}",
            (c, n) => c with { NetArch = ReadNetArch(n) }, c => c.NetArch.ToString(), c => IsValidLayers(c.NetArch.Policy) && IsValidLayers(c.NetArch.Value)),
        new("activation_fn", "tanh or relu",
            (c, n) => c with { Activation = ReadEnum<ActivationFunction>(n) }, c => c.Activation.ToString().ToLowerInvariant(), c => Enum.IsDefined(c.Activation)),
        new("precision", "double or single",
            (c, n) => c with { Precision = ReadEnum<NetworkPrecision>(n) }, c => c.Precision.ToString().ToLowerInvariant(), c => Enum.IsDefined(c.Precision)),
        Real("log_std_init", -20, 2, lowOpen: false, highOpen: false, c => c.LogStdInit, (c, v) => c with { LogStdInit = v }),
        Bool("ortho_init", c => c.OrthoInit, (c, v) => c with { OrthoInit = v }),
        Bool("use_sde", c => c.UseSde, (c, v) => c with { UseSde = v }),
        new("sde_sample_freq", "-1 (once per rollout) or an integer from 1 to 10000000",
            (c, n) => c with { SdeSampleFreq = (int)ReadInteger(n, int.MinValue, int.MaxValue) }, c => Invariant(c.SdeSampleFreq),
            c => c.SdeSampleFreq == -1 || (c.SdeSampleFreq >= 1 && c.SdeSampleFreq <= 10_000_000)),
        new("seed", "an integer from 0 to 18446744073709551615",
            (c, n) => c with { Seed = ReadSeed(n) }, c => Invariant(c.Seed), _ => true),
        Long("eval_freq", 0, MaxSteps, c => c.EvalFreq, (c, v) => c with { EvalFreq = v }),
        Int("n_eval_episodes", 1, 100_000, c => c.EvalEpisodes, (c, v) => c with { EvalEpisodes = v }),
        Long("checkpoint_freq", 0, MaxSteps, c => c.CheckpointFreq, (c, v) => c with { CheckpointFreq = v }),
        new("vec_env", "auto, sequential or parallel",
            (c, n) => c with { VecEnv = ReadEnum<VecEnvMode>(n) }, c => c.VecEnv.ToString().ToLowerInvariant(), c => Enum.IsDefined(c.VecEnv)),
    ];

    private static readonly Dictionary<string, ConfigKey> s_byName = Keys.ToDictionary(k => k.Name, StringComparer.Ordinal);

    internal static bool TryGet(string name, out ConfigKey key) => s_byName.TryGetValue(name, out key!);

    /// <summary>Checks each key's range, then the rules between keys.</summary>
    internal static void Validate(TrpoConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        foreach (ConfigKey key in Keys)
        {
            key.Check(config, source: null);
        }
        long rollout = config.RolloutSize;
        if (rollout > MaxRolloutSize)
        {
            throw new ConfigException(
                $"Invalid rollout size: n_steps × n_envs = {config.NumSteps} × {config.NumEnvs} = {rollout}; valid: at most {MaxRolloutSize}. Lower n_steps or n_envs.",
                "n_steps");
        }
        if (config.BatchSize > rollout)
        {
            throw new ConfigException(
                $"Invalid value for 'batch_size': {config.BatchSize} is larger than the rollout, n_steps × n_envs = {config.NumSteps} × {config.NumEnvs} = {rollout}; valid: 1 to {rollout}. Lower batch_size or raise n_steps or n_envs.",
                "batch_size");
        }
        if (config.SubSamplingFactor > rollout)
        {
            throw new ConfigException(
                $"Invalid value for 'sub_sampling_factor': {config.SubSamplingFactor} would leave no sample of a rollout of n_steps × n_envs = {rollout}; valid: 1 to {rollout}.",
                "sub_sampling_factor");
        }
    }

    /// <summary>Suggests the known key closest to an unknown one, or null when none is close.</summary>
    internal static string? Suggest(string unknown)
    {
        string normalised = unknown.Trim().ToLowerInvariant().Replace('-', '_');
        if (s_byName.ContainsKey(normalised))
        {
            return normalised;
        }
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (ConfigKey key in Keys)
        {
            int d = Levenshtein(normalised, key.Name);
            if (d < bestDistance)
            {
                (best, bestDistance) = (key.Name, d);
            }
        }
        int tolerance = Math.Max(2, normalised.Length / 3);
        return bestDistance <= tolerance ? best : null;
    }

    internal static int Levenshtein(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }

    private static ConfigKey Int(string name, int min, int max, Func<TrpoConfig, int> get, Func<TrpoConfig, int, TrpoConfig> set, string? valid = null) =>
        new(name, valid ?? $"an integer from {Invariant(min)} to {Invariant(max)}",
            (c, n) => set(c, (int)ReadInteger(n, int.MinValue, int.MaxValue)), c => Invariant(get(c)), c => get(c) >= min && get(c) <= max);

    private static ConfigKey Long(string name, long min, long max, Func<TrpoConfig, long> get, Func<TrpoConfig, long, TrpoConfig> set) =>
        new(name, $"an integer from {Invariant(min)} to {Invariant(max)}",
            (c, n) => set(c, ReadInteger(n, long.MinValue, long.MaxValue)), c => Invariant(get(c)), c => get(c) >= min && get(c) <= max);

    private static ConfigKey Real(string name, double low, double high, bool lowOpen, bool highOpen, Func<TrpoConfig, double> get, Func<TrpoConfig, double, TrpoConfig> set)
    {
        string range = $"{(lowOpen ? "(" : "[")}{Invariant(low)}, {Invariant(high)}{(highOpen ? ")" : "]")}";
        return new(name, $"a number in {range}",
            (c, n) => set(c, ReadReal(n)), c => Invariant(get(c)),
            c =>
            {
                double v = get(c);
                return double.IsFinite(v) && (lowOpen ? v > low : v >= low) && (highOpen ? v < high : v <= high);
            });
    }

    private static ConfigKey Bool(string name, Func<TrpoConfig, bool> get, Func<TrpoConfig, bool, TrpoConfig> set) =>
        new(name, "true or false", (c, n) => set(c, ReadNullableBool(n) ?? throw new FormatException("null is not allowed here")), c => FormatBool(get(c)), _ => true);

    private static bool IsValidLayers(IReadOnlyList<int> sizes) =>
        sizes.Count <= MaxLayers && sizes.All(s => s >= 1 && s <= MaxLayerSize);

    internal static string Invariant(IFormattable value) => value switch
    {
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        _ => value.ToString(null, CultureInfo.InvariantCulture),
    };

    private static string FormatBool(bool value) => value ? "true" : "false";

    private static EnvKwargs ReadEnvKwargs(YamlNode node)
    {
        if (node is YamlScalarNode { Value: null or "" or "null" or "~" })
        {
            return EnvKwargs.Empty;
        }
        if (node is not YamlMappingNode map)
        {
            throw new FormatException($"expected a mapping such as {{ctrl_cost_weight: 0.0}}, found a {(node is YamlSequenceNode ? "list" : "single value")}");
        }
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (KeyValuePair<YamlNode, YamlNode> entry in map.Children)
        {
            string name = ((entry.Key as YamlScalarNode)?.Value ?? "").Trim();
            if (name.Length == 0)
            {
                throw new FormatException("an argument name must be a plain name such as ctrl_cost_weight");
            }
            string value = entry.Value switch
            {
                YamlScalarNode scalar => scalar.Value ?? "",
                YamlSequenceNode list when list.Children.All(c => c is YamlScalarNode) =>
                    "[" + string.Join(", ", list.Children.Select(c => ((YamlScalarNode)c).Value ?? "")) + "]",
                _ => throw new FormatException($"the argument '{name}' must be a value or a list of values, not a mapping or nested list"),
            };
            if (value.Trim().Length == 0)
            {
                throw new FormatException($"the argument '{name}' has no value");
            }
            pairs.Add(new(name, value));
        }
        return EnvKwargs.From(pairs);
    }

    private static string FormatEnvKwargs(EnvKwargs kwargs) =>
        "{" + string.Join(", ", kwargs.Select(p => QuoteName(p.Key) + ": " + FormatEnvValue(p.Value))) + "}";

    // A list value read from YAML is kept as "[a, b]" and written back as that flow list; other text as a plain scalar when it
    // is a simple token (numbers, .inf, true), else quoted.
    private static string FormatEnvValue(string value) =>
        value.Length >= 2 && value[0] == '[' && value[^1] == ']' && value[1..^1].Split(',').All(p => IsPlainToken(p.Trim())) ? value
        : IsPlainToken(value) ? value : QuoteAlways(value);

    private static string QuoteName(string name) => IsPlainToken(name) ? name : QuoteAlways(name);

    private static bool IsPlainToken(string text) =>
        text.Length > 0 && text != "-" && text.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.' or '+');

    private static string QuoteAlways(string text) =>
        "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static string Quote(string text) =>
        text.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.' or '/') && text.Length > 0 && !char.IsAsciiDigit(text[0])
            ? text
            : QuoteAlways(text);

    private static YamlScalarNode Scalar(YamlNode node, string expected) =>
        node as YamlScalarNode ?? throw new FormatException($"expected {expected}, found a {(node is YamlSequenceNode ? "list" : "mapping")}");

    private static string ReadText(YamlNode node) => Scalar(node, "a text value").Value ?? "";

    private static long ReadInteger(YamlNode node, long min, long max)
    {
        string text = (Scalar(node, "an integer").Value ?? "").Trim().Replace("_", "", StringComparison.Ordinal);
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
        {
            return value >= min && value <= max ? value : throw new FormatException($"{text} is too large in magnitude");
        }
        // The Zoo writes step counts as floats (n_timesteps: !!float 1e5): accept them when integral.
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double real) && double.IsFinite(real) && real == Math.Floor(real))
        {
            return real >= min && real <= max ? (long)real : throw new FormatException($"{text} is too large in magnitude");
        }
        throw new FormatException($"'{text}' is not an integer");
    }

    private static ulong ReadSeed(YamlNode node)
    {
        string text = (Scalar(node, "an integer").Value ?? "").Trim();
        return ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong value)
            ? value
            : throw new FormatException($"'{text}' is not an unsigned 64-bit integer");
    }

    private static double ReadReal(YamlNode node)
    {
        string text = (Scalar(node, "a number").Value ?? "").Trim();
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value))
        {
            return value;
        }
        throw new FormatException($"'{text}' is not a finite number");
    }

    private static bool? ReadNullableBool(YamlNode node)
    {
        string text = (Scalar(node, "true or false").Value ?? "").Trim();
        return text.ToLowerInvariant() switch
        {
            "true" => true,
            "false" => false,
            "null" or "~" or "" => null,
            _ => throw new FormatException($"'{text}' is not true or false"),
        };
    }

    private static T ReadEnum<T>(YamlNode node)
        where T : struct, Enum
    {
        string text = (Scalar(node, "a name").Value ?? "").Trim();
        foreach (T value in Enum.GetValues<T>())
        {
            if (string.Equals(value.ToString(), text, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }
        throw new FormatException($"'{text}' is not one of {string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}");
    }

    private static NetArch ReadNetArch(YamlNode node)
    {
        switch (node)
        {
            case YamlSequenceNode list:
                int[] shared = ReadLayers(list);
                return new NetArch(shared, shared);
            case YamlMappingNode map:
                int[]? pi = null, vf = null;
                foreach (KeyValuePair<YamlNode, YamlNode> entry in map.Children)
                {
                    string name = ((entry.Key as YamlScalarNode)?.Value ?? "").Trim();
                    int[] layers = entry.Value is YamlSequenceNode seq
                        ? ReadLayers(seq)
                        : throw new FormatException($"'{name}' must be a list of layer sizes such as [64, 64]");
                    switch (name)
                    {
                        case "pi":
                            pi = layers;
                            break;
                        case "vf":
                            vf = layers;
                            break;
                        default:
                            throw new FormatException($"unknown network '{name}' (expected pi and vf)");
                    }
                }
                return new NetArch(pi ?? throw new FormatException("the mapping has no 'pi' list"), vf ?? throw new FormatException("the mapping has no 'vf' list"));
            default:
                throw new FormatException("expected a list of layer sizes or a mapping with pi and vf");
        }
    }

    private static int[] ReadLayers(YamlSequenceNode list)
    {
        var sizes = new int[list.Children.Count];
        for (int i = 0; i < sizes.Length; i++)
        {
            sizes[i] = (int)ReadInteger(list.Children[i], int.MinValue, int.MaxValue);
        }
        return sizes;
    }
}

/// <summary>One configuration key: its name, valid range, reader, writer and range check.</summary>
internal sealed class ConfigKey(
    string name,
    string valid,
    Func<TrpoConfig, YamlNode, TrpoConfig> read,
    Func<TrpoConfig, string> format,
    Func<TrpoConfig, bool> isValid)
{
    /// <summary>The key as written in YAML (RL Zoo spelling).</summary>
    public string Name { get; } = name;

    /// <summary>The valid values, in words, for error messages.</summary>
    public string Valid { get; } = valid;

    /// <summary>The value of this key in <paramref name="config"/>, formatted as YAML.</summary>
    public string Format(TrpoConfig config) => format(config);

    /// <summary>Reads <paramref name="node"/> into a copy of <paramref name="config"/> and checks its range.</summary>
    /// <param name="config">The configuration to update.</param>
    /// <param name="node">The YAML value.</param>
    /// <param name="source">Where the value came from, for the message (e.g. "config.yml, line 3, column 10").</param>
    public TrpoConfig Apply(TrpoConfig config, YamlNode node, string source)
    {
        TrpoConfig updated;
        try
        {
            updated = read(config, node);
        }
        catch (FormatException e)
        {
            throw new ConfigException($"Invalid value for '{Name}' ({source}): {e.Message}; valid: {Valid}.", Name, e);
        }
        Check(updated, source);
        return updated;
    }

    /// <summary>Throws when the value of this key in <paramref name="config"/> is out of range.</summary>
    public void Check(TrpoConfig config, string? source)
    {
        if (!isValid(config))
        {
            string where = source is null ? "" : $" ({source})";
            throw new ConfigException($"Invalid value for '{Name}'{where}: {Format(config)} is out of range; valid: {Valid}.", Name);
        }
    }
}
