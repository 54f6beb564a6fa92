using System.Buffers;
using System.Text;
using System.Text.Json;

namespace LstmText.Tokenizers;

/// <summary>
/// One token per word, split by white space (pre-tokenised corpora such as Penn Treebank) or into words and
/// punctuation marks. Words outside the vocabulary map to <c>&lt;unk&gt;</c>.
/// </summary>
public sealed class WordTokenizer : Tokenizer
{
    internal const string KindName = "word";

    private const int LongestStackWord = 256;

    private WordTokenizer(Vocabulary vocabulary, WordTokenizerOptions options)
        : base(vocabulary, options.SpecialTokens)
    {
        if (options.LineBreaksAsEndOfSequence && EndOfSequenceId is null)
        {
            throw new ArgumentException("LineBreaksAsEndOfSequence needs an end-of-sequence special token.", nameof(options));
        }
        Options = options;
    }

    /// <summary>The options the tokenizer was built with (its corpus limits no longer matter).</summary>
    public WordTokenizerOptions Options { get; }

    /// <inheritdoc/>
    public override string Kind => KindName;

    /// <summary>Builds a word vocabulary from a corpus, most frequent words first after the special tokens.</summary>
    /// <param name="corpus">The texts, e.g. the lines of an <c>TextCorpus</c>.</param>
    /// <param name="options">Splitting, case and vocabulary limits; the defaults keep every word seen.</param>
    public static WordTokenizer Build(IEnumerable<string> corpus, WordTokenizerOptions? options = null)
    {
        options ??= new WordTokenizerOptions();
        var specials = options.SpecialTokens.All;
        var words = CountWords(corpus, options).MostFrequent(
            options.MinimumFrequency, options.MaximumVocabularySize - specials.Count, word => !specials.Contains(word));
        return new WordTokenizer(new Vocabulary(specials.Concat(words)), options);
    }

    /// <inheritdoc/>
    public override int MaxTokenCount(int textLength) => textLength;

    /// <inheritdoc/>
    public override IStreamingDecoder CreateStreamingDecoder(bool skipSpecialTokens = false) =>
        new WordStreamDecoder(this, skipSpecialTokens);

    /// <inheritdoc/>
    /// <remarks>Appends the words of the new corpus that are not yet known, most frequent first.</remarks>
    public override VocabularyGrowth ExtendVocabulary(IEnumerable<string> corpus, VocabularyGrowthOptions? options = null)
    {
        options ??= new VocabularyGrowthOptions();
        var added = CountWords(corpus, Options).MostFrequent(
            options.MinimumFrequency, options.MaximumNewTokens, word => !Vocabulary.Contains(word));
        var extended = new WordTokenizer(Vocabulary.Append(added), Options);
        return new VocabularyGrowth(extended, Enumerable.Range(VocabularySize, added.Count).ToArray());
    }

    internal static WordTokenizer FromJsonFields(TokenizerJsonFields fields)
    {
        var options = new WordTokenizerOptions
        {
            Splitting = fields.OptionalEnum("splitting", WordSplitting.WordsAndPunctuation,
                ("whitespace", WordSplitting.Whitespace), ("words-and-punctuation", WordSplitting.WordsAndPunctuation)),
            LowerCase = fields.OptionalBool("lowercase", false),
            LineBreaksAsEndOfSequence = fields.OptionalBool("lineBreaksAsEos", false),
            Normalization = ReadNormalization(fields),
            MarkAllCaps = fields.OptionalBool("markAllCaps", false),
            MarkHashtags = fields.OptionalBool("markHashtags", false),
            SpecialTokens = ReadSpecialTokens(fields),
        };
        var vocabulary = ReadVocabulary(fields);
        try
        {
            return new WordTokenizer(vocabulary, options);
        }
        catch (ArgumentException e)
        {
            throw new TokenizerFormatException($"Tokenizer JSON field \"special\": {e.Message}", e);
        }
    }

    private protected override void EncodeCore(ReadOnlySpan<char> text, ref TokenIdWriter writer)
    {
        if (UnicodeText.HasLoneSurrogate(text))
        {
            text = UnicodeText.ReplaceLoneSurrogates(text);
        }
        if (Options.Normalizes)
        {
            var sink = new IdSink(this, writer);
            WordNormalizer.Scan(text, Options, Options.LineBreaksAsEndOfSequence, ref sink);
            writer = sink.Writer;
            return;
        }
        Span<char> lowered = stackalloc char[LongestStackWord];
        var scanner = new WordScanner(text, Options.Splitting, Options.LineBreaksAsEndOfSequence);
        while (scanner.MoveNext(out var word, out var isLineBreak))
        {
            if (isLineBreak)
            {
                writer.Add(EndOfSequenceId!.Value);
                continue;
            }
            writer.Add(IdOfWord(word, lowered));
        }
    }

    private int IdOfWord(ReadOnlySpan<char> word, Span<char> scratch)
    {
        if (Options.LowerCase && word.ContainsAnyExceptInRange('a', 'z'))
        {
            // Most words are ASCII, and System.Text.Ascii lower-cases them several times faster than the
            // culture machinery; both give what string.ToLowerInvariant gave the vocabulary when it was built.
            var buffer = word.Length <= scratch.Length ? scratch : new char[word.Length];
            if (Ascii.ToLower(word, buffer, out var written) == OperationStatus.Done)
            {
                return IdOfKnownOrUnknown(buffer[..written]);
            }
            var length = word.ToLowerInvariant(buffer);
            return IdOfKnownOrUnknown(buffer[..length]);
        }
        return IdOfKnownOrUnknown(word);
    }

    private int IdOfKnownOrUnknown(ReadOnlySpan<char> word) =>
        Vocabulary.TryGetId(word, out var id) ? id : UnknownId ?? throw new ArgumentException(
            $"The word \"{word}\" is not in the vocabulary, and the tokenizer has no unknown token.");

    private protected override void WriteJsonFields(Utf8JsonWriter writer)
    {
        writer.WriteString("splitting", Options.Splitting == WordSplitting.Whitespace ? "whitespace" : "words-and-punctuation");
        writer.WriteBoolean("lowercase", Options.LowerCase);
        writer.WriteBoolean("lineBreaksAsEos", Options.LineBreaksAsEndOfSequence);
        // Written only when set, so that a tokenizer from before these options writes the same JSON it was read from.
        if (Options.Normalization != WordNormalization.None)
        {
            writer.WriteStartArray("normalize");
            foreach (var (name, flag) in NormalizationNames)
            {
                if ((Options.Normalization & flag) != 0) writer.WriteStringValue(name);
            }
            writer.WriteEndArray();
        }
        if (Options.MarkAllCaps) writer.WriteBoolean("markAllCaps", true);
        if (Options.MarkHashtags) writer.WriteBoolean("markHashtags", true);
    }

    /// <summary>The JSON names of the <see cref="WordNormalization"/> flags, one per flag.</summary>
    internal static readonly (string Name, WordNormalization Flag)[] NormalizationNames =
    [
        ("treebank", WordNormalization.Treebank), ("urls", WordNormalization.Urls), ("mentions", WordNormalization.Mentions),
        ("hashtags", WordNormalization.Hashtags), ("emoticons", WordNormalization.Emoticons), ("elongation", WordNormalization.Elongation),
    ];

    private static WordNormalization ReadNormalization(TokenizerJsonFields fields)
    {
        var normalization = WordNormalization.None;
        foreach (var name in fields.OptionalStringArray("normalize") ?? [])
        {
            var match = NormalizationNames.FirstOrDefault(n => n.Name == name);
            if (match.Name is null)
                throw new TokenizerFormatException(
                    $"Tokenizer JSON field \"normalize\" holds \"{name}\"; expected any of {string.Join(", ", NormalizationNames.Select(n => $"\"{n.Name}\""))}.");
            normalization |= match.Flag;
        }
        return normalization;
    }

    private ref struct IdSink(WordTokenizer tokenizer, TokenIdWriter writer) : IWordSink
    {
        public TokenIdWriter Writer = writer;

        public void Add(scoped ReadOnlySpan<char> word) => Writer.Add(tokenizer.IdOfKnownOrUnknown(word));

        public void AddLineBreak() => Writer.Add(tokenizer.EndOfSequenceId!.Value);
    }

    private struct CountingSink(UnitCounter counter) : IWordSink
    {
        public readonly void Add(scoped ReadOnlySpan<char> word) => counter.Add(word);

        public readonly void AddLineBreak()
        {
        }
    }

    private static UnitCounter CountWords(IEnumerable<string> corpus, WordTokenizerOptions options)
    {
        var counter = new UnitCounter();
        foreach (var document in corpus)
        {
            var text = UnicodeText.HasLoneSurrogate(document) ? UnicodeText.ReplaceLoneSurrogates(document) : document.AsSpan();
            if (options.Normalizes)
            {
                var sink = new CountingSink(counter);
                WordNormalizer.Scan(text, options, reportLineBreaks: false, ref sink);
                continue;
            }
            var scanner = new WordScanner(text, options.Splitting, reportLineBreaks: false);
            while (scanner.MoveNext(out var word, out _))
            {
                counter.Add(options.LowerCase ? word.ToString().ToLowerInvariant() : word);
            }
        }
        return counter;
    }
}
