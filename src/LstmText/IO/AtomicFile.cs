namespace LstmText.IO;

/// <summary>
/// Replaces a file all at once: readers see either the old file or the complete new one, never a
/// half-written file, even if the writer fails or the process dies part-way.
/// </summary>
public static class AtomicFile
{
    /// <summary>
    /// A temporary file of ours left beside a target is removed by a later write once it is at least this old and no
    /// process holds it open: a writer that is still running either holds its file locked or renames it within moments.
    /// </summary>
    public static readonly TimeSpan StaleTemporaryFileAge = TimeSpan.FromSeconds(30);

    private const string TemporaryInfix = ".tmp-";

    private const int GuidHexLength = 32;

    /// <summary>
    /// Calls <paramref name="write"/> with a stream on a temporary file in the same folder as
    /// <paramref name="path"/>, flushes it to disk, then renames it over <paramref name="path"/>. A missing folder on
    /// the way to <paramref name="path"/> is created first.
    /// </summary>
    /// <remarks>
    /// The temporary file lives in the target's folder so the final rename stays on one file system,
    /// where it is atomic. If <paramref name="write"/> throws, the temporary file is deleted, the
    /// exception propagates, and any existing file at <paramref name="path"/> is left untouched. A process killed
    /// mid-write (<c>kill -9</c>, power loss) leaves its temporary file behind; the next write to the same target removes
    /// such leftovers (see <see cref="StaleTemporaryFileAge"/>), and never another target's or another program's files.
    /// </remarks>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);

        string fullPath = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(fullPath)
            ?? throw new ArgumentException($"'{path}' names a root, not a file.", nameof(path));
        string temporaryPath = Path.Combine(folder, $".{Path.GetFileName(fullPath)}{TemporaryInfix}{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        RemoveStaleTemporaryFiles(folder, Path.GetFileName(fullPath));

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

    /// <summary>
    /// Deletes the temporary files that earlier writes to <paramref name="fileName"/> left in <paramref name="folder"/>:
    /// exactly our naming (<c>.NAME.tmp-</c> and 32 hex digits), older than <see cref="StaleTemporaryFileAge"/>, and not
    /// held open by a writer (a running writer opens its file with <see cref="FileShare.None"/>, which locks it).
    /// </summary>
    private static void RemoveStaleTemporaryFiles(string folder, string fileName)
    {
        string prefix = "." + fileName + TemporaryInfix;
        List<string> candidates;
        try
        {
            candidates = Directory.EnumerateFiles(folder, prefix + "*").Where(path => IsOurTemporaryFile(Path.GetFileName(path), prefix)).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }
        foreach (string candidate in candidates)
        {
            try
            {
                if (DateTime.UtcNow - File.GetLastWriteTimeUtc(candidate) < StaleTemporaryFileAge) continue;
                // Opening it alone fails while a writer holds it; DeleteOnClose removes it without a gap for another to step in.
                using var stale = new FileStream(candidate, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // In use, gone already, or not ours to delete: leave it.
            }
        }
    }

    private static bool IsOurTemporaryFile(string name, string prefix)
    {
        if (name.Length != prefix.Length + GuidHexLength || !name.StartsWith(prefix, StringComparison.Ordinal)) return false;
        foreach (char c in name.AsSpan(prefix.Length))
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c)) return false;
        return true;
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
