namespace TrustRegion.Training;

/// <summary>
/// Replaces a file so that, at any instant, the path holds either the complete old contents or the complete new ones.
/// </summary>
/// <remarks>
/// The bytes go to <c>PATH.tmp</c> in the same folder, are flushed to the storage device (<c>fsync</c>), and the
/// temporary file is then renamed over <c>PATH</c>, which POSIX file systems and NTFS perform atomically. A crash before
/// the rename leaves the old file untouched (and perhaps a stale <c>PATH.tmp</c>, which the next write replaces); a crash
/// after it leaves the new one. On failure the temporary file is removed and the exception propagates.
/// </remarks>
public static class AtomicFile
{
    /// <summary>Size of the writes, so that a crash in the middle of a large file is modelled by the tests.</summary>
    internal const int ChunkSize = 1 << 16;

    /// <summary>The temporary path used while <paramref name="path"/> is being replaced.</summary>
    public static string TemporaryPath(string path) => path + ".tmp";

    /// <summary>Atomically replaces (or creates) <paramref name="path"/> with <paramref name="contents"/>.</summary>
    /// <exception cref="IOException">The folder does not exist, is not writable, or the device failed.</exception>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> contents) => WriteAllBytes(path, contents, onStage: null);

    /// <summary>Atomically replaces (or creates) <paramref name="path"/> with <paramref name="text"/> encoded as UTF-8 without a byte-order mark.</summary>
    public static void WriteAllText(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text));
    }

    /// <summary>The write, with a hook called at every stage so tests can simulate a crash there by throwing.</summary>
    internal static void WriteAllBytes(string path, ReadOnlySpan<byte> contents, Action<AtomicWriteStage, long>? onStage)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string temporary = TemporaryPath(path);
        bool renamed = false;
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1, FileOptions.None))
            {
                onStage?.Invoke(AtomicWriteStage.TemporaryCreated, 0);
                for (int offset = 0; offset < contents.Length; offset += ChunkSize)
                {
                    int count = Math.Min(ChunkSize, contents.Length - offset);
                    stream.Write(contents.Slice(offset, count));
                    onStage?.Invoke(AtomicWriteStage.Written, offset + count);
                }
                stream.Flush(flushToDisk: true);
                onStage?.Invoke(AtomicWriteStage.Flushed, contents.Length);
            }
            File.Move(temporary, path, overwrite: true);
            renamed = true;
            onStage?.Invoke(AtomicWriteStage.Renamed, contents.Length);
        }
        finally
        {
            if (!renamed)
            {
                TryDelete(temporary);
            }
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // The write already failed; a stale temporary file is harmless (the next write replaces it).
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }
}

/// <summary>Stages of <see cref="AtomicFile"/>'s write, for crash-injection tests.</summary>
internal enum AtomicWriteStage
{
    TemporaryCreated,
    Written,
    Flushed,
    Renamed,
}
