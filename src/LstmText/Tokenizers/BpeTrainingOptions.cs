namespace LstmText.Tokenizers;

/// <summary>How <see cref="BpeTokenizer.Train"/> learns its merges.</summary>
public sealed record BpeTrainingOptions
{
    /// <summary>The vocabulary size to reach: special tokens, the 256 byte tokens and one token per merge.</summary>
    public int VocabularySize { get; init; } = 8192;

    /// <summary>A pair must occur at least this often to be merged; training stops early when none does.</summary>
    public int MinimumPairFrequency { get; init; } = 2;

    /// <summary>
    /// The special tokens, which take the first ids. Byte-level BPE covers every text, so the default has no
    /// unknown token: <c>&lt;pad&gt;</c>, <c>&lt;bos&gt;</c> and <c>&lt;eos&gt;</c>.
    /// </summary>
    public SpecialTokens SpecialTokens { get; init; } = new(unknown: null);
}
