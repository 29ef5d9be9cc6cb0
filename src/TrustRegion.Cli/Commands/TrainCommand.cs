using System.CommandLine;
using TrustRegion.Training;

namespace TrustRegion.Cli.Commands;

/// <summary><c>trpo train ENV_ID [--config FILE] [--set key=value]... [--env-kwargs name:value...] [--steps N] [--seed S] [--envs E] [--out DIR] [--quiet]</c>.</summary>
internal static class TrainCommand
{
    internal static Command Create(CliConsole console, ICliBackend backend, TimeProvider time)
    {
        var envId = new Argument<string>("ENV_ID") { Description = "Environment id, e.g. CartPole-v1 (see 'trpo envs'). Its RL Zoo preset is the starting configuration." };
        var config = new Option<string?>("--config", "-c") { Description = "YAML file of configuration keys overriding the preset (e.g. 'target_kl: 0.02').", HelpName = "FILE" };
        var set = new Option<string[]>("--set") { Description = "Override one key, e.g. --set n_steps=1024; repeatable; applied after --config.", HelpName = "key=value", Arity = ArgumentArity.ZeroOrMore };
        Option<string[]> envKwargs = CliOptions.EnvKwargs("Environment constructor arguments, as the RL Zoo's --env-kwargs: name:value pairs, e.g. --env-kwargs terminate_when_unhealthy:false ctrl_cost_weight:0; they replace the same names of env_kwargs from the preset, --config and --set. 'trpo envs ENV_ID' lists them.");
        Option<long?> steps = CliOptions.Steps("Total environment steps (n_timesteps); default from the preset.");
        Option<ulong?> seed = CliOptions.Seed("Run seed: fixes initialisation, environment resets and sampling. Default 0.");
        Option<int?> envs = CliOptions.Envs("Environment copies stepped together (n_envs); default from the preset.");
        var output = new Option<string?>("--out", "-o") { Description = "Run directory to create. Default runs/ENV_ID__SEED__TIMESTAMP.", HelpName = "DIR" };
        Option<bool> quiet = CliOptions.Quiet();

        var command = new Command("train", "Train a TRPO agent with the environment's preset; writes config, progress.csv, TensorBoard events, checkpoints, the final model and summary.json to the run directory.")
        {
            envId, config, set, envKwargs, steps, seed, envs, output, quiet,
        };
        command.SetAction((parse, cancellation) => Task.FromResult(CliErrors.Guard(console, "train", () =>
        {
            string id = parse.GetValue(envId)!;
            string? configPath = parse.GetValue(config);
            string? yaml = null;
            if (configPath is not null)
            {
                CliOptions.RequireFile(configPath, "--config file");
                yaml = File.ReadAllText(configPath);
            }
            TrpoConfig resolved = ConfigResolver.Resolve(id, yaml, parse.GetValue(set) ?? [], configPath);
            // Explicit flags win over the file and --set.
            if (parse.GetValue(envKwargs) is { Length: > 0 } pairs)
            {
                resolved = resolved with { EnvKwargs = resolved.EnvKwargs.Merge(CliOptions.ParseEnvKwargs(pairs)) };
            }
            if (parse.GetValue(steps) is long n)
            {
                resolved = resolved with { TotalTimesteps = n };
            }
            if (parse.GetValue(seed) is ulong s)
            {
                resolved = resolved with { Seed = s };
            }
            if (parse.GetValue(envs) is int e)
            {
                resolved = resolved with { NumEnvs = e };
            }
            resolved.Validate();

            string runPath = parse.GetValue(output) ?? Path.Combine("runs", RunDirectory.DefaultName(id, resolved.Seed, time.GetUtcNow()));
            if (File.Exists(runPath))
            {
                throw new ArgumentException($"--out '{runPath}' is a file; pass a directory.");
            }
            if (Directory.Exists(runPath) && Directory.EnumerateFileSystemEntries(runPath).Any())
            {
                throw new ArgumentException($"run directory '{runPath}' already holds files; continue it with 'trpo resume {runPath}' or choose another --out.");
            }
            return backend.Train(new TrainRequest(resolved, new RunDirectory(runPath), parse.GetValue(quiet)), console, cancellation);
        })));
        return command;
    }
}
