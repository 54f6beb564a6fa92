using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace LstmText.Tokenizers;

/// <summary>
/// One token per character: per Unicode scalar value by default (an emoji is one token, and no token can hold
/// a lone surrogate), or per grapheme cluster. Characters outside the vocabulary map to <c>&lt;unk&gt;</c>.
/// </summary>
public sealed class CharTokenizer : Tokenizer
{
    internal const string KindName = "char";

    // Most corpora are mostly ASCII, so those ids come from a table instead of a hash lookup.
    private readonly int[] asciiIds = new int[128];
    private readonly Dictionary<int, int> scalarIds = [];

    private CharTokenizer(Vocabulary vocabulary, CharTokenizerOptions options)
        : base(vocabulary, options.SpecialTokens)
    {
        UnicodeText.EnsureNormalizationWorks(options.Normalization);
        Options = options;
        Array.Fill(asciiIds, -1);
        var specials = options.SpecialTokens.All;
        for (var id = 0; id < vocabulary.Count; id++)
        {
            var token = vocabulary.TokenOf(id);
            if (specials.Contains(token))
            {
                continue;
            }
            if (Rune.DecodeFromUtf16(token, out var rune, out var consumed) == OperationStatus.Done && consumed == token.Length)
            {
                if (rune.Value < 128)
                {
                    asciiIds[rune.Value] = id;
                }
                else
                {
                    scalarIds[rune.Value] = id;
                }
            }
        }
    }

    /// <summary>The options the tokenizer was built with (its corpus limits no longer matter).</summary>
    public CharTokenizerOptions Options { get; }

    /// <inheritdoc/>
    public override string Kind => KindName;

    /// <summary>Builds a character vocabulary from a corpus.</summary>
    /// <param name="corpus">The texts, e.g. the lines or chunks of an <c>TextCorpus</c>.</param>
    /// <param name="options">Units, normalisation, case and vocabulary limits; the defaults keep every scalar value seen.</param>
    /// <exception cref="NotSupportedException">Normalisation was asked for but this process cannot normalise.</exception>
    public static CharTokenizer Build(IEnumerable<string> corpus, CharTokenizerOptions? options = null)
    {
        options ??= new CharTokenizerOptions();
        UnicodeText.EnsureNormalizationWorks(options.Normalization);
        var counter = CountUnits(corpus, options);
        var specials = options.SpecialTokens.All;
        var characters = counter.MostFrequent(
            options.MinimumFrequency,
            options.MaximumVocabularySize - specials.Count,
            unit => !specials.Contains(unit));
        characters.Sort(StringComparer.Ordinal);
        return new CharTokenizer(new Vocabulary(specials.Concat(characters)), options);
    }

    /// <inheritdoc/>
    public override int MaxTokenCount(int textLength) => textLength;

    /// <inheritdoc/>
    public override IStreamingDecoder CreateStreamingDecoder(bool skipSpecialTokens = false) =>
        new TokenTextDecoder(this, skipSpecialTokens);

    /// <inheritdoc/>
    /// <remarks>Appends the characters of the new corpus that are not yet known, most frequent first.</remarks>
    public override VocabularyGrowth ExtendVocabulary(IEnumerable<string> corpus, VocabularyGrowthOptions? options = null)
    {
        options ??= new VocabularyGrowthOptions();
        var counter = CountUnits(corpus, Options);
        var added = counter.MostFrequent(options.MinimumFrequency, options.MaximumNewTokens, unit => !Vocabulary.Contains(unit));
        var extended = new CharTokenizer(Vocabulary.Append(added), Options);
        return new VocabularyGrowth(extended, Enumerable.Range(VocabularySize, added.Count).ToArray());
    }

    internal static CharTokenizer FromJsonFields(TokenizerJsonFields fields)
    {
        var options = new CharTokenizerOptions
        {
            Unit = fields.OptionalEnum("units", CharacterUnit.ScalarValue,
                ("scalar", CharacterUnit.ScalarValue), ("grapheme", CharacterUnit.GraphemeCluster)),
            Normalization = fields.OptionalEnum("normalization", TextNormalization.None,
                ("none", TextNormalization.None), ("nfc", TextNormalization.Nfc), ("nfkc", TextNormalization.Nfkc)),
            LowerCase = fields.OptionalBool("lowercase", false),
            SpecialTokens = ReadSpecialTokens(fields),
        };
        var vocabulary = ReadVocabulary(fields);
        try
        {
            return new CharTokenizer(vocabulary, options);
        }
        catch (ArgumentException e)
        {
            throw new TokenizerFormatException($"Tokenizer JSON field \"special\": {e.Message}", e);
        }
    }

    private protected override void EncodeCore(ReadOnlySpan<char> text, ref TokenIdWriter writer)
    {
        text = UnicodeText.Prepare(text, Options.Normalization, Options.LowerCase, out _);
        if (Options.Unit == CharacterUnit.GraphemeCluster)
        {
            EncodeGraphemes(text, ref writer);
            return;
        }
        var index = 0;
        while (index < text.Length)
        {
            var c = text[index];
            int id;
            if (c < 128)
            {
                id = asciiIds[c];
                index++;
            }
            else
            {
                // A lone surrogate decodes as U+FFFD, so it never reaches the output as half a character.
                Rune.DecodeFromUtf16(text[index..], out var rune, out var consumed);
                id = scalarIds.TryGetValue(rune.Value, out var known) ? known : -1;
                index += consumed;
            }
            writer.Add(id >= 0 ? id : UnknownIdOrThrow(text, index - 1));
        }
    }

    private protected override void WriteJsonFields(Utf8JsonWriter writer)
    {
        writer.WriteString("units", Options.Unit == CharacterUnit.ScalarValue ? "scalar" : "grapheme");
        writer.WriteString("normalization", Options.Normalization.ToString().ToLowerInvariant());
        writer.WriteBoolean("lowercase", Options.LowerCase);
    }

    private static UnitCounter CountUnits(IEnumerable<string> corpus, CharTokenizerOptions options)
    {
        var counter = new UnitCounter();
        Span<char> scalar = stackalloc char[2];
        foreach (var document in corpus)
        {
            var text = UnicodeText.Prepare(document, options.Normalization, options.LowerCase, out _);
            if (options.Unit == CharacterUnit.GraphemeCluster)
            {
                text = UnicodeText.ReplaceLoneSurrogates(text);
                while (!text.IsEmpty)
                {
                    var length = StringInfo.GetNextTextElementLength(text);
                    counter.Add(text[..length]);
                    text = text[length..];
                }
                continue;
            }
            while (!text.IsEmpty)
            {
                Rune.DecodeFromUtf16(text, out var rune, out var consumed);
                counter.Add(scalar[..rune.EncodeToUtf16(scalar)]);
                text = text[consumed..];
            }
        }
        return counter;
    }

    private void EncodeGraphemes(ReadOnlySpan<char> text, ref TokenIdWriter writer)
    {
        if (UnicodeText.HasLoneSurrogate(text))
        {
            text = UnicodeText.ReplaceLoneSurrogates(text);
        }
        var index = 0;
        while (index < text.Length)
        {
            var length = StringInfo.GetNextTextElementLength(text[index..]);
            writer.Add(Vocabulary.TryGetId(text.Slice(index, length), out var id) ? id : UnknownIdOrThrow(text, index));
            index += length;
        }
    }

    private int UnknownIdOrThrow(ReadOnlySpan<char> text, int index) => UnknownId ?? throw new ArgumentException(
        $"The character U+{(int)text[index]:X4} at index {index} is not in the vocabulary, and the tokenizer has no unknown token.");
}
