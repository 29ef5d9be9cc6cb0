using System.CommandLine;

namespace TrustRegion.Cli.Commands;

/// <summary><c>trpo bench [ENV_ID] [--steps N] [--envs E]</c>.</summary>
internal static class BenchCommand
{
    internal static Command Create(CliConsole console, ICliBackend backend)
    {
        var envId = new Argument<string>("ENV_ID") { Description = "Environment to measure.", DefaultValueFactory = _ => "CartPole-v1" };
        Option<long?> steps = CliOptions.Steps("Environment steps to time. Default 100000.");
        Option<int?> envs = CliOptions.Envs("Environment copies stepped together. Default 1.");
        var command = new Command("bench", "Measure environment stepping and training throughput (steps per second).")
        {
            envId, steps, envs,
        };
        command.SetAction((parse, cancellation) => Task.FromResult(CliErrors.Guard(console, "bench", () =>
            backend.Bench(new BenchRequest(parse.GetValue(envId)!, parse.GetValue(steps) ?? 100_000, parse.GetValue(envs) ?? 1), console, cancellation))));
        return command;
    }
}
