using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using TrustRegion.Numerics;

namespace TrustRegion.Training;

/// <summary>
/// Collects named, typed sections and writes them as one self-describing checkpoint file (format in
/// docs/checkpoints.md): magic, format version, section table, payloads, SHA-256. Only data is stored — text, arrays
/// and scalars — so <see cref="Checkpoint.Load"/> never creates objects chosen by the file.
/// </summary>
/// <example>
/// <code>
/// new CheckpointWriter()
///     .AddText("config", ConfigResolver.ToYaml(config))
///     .AddDoubles("policy/params", policyParameters)
///     .AddInt64("counters/steps", steps)
///     .Save("runs/x/checkpoints/latest.ckpt");
/// </code>
/// </example>
public sealed class CheckpointWriter
{
    private readonly List<(string Name, CheckpointSectionType Type, byte[] Payload)> _sections = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    /// <summary>Number of sections added so far.</summary>
    public int Count => _sections.Count;

    /// <summary>Adds a UTF-8 text section.</summary>
    /// <exception cref="ArgumentException">The name is invalid or already used.</exception>
    public CheckpointWriter AddText(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Add(name, CheckpointSectionType.Text, new UTF8Encoding(false, true).GetBytes(value));
    }

    /// <summary>Adds an array of doubles (stored bit-exactly, NaN payloads included).</summary>
    public CheckpointWriter AddDoubles(string name, ReadOnlySpan<double> values)
    {
        var payload = new byte[checked(values.Length * sizeof(double))];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(payload.AsSpan(i * sizeof(double)), values[i]);
        }
        return Add(name, CheckpointSectionType.Float64Array, payload);
    }

    /// <summary>Adds an array of unsigned 64-bit integers.</summary>
    public CheckpointWriter AddUInt64s(string name, ReadOnlySpan<ulong> values)
    {
        var payload = new byte[checked(values.Length * sizeof(ulong))];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(payload.AsSpan(i * sizeof(ulong)), values[i]);
        }
        return Add(name, CheckpointSectionType.UInt64Array, payload);
    }

    /// <summary>Adds one signed 64-bit integer.</summary>
    public CheckpointWriter AddInt64(string name, long value)
    {
        var payload = new byte[sizeof(long)];
        BinaryPrimitives.WriteInt64LittleEndian(payload, value);
        return Add(name, CheckpointSectionType.Int64, payload);
    }

    /// <summary>Adds one double.</summary>
    public CheckpointWriter AddDouble(string name, double value)
    {
        var payload = new byte[sizeof(double)];
        BinaryPrimitives.WriteDoubleLittleEndian(payload, value);
        return Add(name, CheckpointSectionType.Float64, payload);
    }

    /// <summary>Adds opaque bytes (e.g. an environment snapshot); they are stored and returned unchanged.</summary>
    public CheckpointWriter AddBytes(string name, ReadOnlySpan<byte> value) => Add(name, CheckpointSectionType.Bytes, value.ToArray());

    /// <summary>Adds a generator state as an array of five words (S0–S3, then the stream key).</summary>
    public CheckpointWriter AddRngState(string name, RngState state) =>
        AddUInt64s(name, [state.S0, state.S1, state.S2, state.S3, state.Key]);

    /// <summary>The complete file contents.</summary>
    public byte[] ToArray()
    {
        long length = CheckpointFormat.HeaderSize + CheckpointFormat.ChecksumSize;
        foreach ((string name, _, byte[] payload) in _sections)
        {
            length += 1 + 1 + name.Length + sizeof(ulong) + payload.Length;
        }
        var file = new byte[checked((int)length)];
        CheckpointFormat.WriteHeader(file, _sections.Count, length);
        int at = CheckpointFormat.HeaderSize;
        foreach ((string name, CheckpointSectionType type, byte[] payload) in _sections)
        {
            file[at++] = (byte)type;
            file[at++] = (byte)name.Length;
            at += Encoding.ASCII.GetBytes(name, file.AsSpan(at));
            BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(at), (ulong)payload.Length);
            at += sizeof(ulong);
        }
        foreach ((_, _, byte[] payload) in _sections)
        {
            payload.CopyTo(file, at);
            at += payload.Length;
        }
        SHA256.HashData(file.AsSpan(0, at), file.AsSpan(at));
        return file;
    }

    /// <summary>
    /// Writes the checkpoint to <paramref name="path"/> atomically (<see cref="AtomicFile"/>): the previous file at the
    /// path stays intact until the new one is complete and flushed.
    /// </summary>
    public void Save(string path) => AtomicFile.WriteAllBytes(path, ToArray());

    private CheckpointWriter Add(string name, CheckpointSectionType type, byte[] payload)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!CheckpointFormat.IsValidName(name))
        {
            throw new ArgumentException(
                $"Section name '{name}' is invalid; valid: 1–{CheckpointFormat.MaxNameLength} ASCII letters, digits, '_', '.', '/' or '-'.", nameof(name));
        }
        if (!_names.Add(name))
        {
            throw new ArgumentException($"Section '{name}' was already added; section names must be unique.", nameof(name));
        }
        _sections.Add((name, type, payload));
        return this;
    }
}
