using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using TrustRegion.Numerics;

namespace TrustRegion.Training;

/// <summary>
/// A verified, read-only checkpoint: named, typed sections read from a file written by <see cref="CheckpointWriter"/>.
/// </summary>
/// <remarks>
/// <para>Loading checks, in order: the magic (else <see cref="CheckpointProblem.Foreign"/>), the recorded length
/// against the file's (<see cref="CheckpointProblem.Truncated"/> or <see cref="CheckpointProblem.Corrupted"/>), the
/// SHA-256 over everything (<see cref="CheckpointProblem.Corrupted"/>), the format version
/// (<see cref="CheckpointProblem.NewerVersion"/>), then the structure of the section table
/// (<see cref="CheckpointProblem.Malformed"/>). Every failure is a <see cref="CheckpointException"/>; no other
/// exception escapes for any byte content.</para>
/// <para>Nothing in the file chooses a type to create or code to run: sections are text, arrays and scalars only.</para>
/// </remarks>
public sealed class Checkpoint
{
    /// <summary>The format version this library writes and the newest it reads.</summary>
    public const int CurrentFormatVersion = CheckpointFormat.Version;

    private readonly byte[] _file;
    private readonly Dictionary<string, (CheckpointSection Section, int Offset)> _byName;

    private Checkpoint(string source, int version, byte[] file, List<CheckpointSection> sections, Dictionary<string, (CheckpointSection, int)> byName)
    {
        Source = source;
        FormatVersion = version;
        _file = file;
        Sections = sections;
        _byName = byName;
    }

    /// <summary>Where the checkpoint was read from (the path given to <see cref="Load"/>).</summary>
    public string Source { get; }

    /// <summary>The format version of the file.</summary>
    public int FormatVersion { get; }

    /// <summary>The section table, in file order.</summary>
    public IReadOnlyList<CheckpointSection> Sections { get; }

    /// <summary>Reads and verifies the checkpoint at <paramref name="path"/>.</summary>
    /// <exception cref="CheckpointException">The file is missing, unreadable, truncated, corrupted, foreign, newer or malformed.</exception>
    public static Checkpoint Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new CheckpointException(path, CheckpointProblem.Unreadable, $"cannot read the checkpoint ({e.Message}). Check the path and permissions.", e);
        }
        return Parse(bytes, path);
    }

    /// <summary>Verifies and reads checkpoint bytes held in memory.</summary>
    /// <param name="bytes">The file contents.</param>
    /// <param name="source">A description of where the bytes came from, used in messages.</param>
    /// <exception cref="CheckpointException">The bytes are not a valid checkpoint.</exception>
    public static Checkpoint Parse(ReadOnlySpan<byte> bytes, string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        ReadOnlySpan<byte> magic = CheckpointFormat.Magic;
        int prefix = Math.Min(bytes.Length, magic.Length);
        if (!bytes[..prefix].SequenceEqual(magic[..prefix]))
        {
            throw new CheckpointException(source, CheckpointProblem.Foreign,
                "not a TrustRegion checkpoint (it does not start with \"TRPOCKPT\"). Pass a .ckpt file written by TrustRegion.");
        }
        const int minimum = CheckpointFormat.HeaderSize + CheckpointFormat.ChecksumSize;
        if (bytes.Length < minimum)
        {
            throw new CheckpointException(source, CheckpointProblem.Truncated,
                $"the checkpoint is truncated: {bytes.Length} bytes, fewer than the {minimum} of an empty checkpoint. Use an earlier checkpoint.");
        }
        ulong recorded = BinaryPrimitives.ReadUInt64LittleEndian(bytes[16..]);
        if (recorded > (ulong)bytes.Length)
        {
            throw new CheckpointException(source, CheckpointProblem.Truncated,
                $"the checkpoint is truncated or corrupted: the file has {bytes.Length} bytes but its header records {recorded}. Use an earlier checkpoint.");
        }
        if (recorded < (ulong)bytes.Length)
        {
            throw new CheckpointException(source, CheckpointProblem.Corrupted,
                $"the checkpoint is corrupted: the file has {bytes.Length} bytes but its header records {recorded}. Use an earlier checkpoint.");
        }
        int body = bytes.Length - CheckpointFormat.ChecksumSize;
        Span<byte> hash = stackalloc byte[CheckpointFormat.ChecksumSize];
        SHA256.HashData(bytes[..body], hash);
        if (!hash.SequenceEqual(bytes[body..]))
        {
            throw new CheckpointException(source, CheckpointProblem.Corrupted,
                "the checkpoint is corrupted: its SHA-256 checksum does not match the contents. Use an earlier checkpoint.");
        }
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]);
        if (version > CheckpointFormat.Version)
        {
            throw new CheckpointException(source, CheckpointProblem.NewerVersion,
                $"the checkpoint has format version {version}, newer than version {CheckpointFormat.Version} that this TrustRegion reads. Upgrade TrustRegion to load it.");
        }
        if (version == 0)
        {
            throw Malformed(source, "format version 0 does not exist");
        }
        return ParseTable(bytes.ToArray(), body, (int)version, source);
    }

    private static Checkpoint ParseTable(byte[] file, int body, int version, string source)
    {
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(12));
        const int minEntry = 1 + 1 + 1 + sizeof(ulong);
        if (count > (uint)(body - CheckpointFormat.HeaderSize) / minEntry)
        {
            throw Malformed(source, $"the section count {count} cannot fit in the file");
        }
        var entries = new List<CheckpointSection>((int)count);
        var byName = new Dictionary<string, (CheckpointSection, int)>(StringComparer.Ordinal);
        int at = CheckpointFormat.HeaderSize;
        for (int i = 0; i < count; i++)
        {
            if (body - at < minEntry)
            {
                throw Malformed(source, $"section table entry {i} runs past the end of the file");
            }
            var type = (CheckpointSectionType)file[at];
            int nameLength = file[at + 1];
            at += 2;
            if (!Enum.IsDefined(type))
            {
                throw Malformed(source, $"section table entry {i} has unknown type {(byte)type}");
            }
            if (nameLength == 0 || body - at < nameLength + sizeof(ulong))
            {
                throw Malformed(source, $"section table entry {i} has an invalid name length {nameLength}");
            }
            string name = Encoding.ASCII.GetString(file, at, nameLength);
            at += nameLength;
            if (!CheckpointFormat.IsValidName(name) || byName.ContainsKey(name))
            {
                throw Malformed(source, $"section table entry {i} has an invalid or repeated name");
            }
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(at));
            at += sizeof(ulong);
            bool sizeOk = type switch
            {
                CheckpointSectionType.Int64 or CheckpointSectionType.Float64 => length == 8,
                CheckpointSectionType.Float64Array or CheckpointSectionType.UInt64Array => length % 8 == 0,
                _ => true,
            };
            if (!sizeOk || length > (ulong)body)
            {
                throw Malformed(source, $"section '{name}' has an invalid length {length} for type {type}");
            }
            var section = new CheckpointSection(name, type, (long)length);
            entries.Add(section);
            byName.Add(name, (section, 0));
        }
        long payloadTotal = 0;
        foreach (CheckpointSection section in entries)
        {
            payloadTotal += section.Length;
        }
        if (payloadTotal != body - at)
        {
            throw Malformed(source, $"the payloads take {payloadTotal} bytes but {body - at} remain after the section table");
        }
        foreach (CheckpointSection section in entries)
        {
            byName[section.Name] = (section, at);
            if (section.Type == CheckpointSectionType.Text && !IsValidUtf8(file.AsSpan(at, (int)section.Length)))
            {
                throw Malformed(source, $"text section '{section.Name}' is not valid UTF-8");
            }
            at += (int)section.Length;
        }
        return new Checkpoint(source, version, file, entries, byName);
    }

    /// <summary>True when the checkpoint has a section named <paramref name="name"/>.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>The text of section <paramref name="name"/>.</summary>
    /// <exception cref="CheckpointException">The section is missing or is not text (<see cref="CheckpointProblem.Incompatible"/>).</exception>
    public string GetText(string name) => Encoding.UTF8.GetString(Payload(name, CheckpointSectionType.Text));

    /// <summary>A copy of the double array in section <paramref name="name"/>.</summary>
    /// <exception cref="CheckpointException">The section is missing or is not a double array.</exception>
    public double[] GetDoubles(string name)
    {
        ReadOnlySpan<byte> payload = Payload(name, CheckpointSectionType.Float64Array);
        var values = new double[payload.Length / sizeof(double)];
        DecodeDoubles(payload, values);
        return values;
    }

    /// <summary>Copies the double array in section <paramref name="name"/> into <paramref name="destination"/>, whose length must match.</summary>
    /// <exception cref="CheckpointException">The section is missing, not a double array, or of another length than <paramref name="destination"/>.</exception>
    public void ReadDoubles(string name, Span<double> destination)
    {
        ReadOnlySpan<byte> payload = Payload(name, CheckpointSectionType.Float64Array);
        int count = payload.Length / sizeof(double);
        if (count != destination.Length)
        {
            throw new CheckpointException(Source, CheckpointProblem.Incompatible,
                $"section '{name}' holds {count} values but {destination.Length} are expected; the checkpoint belongs to a different network or environment.");
        }
        DecodeDoubles(payload, destination);
    }

    /// <summary>A copy of the unsigned integer array in section <paramref name="name"/>.</summary>
    /// <exception cref="CheckpointException">The section is missing or is not an unsigned integer array.</exception>
    public ulong[] GetUInt64s(string name)
    {
        ReadOnlySpan<byte> payload = Payload(name, CheckpointSectionType.UInt64Array);
        var values = new ulong[payload.Length / sizeof(ulong)];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadUInt64LittleEndian(payload[(i * sizeof(ulong))..]);
        }
        return values;
    }

    /// <summary>A copy of the bytes in section <paramref name="name"/>.</summary>
    /// <exception cref="CheckpointException">The section is missing or is not a byte section.</exception>
    public byte[] GetBytes(string name) => Payload(name, CheckpointSectionType.Bytes).ToArray();

    /// <summary>The signed integer in section <paramref name="name"/>.</summary>
    /// <exception cref="CheckpointException">The section is missing or is not an Int64 scalar.</exception>
    public long GetInt64(string name) => BinaryPrimitives.ReadInt64LittleEndian(Payload(name, CheckpointSectionType.Int64));

    /// <summary>The double in section <paramref name="name"/>.</summary>
    /// <exception cref="CheckpointException">The section is missing or is not a Float64 scalar.</exception>
    public double GetDouble(string name) => BinaryPrimitives.ReadDoubleLittleEndian(Payload(name, CheckpointSectionType.Float64));

    /// <summary>The generator state stored by <see cref="CheckpointWriter.AddRngState"/>.</summary>
    /// <exception cref="CheckpointException">The section is missing, not five words, or an all-zero state.</exception>
    public RngState GetRngState(string name)
    {
        ulong[] words = GetUInt64s(name);
        if (words.Length != 5 || (words[0] | words[1] | words[2] | words[3]) == 0)
        {
            throw new CheckpointException(Source, CheckpointProblem.Incompatible,
                $"section '{name}' is not a generator state (expected five words with a non-zero state, found {words.Length} words).");
        }
        return new RngState(words[0], words[1], words[2], words[3], words[4]);
    }

    private ReadOnlySpan<byte> Payload(string name, CheckpointSectionType expected)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!_byName.TryGetValue(name, out (CheckpointSection Section, int Offset) entry))
        {
            throw new CheckpointException(Source, CheckpointProblem.Incompatible,
                $"the checkpoint has no section '{name}' (it has: {string.Join(", ", Sections.Select(s => s.Name))}); it was written by an incompatible version or for another purpose.");
        }
        if (entry.Section.Type != expected)
        {
            throw new CheckpointException(Source, CheckpointProblem.Incompatible,
                $"section '{name}' is {entry.Section.Type}, expected {expected}; the checkpoint was written by an incompatible version.");
        }
        return _file.AsSpan(entry.Offset, (int)entry.Section.Length);
    }

    private static void DecodeDoubles(ReadOnlySpan<byte> payload, Span<double> destination)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = BinaryPrimitives.ReadDoubleLittleEndian(payload[(i * sizeof(double))..]);
        }
    }

    private static bool IsValidUtf8(ReadOnlySpan<byte> bytes) => System.Text.Unicode.Utf8.IsValid(bytes);

    private static CheckpointException Malformed(string source, string what) =>
        new(source, CheckpointProblem.Malformed, $"the checkpoint is malformed: {what}, although its checksum holds (a faulty writer produced it). Use an earlier checkpoint.");
}
