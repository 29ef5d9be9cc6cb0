using System.CommandLine;
using System.Globalization;
using TrustRegion.Training;

namespace TrustRegion.Cli.Commands;

/// <summary><c>trpo eval MODEL [--episodes N] [--stochastic] [--seed S]</c>.</summary>
internal static class EvalCommand
{
    internal static Command Create(CliConsole console, ICliBackend backend)
    {
        var model = new Argument<string>("MODEL") { Description = "A model or checkpoint file (e.g. runs/…/final_model.ckpt)." };
        var episodes = new Option<int>("--episodes", "-n") { Description = "Number of episodes.", HelpName = "N", DefaultValueFactory = _ => 10 };
        episodes.Validators.Add(r =>
        {
            int n = r.GetValueOrDefault<int>();
            if (n < 1 || n > 100_000)
            {
                r.AddError($"--episodes must be from 1 to 100000, got {n.ToString(CultureInfo.InvariantCulture)}");
            }
        });
        var stochastic = new Option<bool>("--stochastic") { Description = "Sample actions from the policy instead of taking its most likely action." };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the evaluation episodes.", HelpName = "S", DefaultValueFactory = _ => 0UL };
        var command = new Command("eval", "Evaluate a saved model: mean ± std of episode return and length (deterministic actions by default).")
        {
            model, episodes, stochastic, seed,
        };
        command.SetAction((parse, cancellation) => Task.FromResult(CliErrors.Guard(console, "eval", () =>
        {
            string path = parse.GetValue(model)!;
            CliOptions.RequireFile(path, "model");
            Checkpoint checkpoint = Checkpoint.Load(path);
            var request = new EvalRequest(path, checkpoint, parse.GetValue(episodes), !parse.GetValue(stochastic), parse.GetValue(seed));
            return backend.Evaluate(request, console, cancellation);
        })));
        return command;
    }
}
