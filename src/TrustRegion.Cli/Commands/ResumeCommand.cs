using System.CommandLine;
using TrustRegion.Training;

namespace TrustRegion.Cli.Commands;

/// <summary><c>trpo resume RUN_DIR [--steps N] [--quiet]</c>.</summary>
internal static class ResumeCommand
{
    internal static Command Create(CliConsole console, ICliBackend backend)
    {
        var runDir = new Argument<string>("RUN_DIR") { Description = "The run directory of an interrupted or finished run." };
        Option<long?> steps = CliOptions.Steps("New total environment steps (n_timesteps) for the run; default the run's own.");
        Option<bool> quiet = CliOptions.Quiet();
        var command = new Command("resume", "Continue a run from its latest checkpoint; the result equals an uninterrupted run's.")
        {
            runDir, steps, quiet,
        };
        command.SetAction((parse, cancellation) => Task.FromResult(CliErrors.Guard(console, "resume", () =>
        {
            var run = new RunDirectory(parse.GetValue(runDir)!);
            CliOptions.RequireDirectory(run.Path, "run directory");
            if (!File.Exists(run.ConfigPath))
            {
                throw new ArgumentException($"'{run.Path}' has no config.yml, so it is not a trpo run directory; pass the directory 'trpo train' created.");
            }
            if (!File.Exists(run.LatestCheckpointPath))
            {
                throw new ArgumentException($"'{run.Path}' has no checkpoint yet ({run.LatestCheckpointPath}); start it again with 'trpo train'.");
            }
            TrpoConfig config = ConfigResolver.FromYaml(File.ReadAllText(run.ConfigPath), run.ConfigPath);
            if (parse.GetValue(steps) is long n)
            {
                config = config with { TotalTimesteps = n };
                config.Validate();
            }
            Checkpoint checkpoint = Checkpoint.Load(run.LatestCheckpointPath);
            return backend.Resume(new ResumeRequest(run, config, checkpoint, parse.GetValue(quiet)), console, cancellation);
        })));
        return command;
    }
}
