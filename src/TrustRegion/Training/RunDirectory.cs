using System.Globalization;

namespace TrustRegion.Training;

/// <summary>
/// The layout of a run directory (docs/run-directory.md): where the resolved configuration, metrics, checkpoints, models
/// and summary of one training run live. The caller chooses the directory; this type only names what is inside it.
/// </summary>
public sealed class RunDirectory
{
    /// <summary>Names the files of the run directory at <paramref name="path"/> (nothing is created).</summary>
    public RunDirectory(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
    }

    /// <summary>The directory.</summary>
    public string Path { get; }

    /// <summary><c>config.yml</c>: the fully resolved configuration (<see cref="ConfigResolver.ToYaml"/>).</summary>
    public string ConfigPath => Combine("config.yml");

    /// <summary><c>progress.csv</c>: one row of metrics per iteration (<see cref="CsvMetricSink"/>).</summary>
    public string ProgressPath => Combine("progress.csv");

    /// <summary><c>tensorboard/</c>: TensorBoard event files (<see cref="TensorBoardMetricSink"/>).</summary>
    public string TensorBoardDirectory => Combine("tensorboard");

    /// <summary><c>checkpoints/</c>: periodic checkpoints.</summary>
    public string CheckpointDirectory => Combine("checkpoints");

    /// <summary><c>checkpoints/latest.ckpt</c>: the most recent checkpoint, from which <c>trpo resume</c> continues.</summary>
    public string LatestCheckpointPath => System.IO.Path.Combine(CheckpointDirectory, "latest.ckpt");

    /// <summary><c>best_model.ckpt</c>: the model with the best evaluation return so far.</summary>
    public string BestModelPath => Combine("best_model.ckpt");

    /// <summary><c>final_model.ckpt</c>: the model at the end of training.</summary>
    public string FinalModelPath => Combine("final_model.ckpt");

    /// <summary><c>summary.json</c>: the run's outcome (env id, seed, steps, wall time, final evaluation, parameter hash).</summary>
    public string SummaryPath => Combine("summary.json");

    /// <summary><c>learning_curve.svg</c>: the plot written by <c>trpo plot</c>.</summary>
    public string PlotPath => Combine("learning_curve.svg");

    /// <summary>
    /// The default run directory name, <c>ENV_ID__SEED__yyyyMMdd-HHmmss</c> (UTC), with characters that are invalid in
    /// file names (such as the <c>/</c> of namespaced ids) replaced by <c>_</c>.
    /// </summary>
    public static string DefaultName(string envId, ulong seed, DateTimeOffset startTime)
    {
        ArgumentException.ThrowIfNullOrEmpty(envId);
        char[] invalid = System.IO.Path.GetInvalidFileNameChars();
        string safeId = string.Concat(envId.Select(ch => Array.IndexOf(invalid, ch) >= 0 || ch == '\\' ? '_' : ch));
        return string.Create(CultureInfo.InvariantCulture, $"{safeId}__{seed}__{startTime.UtcDateTime:yyyyMMdd-HHmmss}");
    }

    private string Combine(string name) => System.IO.Path.Combine(Path, name);
}
