using System.Globalization;
using Spectre.Console;
using TrustRegion.Training;
using TrustRegion.Trpo;

namespace TrustRegion.Cli;

/// <summary>
/// The live view of <c>trpo train</c>: a progress bar (steps, steps/s, ETA, latest mean return) and, every
/// <see cref="TableEvery"/> iterations, a table of the metrics.
/// </summary>
internal static class LiveDisplay
{
    internal const int TableEvery = 10;

    internal static TrainingStop Run(IAnsiConsole ansi, Trainer trainer, TrainerOutputs outputs, CancellationToken cancellation)
    {
        long target = trainer.Config.TotalTimesteps;
        return ansi.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                ProgressTask task = ctx.AddTask(Describe(trainer.TotalSteps, target, double.NaN, double.NaN), maxValue: target);
                task.Value = Math.Min(trainer.TotalSteps, target);
                TrainingStop stop = trainer.Train(target, outputs with
                {
                    Callback = report =>
                    {
                        task.Value = Math.Min(report.TotalSteps, target);
                        task.Description = Describe(report.TotalSteps, target, report.StepsPerSecond, report.EpisodeReturnMean);
                        if (report.Iteration % TableEvery == 0 || report.Evaluation is not null)
                        {
                            ansi.Write(MetricsTable(report));
                        }
                        return outputs.Callback?.Invoke(report) ?? true;
                    },
                }, cancellation);
                task.Value = Math.Min(trainer.TotalSteps, target);
                ctx.Refresh();
                return stop;
            });
    }

    private static string Describe(long steps, long target, double stepsPerSecond, double meanReturn) =>
        Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"{steps:N0}/{target:N0} steps · {(double.IsNaN(stepsPerSecond) ? "–" : stepsPerSecond.ToString("N0", CultureInfo.InvariantCulture))} steps/s · return {(double.IsNaN(meanReturn) ? "–" : meanReturn.ToString("F1", CultureInfo.InvariantCulture))}"));

    private static Table MetricsTable(in IterationReport r)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .Title(string.Create(CultureInfo.InvariantCulture, $"iteration {r.Iteration}, step {r.TotalSteps:N0}"))
            .AddColumn("metric").AddColumn(new TableColumn("value").RightAligned());
        void Row(string key, string value) => table.AddRow(Markup.Escape(key), Markup.Escape(value));
        static string F(double v, string format) => double.IsNaN(v) ? "–" : v.ToString(format, CultureInfo.InvariantCulture);
        Row(MetricKeys.EpisodeReturnMean, F(r.EpisodeReturnMean, "F2"));
        Row(MetricKeys.EpisodeLengthMean, F(r.EpisodeLengthMean, "F1"));
        Row(MetricKeys.Fps, F(r.StepsPerSecond, "N0"));
        Row(MetricKeys.ElapsedSeconds, F(r.ElapsedSeconds, "F1"));
        Row(MetricKeys.Kl, F(r.Policy.Kl, "G4"));
        Row(MetricKeys.SurrogateImprovement, F(r.Policy.ActualImprovement, "G4"));
        Row("train/line_search", string.Create(CultureInfo.InvariantCulture, $"{r.Policy.Outcome} after {r.Policy.LineSearchSteps} step(s)"));
        Row(MetricKeys.CgResidual, F(r.Policy.CgResidual, "G3"));
        Row(MetricKeys.ExplainedVariance, F(r.ExplainedVariance, "F3"));
        Row(MetricKeys.ValueLoss, F(r.ValueLoss, "G4"));
        Row(MetricKeys.Entropy, F(r.Policy.Entropy, "F4"));
        if (!double.IsNaN(r.Policy.MeanStd))
        {
            Row(MetricKeys.Std, F(r.Policy.MeanStd, "F4"));
        }
        if (r.Evaluation is { } e)
        {
            Row(MetricKeys.EvalReturnMean, string.Create(CultureInfo.InvariantCulture, $"{e.ReturnMean:F2} ± {e.ReturnStd:F2} ({e.Episodes} episodes)"));
        }
        return table;
    }
}
