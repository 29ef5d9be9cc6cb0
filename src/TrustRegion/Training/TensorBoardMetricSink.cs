using System.Buffers.Binary;
using System.Globalization;
using Google.Protobuf;

namespace TrustRegion.Training;

/// <summary>
/// Writes metrics as a TensorBoard event file (<c>events.out.tfevents.*</c>) that TensorBoard reads directly: one
/// <c>Event</c> record per row, holding a <c>Summary</c> with one <c>simple_value</c> per metric.
/// </summary>
/// <remarks>
/// <para>Framing (TFRecord): <c>uint64 length</c>, <c>uint32 masked_crc32c(length)</c>, <c>data</c>,
/// <c>uint32 masked_crc32c(data)</c>, all little-endian. The first record is the version event
/// (<c>file_version = "brain.Event:2"</c>).</para>
/// <para>Protobuf fields written (tensorflow/core/util/event.proto and framework/summary.proto): Event.wall_time = 1
/// (double), Event.step = 2 (int64), Event.file_version = 3 (string), Event.summary = 5 (message); Summary.value = 1
/// (repeated message); Summary.Value.tag = 1 (string), Summary.Value.simple_value = 2 (float). Values are narrowed to
/// float32, as <c>simple_value</c> is. Encoded by field number with <see cref="CodedOutputStream"/>; no generated code.</para>
/// <para>Every record is flushed to the operating system as it is written.</para>
/// </remarks>
public sealed class TensorBoardMetricSink : IMetricSink
{
    private const string FileVersion = "brain.Event:2";

    private readonly FileStream _file;
    private readonly TimeProvider _time;
    private readonly MemoryStream _summary = new();
    private readonly MemoryStream _event = new();

    /// <summary>Creates a new event file in <paramref name="directory"/> (created if needed) and writes the version record.</summary>
    /// <param name="directory">The folder TensorBoard is pointed at (e.g. the run directory).</param>
    /// <param name="time">Clock for the records' wall times; the system clock by default.</param>
    public TensorBoardMetricSink(string directory, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        _time = time ?? TimeProvider.System;
        Directory.CreateDirectory(directory);
        long seconds = _time.GetUtcNow().ToUnixTimeSeconds();
        string baseName = $"events.out.tfevents.{seconds.ToString(CultureInfo.InvariantCulture)}.{Environment.MachineName}";
        string path = Path.Combine(directory, baseName);
        for (int n = 1; File.Exists(path); n++)
        {
            path = Path.Combine(directory, $"{baseName}.{n.ToString(CultureInfo.InvariantCulture)}");
        }
        _file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        FilePath = path;
        WriteEvent(step: 0, summary: ReadOnlySpan<Metric>.Empty, fileVersion: FileVersion);
    }

    /// <summary>The event file's path.</summary>
    public string FilePath { get; }

    /// <inheritdoc/>
    public void Write(long step, ReadOnlySpan<Metric> metrics)
    {
        foreach (Metric metric in metrics)
        {
            ArgumentException.ThrowIfNullOrEmpty(metric.Key, nameof(metrics));
        }
        WriteEvent(step, metrics, fileVersion: null);
    }

    /// <inheritdoc/>
    public void Flush() => _file.Flush();

    /// <inheritdoc/>
    public void Dispose() => _file.Dispose();

    private void WriteEvent(long step, ReadOnlySpan<Metric> summary, string? fileVersion)
    {
        _summary.SetLength(0);
        using (var output = new CodedOutputStream(_summary, leaveOpen: true))
        {
            foreach (Metric metric in summary)
            {
                int tagSize = CodedOutputStream.ComputeStringSize(metric.Key);
                output.WriteTag(1, WireFormat.WireType.LengthDelimited);          // Summary.value
                output.WriteLength(1 + tagSize + 1 + sizeof(float));
                output.WriteTag(1, WireFormat.WireType.LengthDelimited);          // Value.tag
                output.WriteString(metric.Key);
                output.WriteTag(2, WireFormat.WireType.Fixed32);                  // Value.simple_value
                output.WriteFloat((float)metric.Value);
            }
        }

        _event.SetLength(0);
        using (var output = new CodedOutputStream(_event, leaveOpen: true))
        {
            double wallTime = _time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
            output.WriteTag(1, WireFormat.WireType.Fixed64);                      // Event.wall_time
            output.WriteDouble(wallTime);
            if (step != 0)
            {
                output.WriteTag(2, WireFormat.WireType.Varint);                   // Event.step (proto3 omits 0)
                output.WriteInt64(step);
            }
            if (fileVersion is not null)
            {
                output.WriteTag(3, WireFormat.WireType.LengthDelimited);          // Event.file_version
                output.WriteString(fileVersion);
            }
            if (_summary.Length > 0)
            {
                output.WriteTag(5, WireFormat.WireType.LengthDelimited);          // Event.summary
                output.WriteBytes(ByteString.CopyFrom(_summary.GetBuffer(), 0, (int)_summary.Length)); // length, then bytes
            }
        }
        WriteRecord(_event.GetBuffer().AsSpan(0, (int)_event.Length));
    }

    private void WriteRecord(ReadOnlySpan<byte> data)
    {
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], Crc32C.Mask(Crc32C.Compute(header[..8])));
        Span<byte> footer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, Crc32C.Mask(Crc32C.Compute(data)));
        _file.Write(header);
        _file.Write(data);
        _file.Write(footer);
        _file.Flush();
    }
}
