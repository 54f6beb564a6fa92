namespace LstmText.Tokenizers;

/// <summary>How much a tokenizer may grow when it meets a new corpus.</summary>
public sealed record VocabularyGrowthOptions
{
    /// <summary>A new token (character, word or BPE pair) must occur at least this often in the new corpus.</summary>
    public int MinimumFrequency { get; init; } = 1;

    /// <summary>At most this many tokens are added; the most frequent win.</summary>
    public int MaximumNewTokens { get; init; } = int.MaxValue;
}
