using System.Diagnostics.CodeAnalysis;
using TrustRegion.Numerics;

namespace TrustRegion.Envs;

/// <summary>
/// Building blocks for <see cref="ISnapshotable"/> implementations: a tagged, versioned block header, generator state, and
/// configuration checks that turn a mismatch into an <see cref="InvalidDataException"/> naming the value that differs.
/// </summary>
/// <remarks>
/// Every block starts with the magic number <see cref="Magic"/>, the writer's tag (a string naming the type and, where it
/// matters, the environment id) and the writer's format version. Values are written with <see cref="BinaryWriter"/>
/// (little-endian; doubles keep their exact bits, NaN payloads included).
/// </remarks>
public static class SnapshotBlock
{
    /// <summary>The four bytes that open every block ("TRSN" read as a little-endian integer).</summary>
    public const uint Magic = 0x4E535254;

    /// <summary>Writes the block header: <see cref="Magic"/>, <paramref name="tag"/>, <paramref name="version"/>.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static void WriteHeader(BinaryWriter writer, string tag, int version)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(tag);
        writer.Write(Magic);
        writer.Write(tag);
        writer.Write(version);
    }

    /// <summary>Reads a block header and checks that it was written by <paramref name="tag"/> in format <paramref name="version"/>.</summary>
    /// <exception cref="InvalidDataException">The stream does not hold a block here, or the block has another tag or version.</exception>
    public static void ReadHeader(BinaryReader reader, string tag, int version) => ReadHeader(reader, tag, version, version);

    /// <summary>
    /// Reads a block header written by <paramref name="tag"/> in any format from <paramref name="oldestVersion"/> to
    /// <paramref name="newestVersion"/> and returns that format, for blocks whose reader still accepts older formats.
    /// </summary>
    /// <exception cref="InvalidDataException">The stream does not hold a block here, or the block has another tag or a version outside the range.</exception>
    public static int ReadHeader(BinaryReader reader, string tag, int oldestVersion, int newestVersion)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(tag);
        try
        {
            uint magic = reader.ReadUInt32();
            if (magic != Magic)
            {
                throw new InvalidDataException($"Snapshot block for '{tag}' expected: found 0x{magic:X8} where the block marker 0x{Magic:X8} should be; the data is not a TrustRegion snapshot, is damaged, or belongs to a differently built stack.");
            }
            string found = reader.ReadString();
            int foundVersion = reader.ReadInt32();
            if (found != tag)
            {
                throw new InvalidDataException($"Snapshot block mismatch: the snapshot holds '{found}' (format {foundVersion}) where '{tag}' is being loaded; the stack that wrote it was built differently.");
            }
            if (foundVersion < oldestVersion || foundVersion > newestVersion)
            {
                string readable = oldestVersion == newestVersion ? $"version {newestVersion} only" : $"versions {oldestVersion} to {newestVersion}";
                throw new InvalidDataException($"Snapshot block '{tag}' has format version {foundVersion}; this build reads {readable}.");
            }
            return foundVersion;
        }
        catch (EndOfStreamException ex)
        {
            throw Truncated(tag, ex);
        }
    }

    /// <summary>Writes the complete state of <paramref name="rng"/> (five 64-bit words).</summary>
    public static void WriteRng(BinaryWriter writer, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(rng);
        RngState s = rng.GetState();
        writer.Write(s.S0);
        writer.Write(s.S1);
        writer.Write(s.S2);
        writer.Write(s.S3);
        writer.Write(s.Key);
    }

    /// <summary>Reads a generator state written by <see cref="WriteRng"/>.</summary>
    /// <exception cref="InvalidDataException">The state is the all-zero state, which xoshiro256** never reaches.</exception>
    public static RngState ReadRng(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var s = new RngState(reader.ReadUInt64(), reader.ReadUInt64(), reader.ReadUInt64(), reader.ReadUInt64(), reader.ReadUInt64());
        if ((s.S0 | s.S1 | s.S2 | s.S3) == 0)
        {
            throw new InvalidDataException("Snapshot holds the all-zero generator state, which no generator reaches; the snapshot is damaged.");
        }
        return s;
    }

    /// <summary>Reads an <see cref="int"/> of the writer's configuration and checks it equals <paramref name="expected"/>.</summary>
    /// <exception cref="InvalidDataException">The value differs; the message names <paramref name="owner"/>, <paramref name="what"/> and both values.</exception>
    public static void ExpectInt32(BinaryReader reader, string owner, string what, int expected)
    {
        ArgumentNullException.ThrowIfNull(reader);
        int found = reader.ReadInt32();
        if (found != expected)
        {
            ThrowMismatch(owner, what, found.ToString(System.Globalization.CultureInfo.InvariantCulture), expected.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Reads a <see cref="double"/> of the writer's configuration and checks it has the bits of <paramref name="expected"/>.</summary>
    /// <exception cref="InvalidDataException">The value differs; the message names <paramref name="owner"/>, <paramref name="what"/> and both values.</exception>
    public static void ExpectDouble(BinaryReader reader, string owner, string what, double expected)
    {
        ArgumentNullException.ThrowIfNull(reader);
        double found = reader.ReadDouble();
        if (BitConverter.DoubleToInt64Bits(found) != BitConverter.DoubleToInt64Bits(expected))
        {
            ThrowMismatch(owner, what, EnvGuard.Format(found), EnvGuard.Format(expected));
        }
    }

    /// <summary>Reads a <see cref="string"/> of the writer's configuration and checks it equals <paramref name="expected"/> (ordinal).</summary>
    /// <exception cref="InvalidDataException">The value differs; the message names <paramref name="owner"/>, <paramref name="what"/> and both values.</exception>
    public static void ExpectString(BinaryReader reader, string owner, string what, string expected)
    {
        ArgumentNullException.ThrowIfNull(reader);
        string found = reader.ReadString();
        if (!string.Equals(found, expected, StringComparison.Ordinal))
        {
            ThrowMismatch(owner, what, $"'{found}'", $"'{expected}'");
        }
    }

    /// <summary>Reads a <see cref="bool"/> of the writer's configuration and checks it equals <paramref name="expected"/>.</summary>
    /// <exception cref="InvalidDataException">The value differs; the message names <paramref name="owner"/>, <paramref name="what"/> and both values.</exception>
    public static void ExpectBoolean(BinaryReader reader, string owner, string what, bool expected)
    {
        ArgumentNullException.ThrowIfNull(reader);
        bool found = reader.ReadBoolean();
        if (found != expected)
        {
            ThrowMismatch(owner, what, found ? "true" : "false", expected ? "true" : "false");
        }
    }

    /// <summary>The exception for an object that cannot take part in a snapshot, naming its type and how to opt in.</summary>
    public static NotSupportedException NotSupported(Type type, string holder)
    {
        ArgumentNullException.ThrowIfNull(type);
        return new NotSupportedException(
            $"{holder}: environment type '{type.FullName}' does not support snapshots, so its state cannot be saved exactly. " +
            $"Implement {nameof(ISnapshotable)} on it (a wrapper derived from EnvWrapper overrides SupportsSnapshot, SaveState and LoadState).");
    }

    /// <summary>The exception for a snapshot that ended before <paramref name="tag"/>'s block was complete.</summary>
    public static InvalidDataException Truncated(string tag, Exception? inner = null) =>
        new($"The snapshot ended inside the block of '{tag}': it is truncated or was written by a differently built stack.", inner);

    [DoesNotReturn]
    private static void ThrowMismatch(string owner, string what, string found, string expected) =>
        throw new InvalidDataException($"Snapshot mismatch in {owner}: {what} is {found} in the snapshot but {expected} here; load a snapshot only into a stack built the same way.");
}
