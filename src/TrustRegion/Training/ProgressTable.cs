using System.Globalization;

namespace TrustRegion.Training;

/// <summary>The rows of a progress.csv file, read back as numeric columns (empty cells become NaN).</summary>
public sealed class ProgressTable
{
    private readonly Dictionary<string, double[]> _columns;

    private ProgressTable(IReadOnlyList<string> names, Dictionary<string, double[]> columns, int rows)
    {
        ColumnNames = names;
        _columns = columns;
        RowCount = rows;
    }

    /// <summary>The column names in file order; the first is <see cref="MetricKeys.TotalSteps"/>.</summary>
    public IReadOnlyList<string> ColumnNames { get; }

    /// <summary>Number of complete data rows.</summary>
    public int RowCount { get; }

    /// <summary>Reads the CSV file at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a progress.csv (see <see cref="Parse"/>).</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static ProgressTable Load(string path)
    {
        // Share with the writer: a run in progress keeps progress.csv open for appending.
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), path);
    }

    /// <summary>
    /// Parses progress.csv text: a header whose first column is <see cref="MetricKeys.TotalSteps"/>, then rows of
    /// invariant numbers. A last line without its line break (a write cut short) is ignored.
    /// </summary>
    /// <exception cref="InvalidDataException">The header is missing or wrong, or a row has another number of cells or a cell that is not a number.</exception>
    public static ProgressTable Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] lines = text.Split('\n');
        // The last element is "" after a final line break, or a torn line: drop it either way.
        int complete = lines.Length - 1;
        if (complete < 1)
        {
            throw new InvalidDataException($"{source}: the file has no header line; it is not a progress.csv written by trpo.");
        }
        string[] names = lines[0].TrimEnd('\r').Split(',');
        if (names[0] != MetricKeys.TotalSteps)
        {
            throw new InvalidDataException($"{source}: the first column is '{names[0]}', expected '{MetricKeys.TotalSteps}'; it is not a progress.csv written by trpo.");
        }
        int rows = complete - 1;
        var columns = new Dictionary<string, double[]>(StringComparer.Ordinal);
        foreach (string name in names)
        {
            if (!columns.TryAdd(name, new double[rows]))
            {
                throw new InvalidDataException($"{source}: column '{name}' appears twice in the header.");
            }
        }
        for (int r = 0; r < rows; r++)
        {
            string[] cells = lines[r + 1].TrimEnd('\r').Split(',');
            if (cells.Length != names.Length)
            {
                throw new InvalidDataException($"{source}, line {r + 2}: {cells.Length} cells, expected {names.Length} as in the header.");
            }
            for (int c = 0; c < cells.Length; c++)
            {
                double value;
                if (cells[c].Length == 0)
                {
                    value = double.NaN;
                }
                else if (!double.TryParse(cells[c], NumberStyles.Float, CultureInfo.InvariantCulture, out value))
                {
                    throw new InvalidDataException($"{source}, line {r + 2}: '{cells[c]}' in column '{names[c]}' is not a number.");
                }
                columns[names[c]][r] = value;
            }
        }
        return new ProgressTable(names, columns, rows);
    }

    /// <summary>True when the file has a column named <paramref name="name"/>.</summary>
    public bool HasColumn(string name) => _columns.ContainsKey(name);

    /// <summary>The values of column <paramref name="name"/>, one per row (NaN where the cell was empty).</summary>
    /// <exception cref="KeyNotFoundException">There is no such column.</exception>
    public ReadOnlySpan<double> Column(string name) =>
        _columns.TryGetValue(name, out double[]? values)
            ? values
            : throw new KeyNotFoundException($"progress.csv has no column '{name}' (columns: {string.Join(", ", ColumnNames)}).");
}
