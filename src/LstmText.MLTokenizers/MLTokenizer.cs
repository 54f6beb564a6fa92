using System.Text;
using System.Text.Json;
using LstmText.Models;
using LstmText.Tokenizers;
using ML = Microsoft.ML.Tokenizers;

namespace LstmText.MLTokenizers;

/// <summary>
/// A Microsoft.ML.Tokenizers tokenizer (tiktoken, SentencePiece BPE or Unigram, WordPiece, BERT, BPE) as an
/// LstmText <see cref="ITokenizer"/>: a language model or classifier trains, generates and classifies with it
/// as with the built-in tokenizers. Its JSON embeds the vocabulary files (base64), so a model file that
/// holds it loads again with no other file, once <see cref="Register"/> has told the core library about these
/// kinds. Ids are exactly Microsoft.ML.Tokenizers' own; the tokenizer is immutable and thread-safe.
/// </summary>
public sealed class MLTokenizer : ITokenizer
{
    /// <summary>The kind of a SentencePiece model (<c>.model</c> file, BPE or Unigram).</summary>
    public const string SentencePieceKind = "sentencepiece";

    /// <summary>The kind of a tiktoken rank file (base64 token bytes, a space, the rank, on each line).</summary>
    public const string TiktokenKind = "tiktoken";

    /// <summary>The kind of a WordPiece vocabulary (<c>vocab.txt</c>, one token per line) without BERT's normalization.</summary>
    public const string WordPieceKind = "wordpiece";

    /// <summary>The kind of a BERT vocabulary (<c>vocab.txt</c>) with BERT's basic tokenization and normalization.</summary>
    public const string BertKind = "bert";

    /// <summary>The kind of a BPE vocabulary (<c>vocab.json</c> and <c>merges.txt</c>) read by Microsoft.ML.Tokenizers.</summary>
    public const string BpeKind = "ml-bpe";

    /// <summary>The pre-tokenizer pattern of OpenAI's cl100k_base encoding, the default for tiktoken files.</summary>
    public const string Cl100kPattern =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>The pre-tokenizer pattern of GPT-2 (r50k_base, p50k_base).</summary>
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    /// <summary>The special token tiktoken files conventionally end with, which ends a sequence.</summary>
    public const string EndOfTextToken = "<|endoftext|>";

    /// <summary>The most bytes the tokenizer files may take, so their base64 in the JSON fits a model file's 100,000,000-byte header.</summary>
    public const long MaxFileBytes = 50_000_000;

    private readonly ML.Tokenizer inner;
    private readonly string json;
    private readonly bool[] isSpecial;

    private MLTokenizer(string kind, ML.Tokenizer inner, string json, IReadOnlyDictionary<int, string> tokens, SpecialTokens specialTokens)
    {
        Kind = kind;
        this.inner = inner;
        this.json = json;
        Vocabulary = new Vocabulary(FillGaps(tokens));
        SpecialTokens = specialTokens;
        isSpecial = new bool[Vocabulary.Count];
        foreach (var token in specialTokens.All)
        {
            isSpecial[IdOf(token)] = true;
        }
        PaddingId = specialTokens.Padding is null ? null : IdOf(specialTokens.Padding);
        UnknownId = specialTokens.Unknown is null ? null : IdOf(specialTokens.Unknown);
        BeginOfSequenceId = specialTokens.BeginOfSequence is null ? null : IdOf(specialTokens.BeginOfSequence);
        EndOfSequenceId = specialTokens.EndOfSequence is null ? null : IdOf(specialTokens.EndOfSequence);
    }

    /// <summary>The kinds this assembly reads: <c>sentencepiece</c>, <c>tiktoken</c>, <c>wordpiece</c>, <c>bert</c> and <c>ml-bpe</c>.</summary>
    public static IReadOnlyList<string> Kinds { get; } = [SentencePieceKind, TiktokenKind, WordPieceKind, BertKind, BpeKind];

    /// <inheritdoc/>
    public string Kind { get; }

    /// <summary>The Microsoft.ML.Tokenizers tokenizer underneath, for anything this adapter does not expose.</summary>
    public ML.Tokenizer Inner => inner;

    /// <summary>
    /// The tokens in id order. SentencePiece, WordPiece and BPE tokens are spelled as their vocabularies spell them;
    /// tiktoken's byte tokens are spelled in GPT-2's byte-to-character alphabet (<c>" the"</c> is <c>"Ġthe"</c>), so
    /// every one is a distinct string. An id that the files leave unused is spelled <c>&lt;unused:ID&gt;</c>.
    /// </summary>
    public Vocabulary Vocabulary { get; }

    /// <inheritdoc/>
    public int VocabularySize => Vocabulary.Count;

    /// <inheritdoc/>
    public SpecialTokens SpecialTokens { get; }

    /// <inheritdoc/>
    public int? PaddingId { get; }

    /// <inheritdoc/>
    public int? UnknownId { get; }

    /// <inheritdoc/>
    public int? BeginOfSequenceId { get; }

    /// <inheritdoc/>
    public int? EndOfSequenceId { get; }

    /// <summary>
    /// Tells the core library to read this assembly's kinds, so <see cref="Tokenizer.FromJson"/>,
    /// <c>LanguageModel.Load</c> and <c>TextClassifier.Load</c> load models that use them. Call it once at start-up;
    /// calling it again does no harm.
    /// </summary>
    public static void Register()
    {
        foreach (var kind in Kinds)
        {
            Tokenizer.RegisterKind(kind, FromJson);
        }
    }

    /// <summary>Reads a SentencePiece model file (<c>spm.model</c>, BPE or Unigram, as <c>spm_train</c> writes it).</summary>
    /// <exception cref="TokenizerFormatException">The file is not a SentencePiece model Microsoft.ML.Tokenizers can read.</exception>
    public static MLTokenizer FromSentencePiece(string modelPath) =>
        FromFiles(SentencePieceKind, new() { ["model"] = ReadFile(modelPath) }, new Dictionary<string, object?>(), modelPath);

    /// <summary>
    /// Reads a tiktoken rank file: one token per line, its bytes in base64, a space, its rank (which is its id).
    /// </summary>
    /// <param name="ranksPath">The <c>.tiktoken</c> file.</param>
    /// <param name="pattern">The regular expression that splits text before BPE; <see cref="Cl100kPattern"/> when null.</param>
    /// <param name="specialTokens">
    /// Special tokens and their ids; when null, <see cref="EndOfTextToken"/> gets the id after the highest rank.
    /// </param>
    /// <exception cref="TokenizerFormatException">The file or the pattern cannot be read.</exception>
    public static MLTokenizer FromTiktoken(string ranksPath, string? pattern = null, IReadOnlyDictionary<string, int>? specialTokens = null)
    {
        var ranks = ReadFile(ranksPath);
        var special = specialTokens ?? new Dictionary<string, int> { [EndOfTextToken] = HighestRank(ranks, ranksPath) + 1 };
        return FromFiles(TiktokenKind, new() { ["ranks"] = ranks }, new Dictionary<string, object?>
        {
            ["pattern"] = pattern ?? Cl100kPattern,
            ["special_tokens"] = special,
        }, ranksPath);
    }

    /// <summary>Reads a WordPiece vocabulary (one token per line, the line number is the id).</summary>
    /// <param name="vocabularyPath">The <c>vocab.txt</c> file.</param>
    /// <param name="unknownToken">The token for words the vocabulary cannot spell.</param>
    /// <param name="continuingSubwordPrefix">The prefix of pieces that continue a word.</param>
    /// <exception cref="TokenizerFormatException">The file cannot be read.</exception>
    public static MLTokenizer FromWordPiece(string vocabularyPath, string unknownToken = "[UNK]", string continuingSubwordPrefix = "##") =>
        FromFiles(WordPieceKind, new() { ["vocab"] = ReadFile(vocabularyPath) }, new Dictionary<string, object?>
        {
            ["unknown"] = unknownToken,
            ["prefix"] = continuingSubwordPrefix,
        }, vocabularyPath);

    /// <summary>Reads a BERT vocabulary (<c>vocab.txt</c>) with BERT's basic tokenization.</summary>
    /// <param name="vocabularyPath">The <c>vocab.txt</c> file.</param>
    /// <param name="lowerCase">Lower-case text first (the <c>uncased</c> models); false for <c>cased</c> ones.</param>
    /// <exception cref="TokenizerFormatException">The file cannot be read or lacks BERT's special tokens.</exception>
    public static MLTokenizer FromBert(string vocabularyPath, bool lowerCase = true) =>
        FromFiles(BertKind, new() { ["vocab"] = ReadFile(vocabularyPath) }, new Dictionary<string, object?>
        {
            ["lowercase"] = lowerCase,
        }, vocabularyPath);

    /// <summary>Reads a BPE vocabulary and merges (Hugging Face <c>vocab.json</c> and <c>merges.txt</c>).</summary>
    /// <param name="vocabularyPath">The <c>vocab.json</c> file: token to id.</param>
    /// <param name="mergesPath">The <c>merges.txt</c> file: one merge per line, highest priority first.</param>
    /// <param name="unknownToken">The token for text the vocabulary cannot spell, or null for none.</param>
    /// <exception cref="TokenizerFormatException">The files cannot be read.</exception>
    public static MLTokenizer FromBpe(string vocabularyPath, string mergesPath, string? unknownToken = null) =>
        FromFiles(BpeKind, new() { ["vocab"] = ReadFile(vocabularyPath), ["merges"] = ReadFile(mergesPath) },
            new Dictionary<string, object?> { ["unknown"] = unknownToken }, vocabularyPath);

    /// <summary>
    /// Builds a tokenizer of <paramref name="kind"/> from a file on disk, the way the command line's
    /// <c>--tokenizer KIND --tokenizer-file FILE</c> does: with the defaults of <see cref="FromSentencePiece"/>,
    /// <see cref="FromTiktoken"/>, <see cref="FromWordPiece"/> and <see cref="FromBert"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The kind is not one that a single file describes.</exception>
    public static MLTokenizer FromFile(string kind, string path) => kind switch
    {
        SentencePieceKind => FromSentencePiece(path),
        TiktokenKind => FromTiktoken(path),
        WordPieceKind => FromWordPiece(path),
        BertKind => FromBert(path),
        _ => throw new ArgumentException(
            $"The tokenizer kind \"{kind}\" is not read from one file; expected sentencepiece, tiktoken, wordpiece or bert.", nameof(kind)),
    };

    /// <summary>Reads the JSON that <see cref="ToJson"/> wrote (a model file's <c>lstmtext.tokenizer</c>).</summary>
    /// <exception cref="TokenizerFormatException">The JSON is malformed or its files cannot be read; the message names the field.</exception>
    public static MLTokenizer FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new TokenizerFormatException("The tokenizer JSON must be an object.");
            var kind = StringField(root, "type");
            if (!Kinds.Contains(kind))
                throw new TokenizerFormatException($"The tokenizer JSON field \"type\" is \"{kind}\"; expected one of {string.Join(", ", Kinds)}.");
            if (!root.TryGetProperty("files", out var filesElement) || filesElement.ValueKind != JsonValueKind.Object)
                throw new TokenizerFormatException($"The {kind} tokenizer JSON has no object field \"files\" with its embedded files.");
            var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            foreach (var file in filesElement.EnumerateObject())
            {
                if (file.Value.ValueKind != JsonValueKind.String || !file.Value.TryGetBytesFromBase64(out var bytes))
                    throw new TokenizerFormatException($"The {kind} tokenizer JSON field \"files\".\"{file.Name}\" is not base64 text.");
                files[file.Name] = bytes;
            }
            var settings = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                if (property.Name is "type" or "files") continue;
                settings[property.Name] = property.Value.Clone();
            }
            return FromFiles(kind, files, settings, "the model's tokenizer JSON");
        }
        catch (JsonException e)
        {
            throw new TokenizerFormatException($"The tokenizer JSON is not valid JSON: {e.Message}", e);
        }
    }

    /// <inheritdoc/>
    public string ToJson() => json;

    /// <inheritdoc/>
    public bool IsSpecial(int id) => (uint)id < (uint)isSpecial.Length && isSpecial[id];

    /// <inheritdoc/>
    public string TokenOf(int id) => Vocabulary.TokenOf(id);

    /// <inheritdoc/>
    public bool TryGetId(ReadOnlySpan<char> token, out int id) => Vocabulary.TryGetId(token, out id);

    /// <inheritdoc/>
    public int[] Encode(ReadOnlySpan<char> text) => [.. EncodeToList(text)];

    /// <inheritdoc/>
    public bool TryEncode(ReadOnlySpan<char> text, Span<int> destination, out int tokenCount)
    {
        var ids = EncodeToList(text);
        tokenCount = ids.Count;
        if (ids.Count > destination.Length) return false;
        for (var i = 0; i < ids.Count; i++) destination[i] = ids[i];
        return true;
    }

    /// <inheritdoc/>
    public int Encode(ReadOnlySpan<char> text, Span<int> destination)
    {
        if (!TryEncode(text, destination, out var count))
            throw new ArgumentException($"The destination holds {destination.Length} ids but the text needs {count}.", nameof(destination));
        return count;
    }

    /// <summary>
    /// An upper bound on the ids of text of <paramref name="textLength"/> UTF-16 chars: 72 per char, because
    /// Unicode normalization may turn one char into 18 and byte fallback may give each of their UTF-8 bytes an id.
    /// </summary>
    public int MaxTokenCount(int textLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(textLength);
        return (int)Math.Min(int.MaxValue, 72L * textLength + 8);
    }

    /// <inheritdoc/>
    public string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens = false)
    {
        var kept = new List<int>(ids.Length);
        foreach (var id in ids)
        {
            if ((uint)id >= (uint)VocabularySize)
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"Token ids run from 0 to {VocabularySize - 1}.");
            if (!(skipSpecialTokens && IsSpecial(id))) kept.Add(id);
        }
        return DecodeKnown(kept);
    }

    /// <inheritdoc/>
    public IStreamingDecoder CreateStreamingDecoder(bool skipSpecialTokens = false) => new MLStreamingDecoder(this, skipSpecialTokens);

    /// <summary>A Microsoft.ML.Tokenizers vocabulary cannot grow: its files fix it.</summary>
    /// <exception cref="NotSupportedException">Always; fine-tune without growing the vocabulary.</exception>
    public VocabularyGrowth ExtendVocabulary(IEnumerable<string> corpus, VocabularyGrowthOptions? options = null) =>
        throw new NotSupportedException(
            $"A {Kind} tokenizer's vocabulary is fixed by its files and cannot grow; fine-tune without extending the vocabulary.");

    /// <summary>Decodes ids that are all in range, as Microsoft.ML.Tokenizers does.</summary>
    internal string DecodeKnown(IReadOnlyList<int> ids)
    {
        if (ids.Count == 0) return string.Empty;
        return inner switch
        {
            ML.SentencePieceTokenizer sentencePiece => sentencePiece.Decode(ids, considerSpecialTokens: true),
            ML.WordPieceTokenizer wordPiece => wordPiece.Decode(ids, skipSpecialTokens: false),
            _ => inner.Decode(ids) ?? string.Empty,
        };
    }

    private IReadOnlyList<int> EncodeToList(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty) return [];
        return inner switch
        {
            ML.BertTokenizer bert => bert.EncodeToIds(text, addSpecialTokens: false),
            ML.SentencePieceTokenizer sentencePiece => sentencePiece.EncodeToIds(text, addBeginningOfSentence: false, addEndOfSentence: false),
            _ => inner.EncodeToIds(text),
        };
    }

    private int IdOf(string token) => Vocabulary.TryGetId(token, out var id)
        ? id
        : throw new TokenizerFormatException($"The special token \"{token}\" is not in the {Kind} vocabulary.");

    private static string[] FillGaps(IReadOnlyDictionary<int, string> tokens)
    {
        var count = tokens.Count == 0 ? 0 : tokens.Keys.Max() + 1;
        var taken = new HashSet<string>(StringComparer.Ordinal);
        var spelled = new string[count];
        foreach (var (id, token) in tokens.OrderBy(pair => pair.Key))
        {
            if (!string.IsNullOrEmpty(token) && taken.Add(token)) spelled[id] = token;
        }
        for (var id = 0; id < count; id++)
        {
            if (spelled[id] is null)
            {
                var filler = $"<unused:{id}>";
                while (!taken.Add(filler)) filler += "_";
                spelled[id] = filler;
            }
        }
        return spelled;
    }

    private static byte[] ReadFile(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"The tokenizer file {path} does not exist.", path);
        if (info.Length > MaxFileBytes)
            throw new TokenizerFormatException(
                $"{path}: the tokenizer file has {info.Length:N0} bytes; a model file embeds at most {MaxFileBytes:N0} bytes of tokenizer files.");
        return File.ReadAllBytes(path);
    }

    private static int HighestRank(byte[] ranks, string path)
    {
        var highest = -1;
        var number = 0;
        foreach (var line in Encoding.UTF8.GetString(ranks).Split('\n'))
        {
            number++;
            var trimmed = line.TrimEnd('\r');
            if (trimmed.Length == 0) continue;
            var space = trimmed.LastIndexOf(' ');
            if (space < 0 || !int.TryParse(trimmed.AsSpan(space + 1), System.Globalization.NumberStyles.None, null, out var rank))
                throw new TokenizerFormatException($"{path}: line {number} is not \"BASE64 RANK\".");
            highest = Math.Max(highest, rank);
        }
        if (highest < 0) throw new TokenizerFormatException($"{path}: the tiktoken file has no ranks.");
        return highest;
    }

    private static string StringField(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new TokenizerFormatException($"The tokenizer JSON field \"{name}\" must be a string.");

    /// <summary>Builds the tokenizer from its files and settings, and the JSON that embeds both.</summary>
    private static MLTokenizer FromFiles(string kind, Dictionary<string, byte[]> files, IReadOnlyDictionary<string, object?> settings, string source)
    {
        var total = files.Values.Sum(f => (long)f.Length);
        if (total > MaxFileBytes)
            throw new TokenizerFormatException(
                $"{source}: the {kind} tokenizer files have {total:N0} bytes; a model file embeds at most {MaxFileBytes:N0} bytes of them.");
        var json = WriteJson(kind, files, settings);
        using var document = JsonDocument.Parse(json);
        var fields = new MLTokenizerSettings(kind, document.RootElement, files);
        try
        {
            return kind switch
            {
                SentencePieceKind => MLTokenizerKinds.SentencePiece(fields, json),
                TiktokenKind => MLTokenizerKinds.Tiktoken(fields, json),
                WordPieceKind => MLTokenizerKinds.WordPiece(fields, json),
                BertKind => MLTokenizerKinds.Bert(fields, json),
                BpeKind => MLTokenizerKinds.Bpe(fields, json),
                _ => throw new TokenizerFormatException($"Unknown tokenizer kind \"{kind}\"."),
            };
        }
        catch (Exception e) when (e is not TokenizerFormatException and (ArgumentException or FormatException or InvalidOperationException
            or IOException or KeyNotFoundException or IndexOutOfRangeException or OverflowException or JsonException))
        {
            throw new TokenizerFormatException($"{source}: Microsoft.ML.Tokenizers cannot read it as a {kind} tokenizer: {e.Message}", e);
        }
    }

    internal static MLTokenizer Create(string kind, ML.Tokenizer inner, string json, IReadOnlyDictionary<int, string> tokens, SpecialTokens specialTokens) =>
        new(kind, inner, json, tokens, specialTokens);

    private static string WriteJson(string kind, Dictionary<string, byte[]> files, IReadOnlyDictionary<string, object?> settings)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", kind);
            foreach (var (name, value) in settings.OrderBy(pair => pair.Key, StringComparer.Ordinal))
            {
                writer.WritePropertyName(name);
                JsonSerializer.Serialize(writer, value);
            }
            writer.WriteStartObject("files");
            foreach (var (name, bytes) in files.OrderBy(pair => pair.Key, StringComparer.Ordinal))
            {
                writer.WriteBase64String(name, bytes);
            }
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
