using System.Globalization;
using System.Text;

namespace TrustRegion.Training;

/// <summary>
/// Writes metrics to a CSV file (<c>progress.csv</c>) with a fixed column order: <see cref="MetricKeys.TotalSteps"/>
/// first, then the declared columns. Missing metrics leave an empty cell; values use invariant round-trip formatting.
/// Every row is flushed to the operating system as it is written, so a killed process leaves complete rows (plus at
/// most one torn last line, which <see cref="Resume"/> removes).
/// </summary>
public sealed class CsvMetricSink : IMetricSink
{
    private readonly Dictionary<string, int> _index;
    private readonly string[] _cells;
    private readonly StreamWriter _writer;
    private long _lastStep = long.MinValue;

    private CsvMetricSink(StreamWriter writer, IReadOnlyList<string> columns)
    {
        _writer = writer;
        Columns = [.. columns];
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < Columns.Count; i++)
        {
            _index.Add(Columns[i], i);
        }
        _cells = new string[Columns.Count];
    }

    /// <summary>The columns after <see cref="MetricKeys.TotalSteps"/>, in file order.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>Creates (or truncates) the file at <paramref name="path"/> and writes the header.</summary>
    /// <param name="path">The CSV file.</param>
    /// <param name="columns">The metric columns, in order; defaults to <see cref="MetricKeys.ProgressColumns"/>.</param>
    /// <exception cref="ArgumentException">A column is repeated, empty, holds a comma, quote or line break, or is <see cref="MetricKeys.TotalSteps"/>.</exception>
    public static CsvMetricSink Create(string path, IReadOnlyList<string>? columns = null)
    {
        columns ??= MetricKeys.ProgressColumns;
        CheckColumns(columns);
        var writer = new StreamWriter(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));
        var sink = new CsvMetricSink(writer, columns);
        writer.Write(Header(columns));
        writer.Write('\n');
        writer.Flush();
        return sink;
    }

    /// <summary>
    /// Reopens the file of an interrupted run for appending, keeping only the complete rows at steps up to
    /// <paramref name="lastStep"/> (the step of the checkpoint the run resumes from), so that the resumed file equals
    /// the file of an uninterrupted run.
    /// </summary>
    /// <exception cref="InvalidDataException">The file's header differs from <paramref name="columns"/>.</exception>
    public static CsvMetricSink Resume(string path, long lastStep, IReadOnlyList<string>? columns = null)
    {
        columns ??= MetricKeys.ProgressColumns;
        CheckColumns(columns);
        if (!File.Exists(path))
        {
            return Create(path, columns);
        }
        string text = File.ReadAllText(path, Encoding.UTF8);
        string header = Header(columns);
        int firstBreak = text.IndexOf('\n', StringComparison.Ordinal);
        if (firstBreak < 0 || text[..firstBreak] != header)
        {
            throw new InvalidDataException(
                $"{path}: the header differs from the columns this version writes; move the file aside to start a fresh one.");
        }
        var kept = new StringBuilder(text.Length);
        kept.Append(header).Append('\n');
        int start = firstBreak + 1;
        while (start < text.Length)
        {
            int end = text.IndexOf('\n', start);
            if (end < 0)
            {
                break; // a torn last line from a killed process
            }
            string line = text[start..end];
            int comma = line.IndexOf(',', StringComparison.Ordinal);
            string first = comma < 0 ? line : line[..comma];
            if (long.TryParse(first, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long step) && step <= lastStep)
            {
                kept.Append(line).Append('\n');
            }
            start = end + 1;
        }
        AtomicFile.WriteAllText(path, kept.ToString());
        var writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));
        return new CsvMetricSink(writer, columns) { _lastStep = lastStep };
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">A key is not a declared column, or appears twice.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is smaller than the previous row's.</exception>
    public void Write(long step, ReadOnlySpan<Metric> metrics)
    {
        if (step < _lastStep)
        {
            throw new ArgumentOutOfRangeException(nameof(step), step, $"Steps must not decrease: the previous row was at step {_lastStep}.");
        }
        Array.Fill(_cells, "");
        foreach (Metric metric in metrics)
        {
            if (!_index.TryGetValue(metric.Key, out int i))
            {
                throw new ArgumentException($"Metric '{metric.Key}' is not a column of this CSV file; declare it when creating the sink (columns: {string.Join(", ", Columns)}).", nameof(metrics));
            }
            if (_cells[i].Length != 0)
            {
                throw new ArgumentException($"Metric '{metric.Key}' appears twice in one row.", nameof(metrics));
            }
            _cells[i] = Format(metric.Value);
        }
        _lastStep = step;
        _writer.Write(step.ToString(CultureInfo.InvariantCulture));
        foreach (string cell in _cells)
        {
            _writer.Write(',');
            _writer.Write(cell);
        }
        _writer.Write('\n');
        _writer.Flush();
    }

    /// <inheritdoc/>
    public void Flush() => _writer.Flush();

    /// <inheritdoc/>
    public void Dispose() => _writer.Dispose();

    private static string Header(IReadOnlyList<string> columns) => MetricKeys.TotalSteps + "," + string.Join(",", columns);

    private static string Format(double value) =>
        double.IsNaN(value) ? "NaN" : value.ToString("R", CultureInfo.InvariantCulture);

    private static void CheckColumns(IReadOnlyList<string> columns)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { MetricKeys.TotalSteps };
        foreach (string column in columns)
        {
            if (string.IsNullOrEmpty(column) || column.AsSpan().IndexOfAny(",\"\r\n") >= 0 || !seen.Add(column))
            {
                throw new ArgumentException($"Column '{column}' is empty, holds a comma, quote or line break, or is repeated (time/total_steps is always the first column).", nameof(columns));
            }
        }
    }
}
