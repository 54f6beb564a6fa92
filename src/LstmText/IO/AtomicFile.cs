namespace LstmText.IO;

/// <summary>
/// Replaces a file all at once: readers see either the old file or the complete new one, never a
/// half-written file, even if the writer fails or the process dies part-way.
/// </summary>
public static class AtomicFile
{
    /// <summary>
    /// Calls <paramref name="write"/> with a stream on a temporary file in the same folder as
    /// <paramref name="path"/>, flushes it to disk, then renames it over <paramref name="path"/>. A missing folder on
    /// the way to <paramref name="path"/> is created first.
    /// </summary>
    /// <remarks>
    /// The temporary file lives in the target's folder so the final rename stays on one file system,
    /// where it is atomic. If <paramref name="write"/> throws, the temporary file is deleted, the
    /// exception propagates, and any existing file at <paramref name="path"/> is left untouched.
    /// </remarks>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);

        string fullPath = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(fullPath)
            ?? throw new ArgumentException($"'{path}' names a root, not a file.", nameof(path));
        string temporaryPath = Path.Combine(folder, $".{Path.GetFileName(fullPath)}.tmp-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);

        try
        {
            using (var stream = new FileStream(temporaryPath, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                // Without this the rename can reach the disk before the data, leaving an empty file after a crash.
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporaryPath, fullPath, overwrite: true);
        }
        catch
        {
            TryDelete(temporaryPath);
            throw;
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
            // The original exception matters more than a leftover temporary file.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
