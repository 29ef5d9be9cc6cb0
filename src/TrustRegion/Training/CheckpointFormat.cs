using System.Buffers.Binary;

namespace TrustRegion.Training;

/// <summary>
/// Constants and shared rules of the checkpoint container (layout in docs/checkpoints.md).
/// </summary>
/// <remarks>
/// <code>
/// offset 0   8 bytes  magic "TRPOCKPT"
/// offset 8   uint32   format version (1)
/// offset 12  uint32   section count
/// offset 16  uint64   file length in bytes, checksum included
/// offset 24           section table: per section, uint8 type, uint8 name length n, n bytes of ASCII name, uint64 payload length
///                     payloads, in table order, back to back
/// last 32 bytes       SHA-256 of every byte before it
/// </code>
/// All integers little-endian. The first 24 bytes and the trailing checksum keep this layout in every future version,
/// so any version's file can be recognised, length-checked and verified before its version is interpreted.
/// </remarks>
internal static class CheckpointFormat
{
    internal const int Version = 1;
    internal const int HeaderSize = 24;
    internal const int ChecksumSize = 32;
    internal const int MaxNameLength = 255;

    internal static ReadOnlySpan<byte> Magic => "TRPOCKPT"u8;

    internal static bool IsValidName(ReadOnlySpan<char> name)
    {
        if (name.Length is 0 or > MaxNameLength)
        {
            return false;
        }
        foreach (char ch in name)
        {
            if (!(char.IsAsciiLetterOrDigit(ch) || ch is '_' or '.' or '/' or '-'))
            {
                return false;
            }
        }
        return true;
    }

    internal static void WriteHeader(Span<byte> destination, int sectionCount, long fileLength)
    {
        Magic.CopyTo(destination);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], Version);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], (uint)sectionCount);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], (ulong)fileLength);
    }
}
