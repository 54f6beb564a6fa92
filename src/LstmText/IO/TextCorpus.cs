using System.Text;

namespace LstmText.IO;

/// <summary>
/// Text files, or folders of them, read as a stream of lines or chunks: a corpus larger than memory can be
/// tokenised, because only one block of one file is in memory at a time.
/// </summary>
public sealed class TextCorpus
{
    /// <summary>The chunk length <see cref="ReadChunks"/> aims for by default, in UTF-16 chars.</summary>
    public const int DefaultChunkLength = 1 << 16;

    private readonly CorpusReadOptions options;

    private TextCorpus(IReadOnlyList<string> files, CorpusReadOptions options)
    {
        Files = files;
        this.options = options;
    }

    /// <summary>The files of the corpus, in the order they are read.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>A corpus of one file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static TextCorpus FromFile(string path, CorpusReadOptions? options = null) => FromPaths([path], options);

    /// <summary>A corpus of the files in a folder and its sub-folders that match a pattern, in ordinal path order.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public static TextCorpus FromDirectory(string path, string searchPattern = "*.txt", CorpusReadOptions? options = null)
    {
        if (!Directory.Exists(path))
        {
            throw new DirectoryNotFoundException($"The corpus folder {path} does not exist.");
        }
        var files = Directory.EnumerateFiles(path, searchPattern, SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        return new TextCorpus(files, options ?? new CorpusReadOptions());
    }

    /// <summary>A corpus of files and folders (all files of a folder, recursively), in the order given.</summary>
    /// <exception cref="FileNotFoundException">A path is neither a file nor a folder, or a folder holds no files.</exception>
    public static TextCorpus FromPaths(IEnumerable<string> paths, CorpusReadOptions? options = null)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (File.Exists(path))
            {
                files.Add(path);
            }
            else if (Directory.Exists(path))
            {
                var inFolder = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
                if (inFolder.Count == 0)
                {
                    throw new FileNotFoundException($"The corpus folder {path} holds no files.", path);
                }
                files.AddRange(inFolder);
            }
            else
            {
                throw new FileNotFoundException($"The corpus file {path} does not exist.", path);
            }
        }
        return new TextCorpus(files, options ?? new CorpusReadOptions());
    }

    /// <summary>
    /// Finds an encoding by name or code page, including the Windows code pages (<c>windows-1252</c>) that .NET
    /// only knows once <see cref="CodePagesEncodingProvider"/> is registered, which this does.
    /// </summary>
    /// <exception cref="ArgumentException">No encoding has that name.</exception>
    public static Encoding EncodingNamed(string name)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return int.TryParse(name, out var codePage) ? Encoding.GetEncoding(codePage) : Encoding.GetEncoding(name);
    }

    /// <summary>The lines of every file, without their line breaks (<c>\n</c> or <c>\r\n</c>).</summary>
    /// <exception cref="CorpusFormatException">A file holds invalid bytes and the options say to stop.</exception>
    public IEnumerable<string> ReadLines()
    {
        var line = new StringBuilder();
        foreach (var file in Files)
        {
            foreach (var block in CorpusFileDecoder.ReadBlocks(file, options))
            {
                var start = 0;
                int newline;
                while ((newline = block.IndexOf('\n', start)) >= 0)
                {
                    line.Append(block, start, newline - start);
                    if (line.Length > 0 && line[^1] == '\r')
                    {
                        line.Length--;
                    }
                    yield return line.ToString();
                    line.Clear();
                    start = newline + 1;
                }
                line.Append(block, start, block.Length - start);
            }
            if (line.Length > 0)
            {
                yield return line.ToString();
                line.Clear();
            }
        }
    }

    /// <summary>
    /// The text of every file in chunks of about <paramref name="chunkLength"/> chars that end at a line break
    /// where there is one, so that a word is seldom cut in two. Line breaks are kept: the chunks of a file join
    /// up to its exact text. A chunk never spans two files.
    /// </summary>
    /// <exception cref="CorpusFormatException">A file holds invalid bytes and the options say to stop.</exception>
    public IEnumerable<string> ReadChunks(int chunkLength = DefaultChunkLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkLength, 2);
        var pending = new StringBuilder();
        foreach (var file in Files)
        {
            foreach (var block in CorpusFileDecoder.ReadBlocks(file, options))
            {
                pending.Append(block);
                while (pending.Length >= chunkLength)
                {
                    var cut = LastLineBreakBefore(pending, chunkLength) + 1;
                    if (cut == 0)
                    {
                        cut = char.IsHighSurrogate(pending[chunkLength - 1]) ? chunkLength - 1 : chunkLength;
                    }
                    yield return pending.ToString(0, cut);
                    pending.Remove(0, cut);
                }
            }
            if (pending.Length > 0)
            {
                yield return pending.ToString();
                pending.Clear();
            }
        }
    }

    private static int LastLineBreakBefore(StringBuilder text, int end)
    {
        for (var index = end - 1; index >= 0; index--)
        {
            if (text[index] == '\n')
            {
                return index;
            }
        }
        return -1;
    }
}
