namespace LstmText.Tokenizers;

/// <summary>
/// Turns text into token ids and back. Every tokenizer is immutable once built and may be used from
/// any number of threads at once.
/// </summary>
public interface ITokenizer
{
    /// <summary>The tokenizer's kind as its JSON names it under <c>"type"</c>: <c>char</c>, <c>word</c> or <c>bpe</c>.</summary>
    string Kind { get; }

    /// <summary>The tokens and their ids.</summary>
    Vocabulary Vocabulary { get; }

    /// <summary>The number of ids, which is the size a model's embedding and output layers need.</summary>
    int VocabularySize { get; }

    /// <summary>The special tokens this tokenizer reserves.</summary>
    SpecialTokens SpecialTokens { get; }

    /// <summary>The id of the padding token, or <c>null</c> when there is none.</summary>
    int? PaddingId { get; }

    /// <summary>The id that text outside the vocabulary maps to, or <c>null</c> when there is none.</summary>
    int? UnknownId { get; }

    /// <summary>The id of the begin-of-sequence token, or <c>null</c> when there is none.</summary>
    int? BeginOfSequenceId { get; }

    /// <summary>The id of the end-of-sequence token, or <c>null</c> when there is none.</summary>
    int? EndOfSequenceId { get; }

    /// <summary>Whether <paramref name="id"/> is one of the special tokens.</summary>
    bool IsSpecial(int id);

    /// <summary>The token of an id.</summary>
    string TokenOf(int id);

    /// <summary>Finds the id of a token (the token as the vocabulary spells it).</summary>
    bool TryGetId(ReadOnlySpan<char> token, out int id);

    /// <summary>Encodes text to a new array of ids.</summary>
    /// <exception cref="ArgumentException">
    /// The text holds a word or character the vocabulary lacks and the tokenizer has no unknown token; the message names it.
    /// </exception>
    int[] Encode(ReadOnlySpan<char> text);

    /// <summary>
    /// Encodes text into <paramref name="destination"/> without allocating the result. Returns <c>false</c>
    /// when it does not fit; <paramref name="tokenCount"/> is then the exact length it needs.
    /// </summary>
    bool TryEncode(ReadOnlySpan<char> text, Span<int> destination, out int tokenCount);

    /// <summary>
    /// Encodes text into <paramref name="destination"/> and returns the number of ids written. A destination of
    /// <see cref="MaxTokenCount"/> ids always suffices.
    /// </summary>
    /// <exception cref="ArgumentException">The destination is too short; the message says how long it must be.</exception>
    int Encode(ReadOnlySpan<char> text, Span<int> destination);

    /// <summary>An upper bound on the ids that text of <paramref name="textLength"/> UTF-16 chars can give.</summary>
    int MaxTokenCount(int textLength);

    /// <summary>Decodes ids to text; with <paramref name="skipSpecialTokens"/> the special tokens leave no text.</summary>
    string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens = false);

    /// <summary>A decoder that takes ids one at a time and emits text only once it is complete.</summary>
    IStreamingDecoder CreateStreamingDecoder(bool skipSpecialTokens = false);

    /// <summary>
    /// The tokenizer as JSON, which <see cref="Tokenizer.FromJson"/> reads back and a model file stores under
    /// metadata key <c>lstmtext.tokenizer</c>.
    /// </summary>
    string ToJson();

    /// <summary>
    /// Builds a tokenizer that also covers <paramref name="corpus"/>: old ids keep their tokens and new tokens
    /// are appended after them.
    /// </summary>
    VocabularyGrowth ExtendVocabulary(IEnumerable<string> corpus, VocabularyGrowthOptions? options = null);
}
