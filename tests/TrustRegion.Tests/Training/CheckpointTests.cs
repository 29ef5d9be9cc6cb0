using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using TrustRegion.Numerics;
using TrustRegion.Training;

namespace TrustRegion.Tests.Training;

public sealed class CheckpointTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("trpo-ckpt-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static CheckpointWriter Sample()
    {
        var rng = new Rng(7);
        var parameters = new double[37];
        rng.FillGaussian(parameters);
        parameters[3] = double.NaN;
        parameters[4] = -0.0;
        parameters[5] = double.PositiveInfinity;
        return new CheckpointWriter()
            .AddText("config", "env_id: CartPole-v1\nn_steps: 512\n# ünïcödé ✓\n")
            .AddDoubles("policy/params", parameters)
            .AddDoubles("empty", [])
            .AddUInt64s("counters/words", [0, 1, ulong.MaxValue])
            .AddInt64("counters/steps", -123_456_789_012)
            .AddDouble("obs_rms/count", 1e-300)
            .AddRngState("rng/sampling", rng.GetState());
    }

    [Fact]
    public void Parse_RoundTripsEverySectionTypeBitExactly()
    {
        CheckpointWriter writer = Sample();
        byte[] bytes = writer.ToArray();
        Checkpoint c = Checkpoint.Parse(bytes, "mem");
        Assert.Equal(Checkpoint.CurrentFormatVersion, c.FormatVersion);
        Assert.Equal(7, c.Sections.Count);
        Assert.Equal("env_id: CartPole-v1\nn_steps: 512\n# ünïcödé ✓\n", c.GetText("config"));

        var rng = new Rng(7);
        var expected = new double[37];
        rng.FillGaussian(expected);
        expected[3] = double.NaN;
        expected[4] = -0.0;
        expected[5] = double.PositiveInfinity;
        double[] actual = c.GetDoubles("policy/params");
        Assert.Equal(expected.Select(BitConverter.DoubleToInt64Bits), actual.Select(BitConverter.DoubleToInt64Bits));
        var into = new double[37];
        c.ReadDoubles("policy/params", into);
        Assert.Equal(actual.Select(BitConverter.DoubleToInt64Bits), into.Select(BitConverter.DoubleToInt64Bits));

        Assert.Empty(c.GetDoubles("empty"));
        Assert.Equal([0UL, 1UL, ulong.MaxValue], c.GetUInt64s("counters/words"));
        Assert.Equal(-123_456_789_012, c.GetInt64("counters/steps"));
        Assert.Equal(1e-300, c.GetDouble("obs_rms/count"));
        Assert.Equal(rng.GetState(), c.GetRngState("rng/sampling"));
        Assert.True(c.Contains("config"));
        Assert.False(c.Contains("value/params"));
        Assert.Equal(new CheckpointSection("policy/params", CheckpointSectionType.Float64Array, 37 * 8), c.Sections[1]);
    }

    [Fact]
    public void ToArray_MatchesTheDocumentedLayoutByteForByte()
    {
        byte[] bytes = new CheckpointWriter().AddInt64("n", 7).AddText("t", "ab").ToArray();
        byte[] body =
        [
            (byte)'T', (byte)'R', (byte)'P', (byte)'O', (byte)'C', (byte)'K', (byte)'P', (byte)'T',
            1, 0, 0, 0,                         // format version 1
            2, 0, 0, 0,                         // two sections
            88, 0, 0, 0, 0, 0, 0, 0,            // file length: header 24 + table 2 × 11 + payloads 8 + 2 + checksum 32
            4, 1, (byte)'n', 8, 0, 0, 0, 0, 0, 0, 0,  // Int64 "n", 8 bytes
            1, 1, (byte)'t', 2, 0, 0, 0, 0, 0, 0, 0,  // Text "t", 2 bytes
            7, 0, 0, 0, 0, 0, 0, 0,             // payload of "n"
            (byte)'a', (byte)'b',               // payload of "t"
        ];
        Assert.Equal(body.Length + 32, bytes.Length);
        Assert.Equal(body, bytes[..body.Length]);
        Assert.Equal(SHA256.HashData(body), bytes[body.Length..]);
    }

    [Fact]
    public void Parse_EveryTruncation_IsReportedAsTruncated()
    {
        byte[] bytes = Sample().ToArray();
        for (int length = 0; length < bytes.Length; length++)
        {
            var e = Assert.Throws<CheckpointException>(() => Checkpoint.Parse(bytes.AsSpan(0, length), "cut.ckpt"));
            Assert.Equal(CheckpointProblem.Truncated, e.Problem);
            Assert.StartsWith("cut.ckpt: the checkpoint is truncated", e.Message, StringComparison.Ordinal);
            Assert.Contains("Use an earlier checkpoint", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Parse_EverySingleBitFlip_IsRejected()
    {
        byte[] bytes = Sample().ToArray();
        for (int i = 0; i < bytes.Length; i++)
        {
            for (int bit = 0; bit < 8; bit++)
            {
                byte[] damaged = (byte[])bytes.Clone();
                damaged[i] ^= (byte)(1 << bit);
                var e = Assert.Throws<CheckpointException>(() => Checkpoint.Parse(damaged, "flip.ckpt"));
                bool ok = i switch
                {
                    < 8 => e.Problem == CheckpointProblem.Foreign,
                    >= 16 and < 24 => e.Problem is CheckpointProblem.Truncated or CheckpointProblem.Corrupted, // the length field
                    _ => e.Problem == CheckpointProblem.Corrupted,
                };
                Assert.True(ok, $"byte {i} bit {bit}: {e.Problem}");
            }
        }
    }

    [Fact]
    public void Parse_ExtraTrailingBytes_IsCorrupted()
    {
        byte[] bytes = [.. Sample().ToArray(), 0];
        Assert.Equal(CheckpointProblem.Corrupted, Assert.Throws<CheckpointException>(() => Checkpoint.Parse(bytes, "x")).Problem);
    }

    [Theory]
    [InlineData("89504E470D0A1A0A0000000D49484452")] // PNG
    [InlineData("504B0304140000000800")]             // zip (an SB3 model)
    [InlineData("656E765F69643A20436172")]           // "env_id: Car" (a YAML file)
    [InlineData("54")]                               // "T", then a mismatch is impossible: shorter than the magic but a prefix
    public void Parse_ForeignOrTinyFile_IsRejected(string hex)
    {
        byte[] bytes = Convert.FromHexString(hex);
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Parse(bytes, "other.bin"));
        Assert.Equal(bytes.Length == 1 ? CheckpointProblem.Truncated : CheckpointProblem.Foreign, e.Problem);
        if (e.Problem == CheckpointProblem.Foreign)
        {
            Assert.Equal("other.bin: not a TrustRegion checkpoint (it does not start with \"TRPOCKPT\"). Pass a .ckpt file written by TrustRegion.", e.Message);
        }
    }

    [Fact]
    public void Parse_NewerVersion_AsksForAnUpgrade()
    {
        byte[] bytes = Sample().ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), 2);
        Reseal(bytes);
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Parse(bytes, "new.ckpt"));
        Assert.Equal(CheckpointProblem.NewerVersion, e.Problem);
        Assert.Contains("format version 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("Upgrade TrustRegion", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(8, 0)]    // version 0
    [InlineData(12, 200)] // section count beyond the file
    [InlineData(24, 9)]   // unknown type of the first section
    [InlineData(25, 0)]   // empty name
    [InlineData(26, (byte)'!')] // invalid name character
    public void Parse_SealedButMalformed_IsRejected(int offset, byte value)
    {
        byte[] bytes = Sample().ToArray();
        bytes[offset] = value;
        Reseal(bytes);
        Assert.Equal(CheckpointProblem.Malformed, Assert.Throws<CheckpointException>(() => Checkpoint.Parse(bytes, "m")).Problem);
    }

    [Fact]
    public void Parse_RandomlyMutatedButResealed_NeverThrowsAnythingElse()
    {
        byte[] original = Sample().ToArray();
        var rng = new Rng(2026);
        for (int trial = 0; trial < 3000; trial++)
        {
            byte[] bytes = (byte[])original.Clone();
            int edits = 1 + rng.NextInt(4);
            for (int k = 0; k < edits; k++)
            {
                // Aim at the header and table, where structure lives; payload edits only change values.
                int at = 8 + rng.NextInt(Math.Min(120, bytes.Length - 40));
                bytes[at] = (byte)rng.NextInt(256);
            }
            Reseal(bytes);
            try
            {
                Checkpoint c = Checkpoint.Parse(bytes, "fuzz");
                foreach (CheckpointSection s in c.Sections)
                {
                    Assert.True(s.Length >= 0);
                }
            }
            catch (CheckpointException)
            {
                // expected for most mutations
            }
        }
    }

    [Fact]
    public void Getters_MissingOrMistypedSection_AreIncompatible()
    {
        Checkpoint c = Checkpoint.Parse(Sample().ToArray(), "c.ckpt");
        var missing = Assert.Throws<CheckpointException>(() => c.GetDoubles("value/params"));
        Assert.Equal(CheckpointProblem.Incompatible, missing.Problem);
        Assert.Contains("no section 'value/params'", missing.Message, StringComparison.Ordinal);
        Assert.Contains("policy/params", missing.Message, StringComparison.Ordinal);
        var typed = Assert.Throws<CheckpointException>(() => c.GetText("policy/params"));
        Assert.Contains("is Float64Array, expected Text", typed.Message, StringComparison.Ordinal);
        var sized = Assert.Throws<CheckpointException>(() => c.ReadDoubles("policy/params", new double[36]));
        Assert.Contains("holds 37 values but 36 are expected", sized.Message, StringComparison.Ordinal);
        Assert.Equal(CheckpointProblem.Incompatible, Assert.Throws<CheckpointException>(() => c.GetRngState("counters/words")).Problem);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("ünï")]
    public void Writer_InvalidName_IsRejected(string name) =>
        Assert.Throws<ArgumentException>(() => new CheckpointWriter().AddInt64(name, 1));

    [Fact]
    public void Writer_DuplicateName_IsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new CheckpointWriter().AddInt64("a", 1).AddDouble("a", 1));
        Assert.Contains("already added", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Writer_EmptyCheckpoint_IsValid()
    {
        byte[] bytes = new CheckpointWriter().ToArray();
        Assert.Equal(56, bytes.Length);
        Assert.Empty(Checkpoint.Parse(bytes, "e").Sections);
    }

    [Fact]
    public void SaveLoad_RoundTripsThroughAFile()
    {
        string path = Path.Combine(_dir, "a.ckpt");
        Sample().Save(path);
        Assert.Equal(Sample().ToArray(), File.ReadAllBytes(path));
        Assert.Equal(-123_456_789_012, Checkpoint.Load(path).GetInt64("counters/steps"));
        Assert.False(File.Exists(AtomicFile.TemporaryPath(path)));
    }

    [Fact]
    public void Load_MissingFile_IsUnreadable()
    {
        string path = Path.Combine(_dir, "none.ckpt");
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path));
        Assert.Equal(CheckpointProblem.Unreadable, e.Problem);
        Assert.StartsWith(path + ": cannot read", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AtomicWrite_CrashAtAnyStage_LeavesTheOldFileOrTheNewOne()
    {
        string path = Path.Combine(_dir, "latest.ckpt");
        byte[] old = Sample().ToArray();
        AtomicFile.WriteAllBytes(path, old);
        // Large enough for several chunks, so crashes between chunks are exercised.
        byte[] fresh = new CheckpointWriter().AddDoubles("big", new double[(AtomicFile.ChunkSize * 3 / 8) + 5]).ToArray();

        var stages = new List<(AtomicWriteStage Stage, long Bytes)>();
        string probe = Path.Combine(_dir, "probe.ckpt");
        AtomicFile.WriteAllBytes(probe, fresh, (s, b) => stages.Add((s, b)));
        Assert.Equal(4 + 3, stages.Count); // created, four chunks written, flushed, renamed

        for (int crashAt = 0; crashAt < stages.Count; crashAt++)
        {
            AtomicFile.WriteAllBytes(path, old);
            int seen = 0;
            Assert.Throws<SimulatedCrashException>(() => AtomicFile.WriteAllBytes(path, fresh, (_, _) =>
            {
                if (seen++ == crashAt)
                {
                    throw new SimulatedCrashException();
                }
            }));
            byte[] now = File.ReadAllBytes(path);
            bool renamed = stages[crashAt].Stage == AtomicWriteStage.Renamed;
            Assert.Equal(renamed ? fresh : old, now);
            Checkpoint.Parse(now, path); // always a complete, valid checkpoint
            Assert.False(File.Exists(AtomicFile.TemporaryPath(path)));
        }
    }

    [Fact]
    public void AtomicWrite_StaleTemporaryFromAKilledWriter_IsReplaced()
    {
        string path = Path.Combine(_dir, "latest.ckpt");
        AtomicFile.WriteAllBytes(path, Sample().ToArray());
        File.WriteAllBytes(AtomicFile.TemporaryPath(path), new byte[100_000]); // a torn write left by a killed process
        Checkpoint.Load(path);
        byte[] fresh = new CheckpointWriter().AddInt64("n", 1).ToArray();
        AtomicFile.WriteAllBytes(path, fresh);
        Assert.Equal(fresh, File.ReadAllBytes(path));
        Assert.False(File.Exists(AtomicFile.TemporaryPath(path)));
    }

    [Fact]
    public void AtomicWrite_MissingFolder_ThrowsIOException() =>
        Assert.ThrowsAny<IOException>(() => AtomicFile.WriteAllText(Path.Combine(_dir, "no", "such", "f.txt"), "x"));

    private static void Reseal(byte[] bytes) =>
        SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32), bytes.AsSpan(bytes.Length - 32));

    private sealed class SimulatedCrashException : Exception;
}
