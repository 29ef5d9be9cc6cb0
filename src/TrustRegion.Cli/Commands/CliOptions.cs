using System.CommandLine;
using System.Globalization;

namespace TrustRegion.Cli.Commands;

/// <summary>Options shared by several commands, with their range checks.</summary>
internal static class CliOptions
{
    internal static Option<long?> Steps(string description)
    {
        var option = new Option<long?>("--steps") { Description = description, HelpName = "N" };
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<long?>() is long n && n <= 0)
            {
                r.AddError($"--steps must be a positive number of environment steps, got {n.ToString(CultureInfo.InvariantCulture)}; for example --steps 100000");
            }
        });
        return option;
    }

    internal static Option<int?> Envs(string description)
    {
        var option = new Option<int?>("--envs") { Description = description, HelpName = "E" };
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is int n && (n < 1 || n > 1024))
            {
                r.AddError($"--envs must be from 1 to 1024, got {n.ToString(CultureInfo.InvariantCulture)}");
            }
        });
        return option;
    }

    internal static Option<bool> Quiet() =>
        new("--quiet", "-q") { Description = "No live progress display; print only the final summary." };

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
