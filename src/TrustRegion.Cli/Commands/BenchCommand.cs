using System.CommandLine;
using System.Globalization;

namespace TrustRegion.Cli.Commands;

/// <summary><c>trpo bench [ENV_ID...] [--seeds N] [--out DIR] [--steps N] [--jobs J] [--set key=value]... [--env-kwargs name:value...]</c>.</summary>
internal static class BenchCommand
{
    internal static Command Create(CliConsole console, ICliBackend backend, TimeProvider time)
    {
        var envIds = new Argument<string[]>("ENV_ID")
        {
            Description = "Environments to benchmark, each with its preset and preset budget. Default: CartPole-v1, Acrobot-v1, MountainCar-v0, MountainCarContinuous-v0, Pendulum-v1.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var seeds = new Option<int?>("--seeds")
        {
            Description = "Seeds per environment (0 to N-1). Default 3.",
            HelpName = "N",
            CustomParser = r => CliOptions.ParseInRange<int>(r, "--seeds", 1, 1000, "for example --seeds 3"),
        };
        var output = new Option<string?>("--out", "-o") { Description = "Directory for bench.md and bench.json. Default bench/trpo-bench-TIMESTAMP.", HelpName = "DIR" };
        Option<long?> steps = CliOptions.Steps("Replace every preset's budget (n_timesteps), for a quick check. Default: the preset's.");
        var jobs = new Option<int?>("--jobs", "-j")
        {
            Description = "Training runs at once (seeds in parallel on the cores). Results do not depend on it; speed figures are only comparable at 1. Default 1.",
            HelpName = "J",
            CustomParser = r => CliOptions.ParseInRange<int>(r, "--jobs", 1, 1024, "for example --jobs 2"),
        };
        var set = new Option<string[]>("--set")
        {
            Description = "Override one configuration key in every preset, e.g. --set precision=single; repeatable. Named in the report's command.",
            HelpName = "key=value",
            Arity = ArgumentArity.ZeroOrMore,
        };
        Option<string[]> envKwargs = CliOptions.EnvKwargs("Environment constructor arguments for every environment, as trpo train's --env-kwargs (name:value pairs, merged over each preset's env_kwargs); every environment benchmarked must accept them. Named in the report's command.");
        var command = new Command("bench", "Train each environment's preset over several seeds; write bench.md and bench.json: final evaluation beside the RL Zoo, steps and time to the reward threshold, steps per second beside sb3-contrib, and where the time goes.")
        {
            envIds, seeds, output, steps, jobs, set, envKwargs,
        };
        command.SetAction((parse, cancellation) => Task.FromResult(CliErrors.Guard(console, "bench", () =>
        {
            string outDir = parse.GetValue(output)
                ?? Path.Combine("bench", "trpo-bench-" + time.GetUtcNow().ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
            if (File.Exists(outDir))
            {
                throw new ArgumentException($"--out '{outDir}' is a file; pass a directory.");
            }
            if (File.Exists(Path.Combine(outDir, "bench.json")) || File.Exists(Path.Combine(outDir, "bench.md")))
            {
                throw new ArgumentException($"--out '{outDir}' already holds a benchmark report (bench.json or bench.md); choose another directory.");
            }
            string[] pairs = parse.GetValue(envKwargs) ?? [];
            CliOptions.ParseEnvKwargs(pairs); // a malformed pair fails here, before anything runs
            var request = new BenchRequest(parse.GetValue(envIds) ?? [], parse.GetValue(seeds) ?? 3, outDir, parse.GetValue(steps), parse.GetValue(jobs) ?? 1, parse.GetValue(set) ?? [], pairs);
            return backend.Bench(request, console, cancellation);
        })));
        return command;
    }
}
