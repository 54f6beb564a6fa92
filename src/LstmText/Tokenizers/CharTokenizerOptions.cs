namespace LstmText.Tokenizers;

/// <summary>How <see cref="CharTokenizer.Build"/> splits text and chooses its vocabulary.</summary>
public sealed record CharTokenizerOptions
{
    /// <summary>Whether a token is a Unicode scalar value (the default) or a grapheme cluster.</summary>
    public CharacterUnit Unit { get; init; } = CharacterUnit.ScalarValue;

    /// <summary>
    /// Unicode normalisation applied before splitting. It needs ICU: a process that runs with
    /// <c>InvariantGlobalization</c> cannot normalise, and building such a tokenizer throws <see cref="NotSupportedException"/>.
    /// </summary>
    public TextNormalization Normalization { get; init; } = TextNormalization.None;

    /// <summary>Whether text is lower-cased (Unicode simple case mapping, culture-invariant) before splitting.</summary>
    public bool LowerCase { get; init; }

    /// <summary>A character must occur at least this often in the corpus to get its own id.</summary>
    public int MinimumFrequency { get; init; } = 1;

    /// <summary>The largest vocabulary, special tokens included; the most frequent characters win.</summary>
    public int MaximumVocabularySize { get; init; } = int.MaxValue;

    /// <summary>The special tokens, which take the first ids.</summary>
    public SpecialTokens SpecialTokens { get; init; } = SpecialTokens.Default;
}
