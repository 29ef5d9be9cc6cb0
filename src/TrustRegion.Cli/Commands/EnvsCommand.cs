using System.CommandLine;

namespace TrustRegion.Cli.Commands;

/// <summary><c>trpo envs</c>.</summary>
internal static class EnvsCommand
{
    internal static Command Create(CliConsole console, ICliBackend backend)
    {
        var command = new Command("envs", "List the registered environments with their spaces, time limits and reward thresholds.");
        command.SetAction(_ => CliErrors.Guard(console, "envs", () => backend.ListEnvironments(console)));
        return command;
    }
}
