using System.Buffers.Binary;
using Google.Protobuf;
using TrustRegion.Training;

namespace TrustRegion.Tests.Training;

public sealed class MetricSinkTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("trpo-sinks-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Crc32C_MatchesTheStandardCheckValue()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
        Assert.Equal(0u, Crc32C.Compute([]));
        // Against the bitwise definition (reflected polynomial 0x82F63B78) on every length through 64.
        byte[] data = [.. Enumerable.Range(0, 64).Select(i => (byte)(i * 37 + 11))];
        for (int n = 0; n <= data.Length; n++)
        {
            Assert.Equal(BitwiseCrc32C(data.AsSpan(0, n)), Crc32C.Compute(data.AsSpan(0, n)));
        }
    }

    [Fact]
    public void TensorBoard_RecordsMatchHandComputedBytes()
    {
        // Computed independently (Python, bitwise CRC-32C): the version event at wall time 1.5 s, then step 42 with
        // train/kl = 0.25. Event = 09 <double 1.5> [10 2A] [1A 0D "brain.Event:2" | 2A 11 <Summary>].
        const string expected =
            "1800000000000000A37F4B2209000000000000F83F1A0D627261696E2E4576656E743A322A28646C" +
            "1E00000000000000D9DC123209000000000000F83F102A2A110A0F0A08747261696E2F6B6C150000803E17737737";
        string path;
        using (var sink = new TensorBoardMetricSink(_dir, new FixedTime(1500)))
        {
            sink.Write(42, [new Metric("train/kl", 0.25)]);
            path = sink.FilePath;
        }
        Assert.StartsWith("events.out.tfevents.1.", Path.GetFileName(path), StringComparison.Ordinal);
        Assert.Equal(expected, Convert.ToHexString(File.ReadAllBytes(path)));
    }

    [Fact]
    public void TensorBoard_ReadsBackThroughAnIndependentReader()
    {
        string path;
        using (var sink = new TensorBoardMetricSink(_dir, new FixedTime(1_700_000_000_250)))
        {
            for (int i = 1; i <= 50; i++)
            {
                sink.Write(i * 1024, [new Metric(MetricKeys.Kl, 0.001 * i), new Metric(MetricKeys.EpisodeReturnMean, -i), new Metric(MetricKeys.Fps, double.NaN)]);
            }
            path = sink.FilePath;
        }
        List<TfEvent> events = ReadEvents(File.ReadAllBytes(path));
        Assert.Equal(51, events.Count);
        Assert.Equal("brain.Event:2", events[0].FileVersion);
        Assert.Empty(events[0].Values);
        for (int i = 1; i <= 50; i++)
        {
            TfEvent e = events[i];
            Assert.Equal(1_700_000_000.25, e.WallTime);
            Assert.Equal(i * 1024, e.Step);
            Assert.Null(e.FileVersion);
            Assert.Equal([MetricKeys.Kl, MetricKeys.EpisodeReturnMean, MetricKeys.Fps], e.Values.Select(v => v.Tag));
            Assert.Equal((float)(0.001 * i), e.Values[0].Value);
            Assert.Equal(-i, e.Values[1].Value);
            Assert.True(float.IsNaN(e.Values[2].Value));
        }
    }

    [Fact]
    public void TensorBoard_SecondSinkInTheSameSecond_GetsItsOwnFile()
    {
        using var a = new TensorBoardMetricSink(_dir, new FixedTime(5000));
        using var b = new TensorBoardMetricSink(_dir, new FixedTime(5000));
        Assert.NotEqual(a.FilePath, b.FilePath);
        Assert.Contains("tfevents", Path.GetFileName(b.FilePath), StringComparison.Ordinal);
    }

    [Fact]
    public void Csv_WritesHeaderAndRowsInColumnOrder()
    {
        string path = Path.Combine(_dir, "progress.csv");
        using (CsvMetricSink sink = CsvMetricSink.Create(path, ["a/x", "b/y", "c/z"]))
        {
            sink.Write(100, [new Metric("c/z", 3.5), new Metric("a/x", 0.1)]);
            sink.Write(200, [new Metric("b/y", double.NaN), new Metric("a/x", 1e-20)]);
        }
        Assert.Equal("time/total_steps,a/x,b/y,c/z\n100,0.1,,3.5\n200,1E-20,NaN,\n", File.ReadAllText(path));
    }

    [Fact]
    public void Csv_DefaultColumns_StartWithTheIssueColumns()
    {
        string path = Path.Combine(_dir, "progress.csv");
        CsvMetricSink.Create(path).Dispose();
        string header = File.ReadAllLines(path)[0];
        string[] required =
        [
            "time/total_steps", "time/fps", "rollout/ep_return_mean", "rollout/ep_len_mean", "train/kl",
            "train/surrogate_improvement", "train/line_search_accepted", "train/line_search_steps", "train/cg_residual",
            "train/explained_variance", "train/value_loss", "train/entropy",
        ];
        string[] columns = header.Split(',');
        Assert.Equal("time/total_steps", columns[0]);
        Assert.All(required, c => Assert.Contains(c, columns));
    }

    [Fact]
    public void Csv_UnknownOrRepeatedKeyOrDecreasingStep_IsRejected()
    {
        using CsvMetricSink sink = CsvMetricSink.Create(Path.Combine(_dir, "p.csv"), ["a"]);
        Assert.Contains("'b' is not a column", Assert.Throws<ArgumentException>(() => sink.Write(1, [new Metric("b", 1)])).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => sink.Write(1, [new Metric("a", 1), new Metric("a", 2)]));
        sink.Write(10, [new Metric("a", 1)]);
        Assert.Throws<ArgumentOutOfRangeException>(() => sink.Write(9, [new Metric("a", 1)]));
    }

    [Theory]
    [InlineData("time/total_steps")]
    [InlineData("a,b")]
    [InlineData("")]
    public void Csv_InvalidColumn_IsRejected(string column) =>
        Assert.Throws<ArgumentException>(() => CsvMetricSink.Create(Path.Combine(_dir, "p.csv"), ["ok", column]));

    [Fact]
    public void Csv_Resume_DropsRowsAfterTheCheckpointAndATornLine()
    {
        string path = Path.Combine(_dir, "progress.csv");
        string[] columns = ["a"];
        using (CsvMetricSink sink = CsvMetricSink.Create(path, columns))
        {
            for (int i = 1; i <= 5; i++)
            {
                sink.Write(i * 100, [new Metric("a", i)]);
            }
        }
        File.AppendAllText(path, "600,6.0"); // torn row: the process died mid-line
        using (CsvMetricSink sink = CsvMetricSink.Resume(path, lastStep: 300, columns))
        {
            sink.Write(400, [new Metric("a", 40)]);
        }
        Assert.Equal("time/total_steps,a\n100,1\n200,2\n300,3\n400,40\n", File.ReadAllText(path));
    }

    [Fact]
    public void Csv_ResumeWithOtherColumns_IsRejected()
    {
        string path = Path.Combine(_dir, "progress.csv");
        CsvMetricSink.Create(path, ["a"]).Dispose();
        Assert.Throws<InvalidDataException>(() => CsvMetricSink.Resume(path, 0, ["b"]));
    }

    [Fact]
    public void Csv_ReadableWhileTheSinkIsOpen()
    {
        string path = Path.Combine(_dir, "progress.csv");
        using CsvMetricSink sink = CsvMetricSink.Create(path, [MetricKeys.Kl]);
        sink.Write(512, [new Metric(MetricKeys.Kl, 0.005)]);
        ProgressTable table = ProgressTable.Load(path);
        Assert.Equal(1, table.RowCount);
        Assert.Equal(0.005, table.Column(MetricKeys.Kl)[0]);
    }

    private static uint BitwiseCrc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
            }
        }
        return ~crc;
    }

    private sealed record TfValue(string Tag, float Value);

    private sealed record TfEvent(double WallTime, long Step, string? FileVersion, List<TfValue> Values);

    /// <summary>An independent TFRecord + Event reader: checks both masked CRCs of every record and decodes by field number.</summary>
    private static List<TfEvent> ReadEvents(byte[] file)
    {
        var events = new List<TfEvent>();
        int at = 0;
        while (at < file.Length)
        {
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(at));
            Assert.Equal(MaskedBitwise(file.AsSpan(at, 8)), BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at + 8)));
            byte[] data = file.AsSpan(at + 12, (int)length).ToArray();
            Assert.Equal(MaskedBitwise(data), BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at + 12 + (int)length)));
            at += 12 + (int)length + 4;

            var input = new CodedInputStream(data);
            double wall = 0;
            long step = 0;
            string? version = null;
            var values = new List<TfValue>();
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                switch (WireFormat.GetTagFieldNumber(tag))
                {
                    case 1: wall = input.ReadDouble(); break;
                    case 2: step = input.ReadInt64(); break;
                    case 3: version = input.ReadString(); break;
                    case 5:
                        var summary = new CodedInputStream(input.ReadBytes().ToByteArray());
                        uint st;
                        while ((st = summary.ReadTag()) != 0)
                        {
                            Assert.Equal(1, WireFormat.GetTagFieldNumber(st));
                            var value = new CodedInputStream(summary.ReadBytes().ToByteArray());
                            string name = "";
                            float v = float.NaN;
                            uint vt;
                            while ((vt = value.ReadTag()) != 0)
                            {
                                if (WireFormat.GetTagFieldNumber(vt) == 1)
                                {
                                    name = value.ReadString();
                                }
                                else
                                {
                                    Assert.Equal(2, WireFormat.GetTagFieldNumber(vt));
                                    v = value.ReadFloat();
                                }
                            }
                            values.Add(new TfValue(name, v));
                        }
                        break;
                    default:
                        Assert.Fail($"unexpected field {WireFormat.GetTagFieldNumber(tag)}");
                        break;
                }
            }
            events.Add(new TfEvent(wall, step, version, values));
        }
        return events;
    }

    private static uint MaskedBitwise(ReadOnlySpan<byte> data)
    {
        uint crc = BitwiseCrc32C(data);
        return ((crc >> 15) | (crc << 17)) + 0xA282EAD8u;
    }

    private sealed class FixedTime(long unixMilliseconds) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds);
    }
}
