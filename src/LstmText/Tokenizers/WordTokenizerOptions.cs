namespace LstmText.Tokenizers;

/// <summary>How <see cref="WordTokenizer.Build"/> splits text and chooses its vocabulary.</summary>
public sealed record WordTokenizerOptions
{
    /// <summary>Whitespace splitting or words and punctuation (the default).</summary>
    public WordSplitting Splitting { get; init; } = WordSplitting.WordsAndPunctuation;

    /// <summary>Whether words are lower-cased (culture-invariant) before lookup.</summary>
    public bool LowerCase { get; init; }

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
