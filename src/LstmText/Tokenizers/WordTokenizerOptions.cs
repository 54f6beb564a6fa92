namespace LstmText.Tokenizers;

/// <summary>How <see cref="WordTokenizer.Build"/> splits text and chooses its vocabulary.</summary>
public sealed record WordTokenizerOptions
{
    /// <summary>Whitespace splitting or words and punctuation (the default).</summary>
    public WordSplitting Splitting { get; init; } = WordSplitting.WordsAndPunctuation;

    /// <summary>Whether words are lower-cased (culture-invariant) before lookup.</summary>
    public bool LowerCase { get; init; }

    /// <summary>
    /// What reads alike before lookup (treebank clitics and brackets, URLs, @mentions, #hashtags, emoticons, elongated
    /// words). Marks that splitting would cut apart (addresses, mentions, hashtags, emoticons, treebank brackets and
    /// quotes) are recognised only with <see cref="WordSplitting.WordsAndPunctuation"/>; clitics and elongation apply
    /// to any splitting. Default <see cref="WordNormalization.None"/>.
    /// </summary>
    public WordNormalization Normalization { get; init; }

    /// <summary>
    /// Whether a word written in capitals (at least two capital letters and no small ones: <c>GREAT</c>, <c>DON'T</c>)
    /// is preceded by the token <c>&lt;caps&gt;</c>, so that lower-casing keeps the emphasis.
    /// </summary>
    public bool MarkAllCaps { get; init; }

    /// <summary>With <see cref="WordNormalization.Hashtags"/>: whether a hashtag's word is preceded by the token <c>&lt;hashtag&gt;</c>.</summary>
    public bool MarkHashtags { get; init; }

    /// <summary>Whether any option beyond splitting and lower-casing changes the words (the tokenizer then takes its slower, normalising path).</summary>
    internal bool Normalizes => Normalization != WordNormalization.None || MarkAllCaps;

    /// <summary>
    /// Whether each line break is encoded as the end-of-sequence token and decoded as <c>\n</c>, the usual set-up
    /// for word-level language models on Penn Treebank. Needs <see cref="SpecialTokens.EndOfSequence"/>.
    /// </summary>
    public bool LineBreaksAsEndOfSequence { get; init; }

    /// <summary>A word must occur at least this often in the corpus to get its own id.</summary>
    public int MinimumFrequency { get; init; } = 1;

    /// <summary>The largest vocabulary, special tokens included; the most frequent words win.</summary>
    public int MaximumVocabularySize { get; init; } = int.MaxValue;

    /// <summary>The special tokens, which take the first ids.</summary>
    public SpecialTokens SpecialTokens { get; init; } = SpecialTokens.Default;
}
