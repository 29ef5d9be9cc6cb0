using System.CommandLine;
using TrustRegion.Training;

namespace TrustRegion.Cli.Commands;

/// <summary><c>trpo eval MODEL [--episodes N] [--stochastic] [--seed S]</c>.</summary>
internal static class EvalCommand
{
    internal static Command Create(CliConsole console, ICliBackend backend)
    {
        var model = new Argument<string>("MODEL") { Description = "A model or checkpoint file (e.g. runs/…/final_model.ckpt)." };
        var episodes = new Option<int?>("--episodes", "-n")
        {
            Description = "Number of episodes. Default 10.",
            HelpName = "N",
            CustomParser = r => CliOptions.ParseInRange(r, "--episodes", 1, 100_000, "for example --episodes 20"),
        };
        var stochastic = new Option<bool>("--stochastic") { Description = "Sample actions from the policy instead of taking its most likely action." };
        Option<ulong?> seed = CliOptions.Seed("Seed of the evaluation episodes. Default 0.");
        var command = new Command("eval", "Evaluate a saved model: mean ± std of episode return and length (deterministic actions by default).")
        {
            model, episodes, stochastic, seed,
        };
        command.SetAction((parse, cancellation) => Task.FromResult(CliErrors.Guard(console, "eval", () =>
        {
            string path = parse.GetValue(model)!;
            CliOptions.RequireFile(path, "model");
            Checkpoint checkpoint = Checkpoint.Load(path);
            var request = new EvalRequest(path, checkpoint, parse.GetValue(episodes) ?? 10, !parse.GetValue(stochastic), parse.GetValue(seed) ?? 0);
            return backend.Evaluate(request, console, cancellation);
        })));
        return command;
    }
}
