using System.Text.Json;

namespace TrustRegion.MuJoCo.Tests;

/// <summary>Reads one reference file of tests/data/mujoco (format: spec section 6).</summary>
internal sealed class ReferenceTrajectory
{
    private ReferenceTrajectory(string fileName, JsonElement root)
    {
        FileName = fileName;
        Root = root;
    }

    internal string FileName { get; }

    internal JsonElement Root { get; }

    internal static string DataDirectory => Path.Combine(AppContext.BaseDirectory, "data", "mujoco");

    internal static IEnumerable<string> FileNames() =>
        Directory.GetFiles(DataDirectory, "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal)!;

    internal static ReferenceTrajectory Load(string fileName)
    {
        using FileStream stream = File.OpenRead(Path.Combine(DataDirectory, fileName));
        using JsonDocument doc = JsonDocument.Parse(stream);
        return new ReferenceTrajectory(fileName, doc.RootElement.Clone());
    }

    internal JsonElement Model => Root.GetProperty("model");

    internal bool Has(string name) => Root.TryGetProperty(name, out _);

    internal static double[] Vector(JsonElement e) => [.. e.EnumerateArray().Select(ToDouble)];

    internal static double[][] Matrix(JsonElement e) => [.. e.EnumerateArray().Select(Vector)];

    internal static double[] Flat(JsonElement e) =>
        e.ValueKind == JsonValueKind.Array
            ? [.. e.EnumerateArray().SelectMany(x => x.ValueKind == JsonValueKind.Array ? Flat(x) : [ToDouble(x)])]
            : [ToDouble(e)];

    internal static double ToDouble(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number => e.GetDouble(),
        JsonValueKind.True => 1,
        JsonValueKind.False => 0,
        JsonValueKind.String => e.GetString() switch
        {
            "NaN" or "nan" => double.NaN,
            "Infinity" or "inf" => double.PositiveInfinity,
            "-Infinity" or "-inf" => double.NegativeInfinity,
            var s => throw new FormatException($"Not a number: '{s}'."),
        },
        _ => throw new FormatException($"Not a number: {e}."),
    };
}
