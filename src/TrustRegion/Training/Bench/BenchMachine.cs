using System.Globalization;
using System.Runtime.InteropServices;

namespace TrustRegion.Training.Bench;

/// <summary>The machine a benchmark ran on, as the report names it.</summary>
/// <param name="Cores">Logical processors available to the process.</param>
/// <param name="Cpu">CPU model (Linux: the first <c>model name</c> of /proc/cpuinfo), or "unknown".</param>
/// <param name="Runtime">The .NET runtime (e.g. ".NET 10.0.0").</param>
/// <param name="Os">The operating system.</param>
/// <param name="LoadAverage">The 1-, 5- and 15-minute load averages from /proc/loadavg when the report was made, or "unknown".</param>
public sealed record BenchMachine(int Cores, string Cpu, string Runtime, string Os, string LoadAverage)
{
    /// <summary>Describes the current machine.</summary>
    public static BenchMachine Current() =>
        new(Environment.ProcessorCount, ReadCpuModel(), RuntimeInformation.FrameworkDescription, RuntimeInformation.OSDescription, ReadLoadAverage());

    /// <summary>The 1-, 5- and 15-minute load averages (Linux), or "unknown".</summary>
    public static string ReadLoadAverage()
    {
        try
        {
            string[] parts = File.ReadAllText("/proc/loadavg").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return parts.Length >= 3 ? string.Join(' ', parts[..3]) : "unknown";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "unknown";
        }
    }

    private static string ReadCpuModel()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/cpuinfo"))
            {
                if (line.StartsWith("model name", StringComparison.Ordinal) && line.IndexOf(':', StringComparison.Ordinal) is int colon and >= 0)
                {
                    return line[(colon + 1)..].Trim();
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return RuntimeInformation.ProcessArchitecture.ToString().ToLower(CultureInfo.InvariantCulture) + " (model unknown)";
    }
}
