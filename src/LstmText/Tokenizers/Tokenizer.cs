using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;

namespace LstmText.Tokenizers;

/// <summary>
/// The base of every tokenizer: the parts that are the same for all of them, and <see cref="FromJson"/>,
/// which reads any tokenizer back from its JSON.
/// </summary>
public abstract class Tokenizer : ITokenizer
{
    /// <summary>The JSON metadata key under which a model file stores its tokenizer.</summary>
    public const string ModelMetadataKey = "lstmtext.tokenizer";

    /// <summary>Kinds that optional assemblies read, so a model that needs one can say which to reference.</summary>
    private static readonly Dictionary<string, string> optionalKinds = new(StringComparer.Ordinal)
    {
        ["sentencepiece"] = "LstmText.MLTokenizers",
        ["tiktoken"] = "LstmText.MLTokenizers",
        ["wordpiece"] = "LstmText.MLTokenizers",
        ["bert"] = "LstmText.MLTokenizers",
        ["ml-bpe"] = "LstmText.MLTokenizers",
    };

    private static readonly ConcurrentDictionary<string, Func<string, ITokenizer>> registeredKinds = new(StringComparer.Ordinal);

    private readonly bool[] isSpecial;

    /// <summary>Sets up the vocabulary and finds the ids of the special tokens in it.</summary>
    /// <exception cref="ArgumentException">A special token is not in the vocabulary.</exception>
    private protected Tokenizer(Vocabulary vocabulary, SpecialTokens specialTokens)
    {
        Vocabulary = vocabulary;
        SpecialTokens = specialTokens;
        isSpecial = new bool[vocabulary.Count];
        foreach (var token in specialTokens.All)
        {
            isSpecial[IdOfSpecial(token)] = true;
        }
        PaddingId = specialTokens.Padding is null ? null : IdOfSpecial(specialTokens.Padding);
        UnknownId = specialTokens.Unknown is null ? null : IdOfSpecial(specialTokens.Unknown);
        BeginOfSequenceId = specialTokens.BeginOfSequence is null ? null : IdOfSpecial(specialTokens.BeginOfSequence);
        EndOfSequenceId = specialTokens.EndOfSequence is null ? null : IdOfSpecial(specialTokens.EndOfSequence);
    }

    /// <inheritdoc/>
    public abstract string Kind { get; }

    /// <inheritdoc/>
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
    /// Reads any tokenizer from the JSON that <see cref="ToJson"/> wrote; the <c>"type"</c> field says which.
    /// </summary>
    /// <exception cref="TokenizerFormatException">The JSON is malformed; the message names the field.</exception>
    public static ITokenizer FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new TokenizerFormatException($"Tokenizer JSON is not valid JSON: {e.Message}", e);
        }
        catch (ArgumentException e)
        {
            // A string with a lone surrogate cannot be read as JSON text at all.
            throw new TokenizerFormatException($"Tokenizer JSON is not valid JSON: it is not valid Unicode text ({e.Message})", e);
        }
        using (document)
        {
            var fields = new TokenizerJsonFields(document.RootElement, "tokenizer JSON");
            var kind = fields.RequiredString("type");
            return kind switch
            {
                CharTokenizer.KindName => CharTokenizer.FromJsonFields(fields),
                WordTokenizer.KindName => WordTokenizer.FromJsonFields(fields),
                BpeTokenizer.KindName => BpeTokenizer.FromJsonFields(fields),
                _ when registeredKinds.TryGetValue(kind, out var reader) => reader(json),
                _ when optionalKinds.TryGetValue(kind, out var assembly) => throw new TokenizerFormatException(
                    $"the tokenizer is {kind}, which {assembly} reads; reference {assembly} and call " +
                    $"{assembly}.MLTokenizer.Register() before loading the model (the lstmtext tool does this itself)."),
                _ => throw new TokenizerFormatException(
                    $"Tokenizer JSON field \"type\" is \"{kind}\"; expected {string.Join(", ", KnownKinds.Select(k => $"\"{k}\""))}."),
            };
        }
    }

    /// <summary>
    /// Lets <see cref="FromJson"/> (and so every model load) read tokenizers of another kind: JSON whose
    /// <c>"type"</c> is <paramref name="kind"/> goes to <paramref name="fromJson"/>. Optional assemblies such as
    /// LstmText.MLTokenizers register their kinds this way, so the core library needs no reference to them.
    /// Registering a kind again replaces its reader; any number of threads may register and read at once.
    /// </summary>
    /// <param name="kind">The value of the JSON's <c>"type"</c> field; not one of the built-in kinds.</param>
    /// <param name="fromJson">Reads the whole tokenizer JSON; it throws <see cref="TokenizerFormatException"/> when the JSON is malformed.</param>
    /// <exception cref="ArgumentException">The kind is empty or one of the built-in kinds <c>char</c>, <c>word</c>, <c>bpe</c>.</exception>
    public static void RegisterKind(string kind, Func<string, ITokenizer> fromJson)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        ArgumentNullException.ThrowIfNull(fromJson);
        if (kind is CharTokenizer.KindName or WordTokenizer.KindName or BpeTokenizer.KindName)
        {
            throw new ArgumentException($"The tokenizer kind \"{kind}\" is built in and cannot be registered again.", nameof(kind));
        }
        registeredKinds[kind] = fromJson;
    }

    /// <summary>Whether <see cref="FromJson"/> reads tokenizers of <paramref name="kind"/>: a built-in kind or a registered one.</summary>
    public static bool IsKindKnown(string kind) =>
        kind is CharTokenizer.KindName or WordTokenizer.KindName or BpeTokenizer.KindName || registeredKinds.ContainsKey(kind);

    /// <summary>The kinds <see cref="FromJson"/> reads now: the built-in ones, then the registered ones in name order.</summary>
    public static IReadOnlyList<string> KnownKinds =>
        [CharTokenizer.KindName, WordTokenizer.KindName, BpeTokenizer.KindName, .. registeredKinds.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Reads a tokenizer from a JSON file written by <see cref="Save"/>.</summary>
    /// <exception cref="TokenizerFormatException">The file is malformed; the message names the file and field.</exception>
    public static ITokenizer Load(string path)
    {
        var json = File.ReadAllText(path);
        try
        {
            return FromJson(json);
        }
        catch (TokenizerFormatException e)
        {
            throw new TokenizerFormatException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>Writes <see cref="ToJson"/> to a file.</summary>
    public void Save(string path) => File.WriteAllText(path, ToJson());

    /// <inheritdoc/>
    public bool IsSpecial(int id) => (uint)id < (uint)isSpecial.Length && isSpecial[id];

    /// <inheritdoc/>
    public string TokenOf(int id) => Vocabulary.TokenOf(id);

    /// <inheritdoc/>
    public bool TryGetId(ReadOnlySpan<char> token, out int id) => Vocabulary.TryGetId(token, out id);

    /// <inheritdoc/>
    public int[] Encode(ReadOnlySpan<char> text)
    {
        var rented = ArrayPool<int>.Shared.Rent(Math.Max(16, Math.Min(MaxTokenCount(text.Length), 1 << 16)));
        try
        {
            if (TryEncode(text, rented, out var count))
            {
                return rented.AsSpan(0, count).ToArray();
            }
            var result = new int[count];
            TryEncode(text, result, out _);
            return result;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(rented);
        }
    }

    /// <inheritdoc/>
    public bool TryEncode(ReadOnlySpan<char> text, Span<int> destination, out int tokenCount)
    {
        var writer = new TokenIdWriter(destination);
        EncodeCore(text, ref writer);
        tokenCount = writer.Count;
        return writer.Fits;
    }

    /// <inheritdoc/>
    public int Encode(ReadOnlySpan<char> text, Span<int> destination)
    {
        if (!TryEncode(text, destination, out var count))
        {
            throw new ArgumentException(
                $"The destination holds {destination.Length} ids but the text needs {count}.", nameof(destination));
        }
        return count;
    }

    /// <inheritdoc/>
    public abstract int MaxTokenCount(int textLength);

    /// <inheritdoc/>
    public string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens = false)
    {
        var decoder = CreateStreamingDecoder(skipSpecialTokens);
        var text = new System.Text.StringBuilder();
        foreach (var id in ids)
        {
            text.Append(decoder.Append(id));
        }
        text.Append(decoder.Flush());
        return text.ToString();
    }

    /// <inheritdoc/>
    public abstract IStreamingDecoder CreateStreamingDecoder(bool skipSpecialTokens = false);

    /// <inheritdoc/>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false }))
        {
            writer.WriteStartObject();
            writer.WriteString("type", Kind);
            WriteJsonFields(writer);
            writer.WritePropertyName("special");
            WriteSpecialTokens(writer, SpecialTokens);
            writer.WriteStartArray("tokens");
            foreach (var token in Vocabulary.Tokens)
            {
                writer.WriteStringValue(token);
            }
            writer.WriteEndArray();
            WriteJsonTail(writer);
            writer.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <inheritdoc/>
    public abstract VocabularyGrowth ExtendVocabulary(IEnumerable<string> corpus, VocabularyGrowthOptions? options = null);

    /// <summary>Encodes text, handing each id to <paramref name="writer"/>, which counts past the end of its span.</summary>
    private protected abstract void EncodeCore(ReadOnlySpan<char> text, ref TokenIdWriter writer);

    /// <summary>Writes the tokenizer's own settings, which come after <c>"type"</c>.</summary>
    private protected abstract void WriteJsonFields(Utf8JsonWriter writer);

    /// <summary>Writes fields that come after <c>"tokens"</c> (BPE's merges).</summary>
    private protected virtual void WriteJsonTail(Utf8JsonWriter writer)
    {
    }

    /// <summary>Reads the <c>"special"</c> object that <see cref="ToJson"/> writes.</summary>
    internal static SpecialTokens ReadSpecialTokens(TokenizerJsonFields fields)
    {
        var special = fields.OptionalObject("special");
        if (special is null)
        {
            return SpecialTokens.None;
        }
        return new SpecialTokens(
            special.OptionalString("pad"),
            special.OptionalString("unk"),
            special.OptionalString("bos"),
            special.OptionalString("eos"),
            special.OptionalStringArray("additional") ?? []);
    }

    /// <summary>Reads the <c>"tokens"</c> array into a vocabulary, naming the field when it is wrong.</summary>
    internal static Vocabulary ReadVocabulary(TokenizerJsonFields fields)
    {
        var tokens = fields.RequiredStringArray("tokens");
        try
        {
            return new Vocabulary(tokens);
        }
        catch (ArgumentException e)
        {
            throw new TokenizerFormatException($"Tokenizer JSON field \"tokens\": {e.Message}", e);
        }
    }

    private static void WriteSpecialTokens(Utf8JsonWriter writer, SpecialTokens special)
    {
        writer.WriteStartObject();
        WriteIfSet("pad", special.Padding);
        WriteIfSet("unk", special.Unknown);
        WriteIfSet("bos", special.BeginOfSequence);
        WriteIfSet("eos", special.EndOfSequence);
        writer.WriteStartArray("additional");
        foreach (var token in special.Additional)
        {
            writer.WriteStringValue(token);
        }
        writer.WriteEndArray();
        writer.WriteEndObject();

        void WriteIfSet(string name, string? token)
        {
            if (token is not null)
            {
                writer.WriteString(name, token);
            }
        }
    }

    private int IdOfSpecial(string token) => Vocabulary.TryGetId(token, out var id)
        ? id
        : throw new ArgumentException($"The special token \"{token}\" is not in the vocabulary.");
}
