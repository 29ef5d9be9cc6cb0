using TrustRegion.Envs;

namespace TrustRegion.TestShared;

/// <summary>
/// Snapshot round trips and bit-pattern traces for the snapshot tests of both test projects (tests/Shared is linked into each).
/// </summary>
internal static class SnapshotBytes
{
    /// <summary>Appends the bit pattern of every value.</summary>
    public static void AddBits(List<long> trace, ReadOnlySpan<double> values)
    {
        foreach (double v in values)
        {
            trace.Add(BitConverter.DoubleToInt64Bits(v));
        }
    }

    /// <summary>Fails at the first entry where the traces differ, naming it; then demands equal lengths.</summary>
    public static void AssertSameTrace(List<long> expected, List<long> actual, string context)
    {
        for (int i = 0; i < Math.Min(expected.Count, actual.Count); i++)
        {
            if (expected[i] != actual[i])
            {
                Assert.Fail($"{context}: traces differ at entry {i} of {expected.Count}: expected 0x{expected[i]:X16}, found 0x{actual[i]:X16}.");
            }
        }
        Assert.Equal(expected.Count, actual.Count);
    }

    /// <summary>The snapshot <paramref name="target"/> writes.</summary>
    public static byte[] Save(ISnapshotable target)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            target.SaveSnapshot(writer);
        }
        return stream.ToArray();
    }

    /// <summary>Loads <paramref name="snapshot"/> into <paramref name="target"/> and demands that the whole snapshot was consumed.</summary>
    public static void Load(ISnapshotable target, byte[] snapshot)
    {
        using var reader = new BinaryReader(new MemoryStream(snapshot));
        target.LoadSnapshot(reader);
        Assert.Equal(snapshot.Length, reader.BaseStream.Position);
    }
}
