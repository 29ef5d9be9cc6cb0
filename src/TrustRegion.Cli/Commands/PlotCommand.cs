using System.CommandLine;
using System.Globalization;
using TrustRegion.Training;

namespace TrustRegion.Cli.Commands;

/// <summary><c>trpo plot RUN_DIR [--out FILE]</c>.</summary>
internal static class PlotCommand
{
    internal static Command Create(CliConsole console)
    {
        var runDir = new Argument<string>("RUN_DIR") { Description = "A run directory (or its progress.csv)." };
        var output = new Option<string?>("--out", "-o") { Description = "SVG file to write. Default RUN_DIR/learning_curve.svg.", HelpName = "FILE" };
        var command = new Command("plot", "Draw the learning curve of a run as SVG: mean episode return against steps, with the KL of each update beneath.")
        {
            runDir, output,
        };
        command.SetAction(parse => CliErrors.Guard(console, "plot", () =>
        {
            string path = parse.GetValue(runDir)!;
            RunDirectory run;
            string progressPath;
            if (File.Exists(path))
            {
                progressPath = path;
                run = new RunDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            }
            else
            {
                CliOptions.RequireDirectory(path, "run directory");
                run = new RunDirectory(path);
                progressPath = run.ProgressPath;
                if (!File.Exists(progressPath))
                {
                    throw new ArgumentException($"'{path}' has no progress.csv yet; plot after the first training iteration, or pass the run directory 'trpo train' created.");
                }
            }
            ProgressTable table = ProgressTable.Load(progressPath);
            if (table.RowCount == 0)
            {
                throw new ArgumentException($"{progressPath} has no rows yet; plot again after the first training iteration.");
            }
            string title = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(run.Path)));
            double? targetKl = null;
            if (File.Exists(run.ConfigPath))
            {
                TrpoConfig config = ConfigResolver.FromYaml(File.ReadAllText(run.ConfigPath), run.ConfigPath);
                title = string.Create(CultureInfo.InvariantCulture, $"TRPO on {config.EnvId}, seed {config.Seed}");
                targetKl = config.TargetKl;
            }
            string svg = LearningCurveSvg.Render(table, title, targetKl);
            string target = parse.GetValue(output) ?? run.PlotPath;
            AtomicFile.WriteAllText(target, svg);
            console.Out.WriteLine($"wrote {target}");
            return ExitCodes.Success;
        }));
        return command;
    }
}
