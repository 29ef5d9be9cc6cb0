using System.Collections.Concurrent;
using System.Reflection;

namespace TrustRegion.MuJoCo;

/// <summary>The MJCF models that ship with TrustRegion.MuJoCo as embedded resources, and their shared compiled form.</summary>
/// <remarks>
/// <see cref="Shared"/> compiles each model at most once per process and never frees it: a compiled model is immutable
/// and is read concurrently by every environment copy (spec 5.3), so one instance serves all of them.
/// </remarks>
public static class MuJoCoModels
{
    private const string ResourcePrefix = "TrustRegion.MuJoCo.Models.";

    private static readonly ConcurrentDictionary<string, Lazy<MuJoCoModel>> s_shared = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<(string Path, string Sha256), Lazy<MuJoCoModel>> s_files = new();

    /// <summary>File names of the embedded models, e.g. <c>hopper.xml</c>.</summary>
    public static IReadOnlyList<string> Names { get; } =
        [.. typeof(MuJoCoModels).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            .Select(n => n[ResourcePrefix.Length..])
            .Order(StringComparer.Ordinal)];

    /// <summary>The MJCF text of an embedded model.</summary>
    /// <exception cref="ArgumentException">No embedded model has that file name.</exception>
    public static string GetMjcf(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        Assembly assembly = typeof(MuJoCoModels).Assembly;
        using Stream? stream = assembly.GetManifestResourceStream(ResourcePrefix + fileName)
            ?? throw new ArgumentException($"No embedded MuJoCo model is named '{fileName}'; available: {string.Join(", ", Names)}.", nameof(fileName));
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Compiles an embedded model into a new, caller-owned <see cref="MuJoCoModel"/>.</summary>
    /// <exception cref="ArgumentException">No embedded model has that file name.</exception>
    public static MuJoCoModel Load(string fileName) => MuJoCoModel.FromXml(GetMjcf(fileName), fileName);

    /// <summary>The process-wide compiled instance of an embedded model, compiled on first use; do not dispose it.</summary>
    /// <exception cref="ArgumentException">No embedded model has that file name.</exception>
    public static MuJoCoModel Shared(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        if (!Names.Contains(fileName))
        {
            throw new ArgumentException($"No embedded MuJoCo model is named '{fileName}'; available: {string.Join(", ", Names)}.", nameof(fileName));
        }
        return s_shared.GetOrAdd(fileName, static n => new Lazy<MuJoCoModel>(() => Load(n), LazyThreadSafetyMode.ExecutionAndPublication)).Value;
    }

    /// <summary>
    /// The canonical form of an <c>xml_file</c> argument (<see cref="Resolve"/>'s rule): an embedded model's name as it is, a
    /// path made absolute (from the current directory, or the home directory for <c>~</c>). The run's configuration keeps this
    /// form, so a resumed run or an evaluation elsewhere reads the same file. Touches no file.
    /// </summary>
    /// <exception cref="ArgumentException">A plain name that no embedded model has.</exception>
    public static string NormalizeXmlFile(string xmlFile)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(xmlFile);
        string name = xmlFile.Trim();
        if (!IsPath(name))
        {
            return Names.Contains(name) ? name
                : throw new ArgumentException($"no embedded MuJoCo model is named '{name}' (available: {string.Join(", ", Names)}); a file path must start with '.', '/' or '~'.");
        }
        string path = name.StartsWith('~')
            ? Path.Join(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), name[1..].TrimStart('/'))
            : name;
        return Path.GetFullPath(path);
    }

    private static bool IsPath(string name) => name.StartsWith('.') || name.StartsWith('/') || name.StartsWith('~');

    /// <summary>
    /// The model an <c>xml_file</c> argument names, read as Gymnasium reads it: a name that starts with <c>.</c> or <c>/</c> is a
    /// file path (relative to the current directory), one that starts with <c>~</c> a path in the home directory, and any other
    /// name an embedded model (<see cref="Names"/>). The model is compiled once per process, path and file content, and shared
    /// like <see cref="Shared"/>: the file is read and hashed on every call, so an edited file is compiled again (files it
    /// includes are not part of that check).
    /// </summary>
    /// <exception cref="ArgumentException">A plain name that no embedded model has.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="MuJoCoException">MuJoCo rejects the file (its compiler text).</exception>
    public static MuJoCoModel Resolve(string xmlFile)
    {
        string full = NormalizeXmlFile(xmlFile);
        if (!IsPath(full))
        {
            return Shared(full);
        }
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"The MuJoCo model file '{xmlFile}' (xml_file) does not exist (looked for {full}).", full);
        }
        // Keyed by path and content: an edited file is compiled anew, the same content is compiled once. The hash read here is
        // the model's SourceSha256, so the file is read once.
        (string Path, string Sha256) key = (full, MuJoCoModel.Sha256Hex(File.ReadAllBytes(full)));
        Lazy<MuJoCoModel> lazy = s_files.GetOrAdd(key, static k => new Lazy<MuJoCoModel>(() => MuJoCoModel.FromFile(k.Path, k.Sha256), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return lazy.Value;
        }
        catch
        {
            s_files.TryRemove(KeyValuePair.Create(key, lazy)); // a failed compile is not cached: fix the file and try again
            throw;
        }
    }
}
