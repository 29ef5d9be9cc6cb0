using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;

namespace TrustRegion.Cli.Commands;

/// <summary>Options shared by several commands, with parsers whose errors say what is valid.</summary>
internal static class CliOptions
{
    internal static Option<long?> Steps(string description) =>
        new("--steps") { Description = description, HelpName = "N", CustomParser = r => ParseInRange<long>(r, "--steps", 1, 1_000_000_000_000, "for example --steps 100000") };

    internal static Option<int?> Envs(string description) =>
        new("--envs") { Description = description, HelpName = "E", CustomParser = r => ParseInRange<int>(r, "--envs", 1, 1024, "for example --envs 4") };

    internal static Option<ulong?> Seed(string description) =>
        new("--seed") { Description = description, HelpName = "S", CustomParser = r => ParseInRange<ulong>(r, "--seed", 0, ulong.MaxValue, "for example --seed 1") };

    /// <summary><c>--env-kwargs name:value...</c>, the RL Zoo's option for environment constructor arguments.</summary>
    internal static Option<string[]> EnvKwargs(string description) =>
        new("--env-kwargs")
        {
            Description = description,
            HelpName = "name:value",
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = true,
        };

    /// <summary>Reads <c>name:value</c> pairs (split at the first colon, both sides trimmed).</summary>
    /// <exception cref="ArgumentException">A pair has no colon, an empty name or value, or a name given twice.</exception>
    internal static TrustRegion.Envs.EnvKwargs ParseEnvKwargs(IEnumerable<string> pairs)
    {
        var items = new List<KeyValuePair<string, string>>();
        foreach (string pair in pairs)
        {
            int colon = pair.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || colon == pair.Length - 1 || pair[..colon].Trim().Length == 0 || pair[(colon + 1)..].Trim().Length == 0)
            {
                throw new ArgumentException($"--env-kwargs '{pair}': expected name:value, e.g. --env-kwargs terminate_when_unhealthy:false.");
            }
            items.Add(new(pair[..colon].Trim(), pair[(colon + 1)..].Trim()));
        }
        try
        {
            return TrustRegion.Envs.EnvKwargs.From(items);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"--env-kwargs: {e.Message}", e);
        }
    }

    internal static Option<bool> Quiet() =>
        new("--quiet", "-q") { Description = "No live progress display; print only the final summary." };

    /// <summary>Parses the option's one token as an integer in [min, max], or records an error naming the valid range.</summary>
    internal static T? ParseInRange<T>(ArgumentResult result, string name, T min, T max, string example)
        where T : struct, IBinaryInteger<T>
    {
        if (result.Tokens.Count == 0)
        {
            return null;
        }
        string text = result.Tokens[0].Value;
        if (!T.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out T value) || value < min || value > max)
        {
            result.AddError($"{name} must be a whole number from {min} to {max}, got '{text}'; {example}");
            return null;
        }
        return value;
    }

    internal static void RequireFile(string path, string what)
    {
        if (!File.Exists(path))
        {
            throw new ArgumentException(Directory.Exists(path)
                ? $"{what} '{path}' is a directory; pass a file."
                : $"{what} '{path}' does not exist; check the path.");
        }
    }

    internal static void RequireDirectory(string path, string what)
    {
        if (!Directory.Exists(path))
        {
            throw new ArgumentException(File.Exists(path)
                ? $"{what} '{path}' is a file; pass the run directory."
                : $"{what} '{path}' does not exist; check the path (runs live under runs/ by default).");
        }
    }
}
