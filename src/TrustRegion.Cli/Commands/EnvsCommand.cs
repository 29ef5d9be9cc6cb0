using System.CommandLine;

namespace TrustRegion.Cli.Commands;

/// <summary><c>trpo envs [ENV_ID]</c>.</summary>
internal static class EnvsCommand
{
    internal static Command Create(CliConsole console, ICliBackend backend)
    {
        var envId = new Argument<string?>("ENV_ID")
        {
            Description = "Show this environment and the constructor arguments it accepts (config key env_kwargs).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var command = new Command("envs", "List the registered environments with their spaces, time limits and reward thresholds; with ENV_ID, that environment's arguments (env_kwargs).") { envId };
        command.SetAction(parse => CliErrors.Guard(console, "envs", () => backend.ListEnvironments(console, parse.GetValue(envId))));
        return command;
    }
}
