using System.Text;
using CsvHelper;
using LstmText.Tokenizers;

namespace TokenizerBench;

/// <summary>The three corpora and the tokenizers measured on each, loaded once from the shared data folder.</summary>
internal sealed class BenchData
{
    private const int ChunkLength = 1 << 16;

    private BenchData(string name, string text, ITokenizer chars, ITokenizer words, ITokenizer bpe)
    {
        Name = name;
        Utf8Bytes = Encoding.UTF8.GetByteCount(text);
        Chunks = Chunk(text);
        Chars = chars;
        Words = words;
        Bpe = bpe;
    }

    public string Name { get; }

    public long Utf8Bytes { get; }

    /// <summary>The text in chunks of about 64K chars that end at line breaks, as a corpus reader streams it.</summary>
    public IReadOnlyList<string> Chunks { get; }

    public ITokenizer Chars { get; }

    public ITokenizer Words { get; }

    public ITokenizer Bpe { get; }

    public static string DefaultDataFolder()
    {
        // tools/bench/TokenizerBench/bin/<cfg>/<tfm>/ -> repository root -> ../shared/data
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "LstmText.sln")))
        {
            directory = directory.Parent;
        }
        var root = directory?.FullName ?? Directory.GetCurrentDirectory();
        return Path.GetFullPath(Path.Combine(root, "..", "shared", "data"));
    }

    public static IReadOnlyList<BenchData> Load(string dataFolder)
    {
        var gpt2 = BpeTokenizer.LoadOpenAI(
            Path.Combine(dataFolder, "gpt2-tokenizer", "encoder.json"), Path.Combine(dataFolder, "gpt2-tokenizer", "vocab.bpe"));
        var shakespeare = File.ReadAllText(Path.Combine(dataFolder, "tinyshakespeare", "input.txt"));
        var ptb = File.ReadAllText(Path.Combine(dataFolder, "ptb", "ptb.train.txt"));
        var imdb = ReadImdbReviews(Path.Combine(dataFolder, "imdb", "train.csv"));
        return
        [
            Create("tinyshakespeare", shakespeare, new WordTokenizerOptions(), gpt2),
            Create("ptb", ptb, new WordTokenizerOptions { Splitting = WordSplitting.Whitespace, LineBreaksAsEndOfSequence = true }, gpt2),
            Create("imdb", imdb, new WordTokenizerOptions { LowerCase = true, MaximumVocabularySize = 50_000 }, gpt2),
        ];
    }

    private static BenchData Create(string name, string text, WordTokenizerOptions wordOptions, ITokenizer bpe)
    {
        var chunks = Chunk(text);
        return new BenchData(name, text, CharTokenizer.Build(chunks), WordTokenizer.Build(chunks, wordOptions), bpe);
    }

    private static string ReadImdbReviews(string path)
    {
        using var csv = CsvReader.FromFile(path, null);
        var text = new StringBuilder();
        while (csv.Read())
        {
            text.Append(csv.GetString("review")).Append('\n');
        }
        return text.ToString();
    }

    private static List<string> Chunk(string text)
    {
        var chunks = new List<string>();
        var start = 0;
        while (start < text.Length)
        {
            var end = Math.Min(text.Length, start + ChunkLength);
            if (end < text.Length)
            {
                var newline = text.LastIndexOf('\n', end - 1, end - start);
                end = newline > start ? newline + 1 : end;
            }
            chunks.Add(text[start..end]);
            start = end;
        }
        return chunks;
    }
}
