namespace LstmText.Tokenizers;

/// <summary>How a <see cref="WordTokenizer"/> finds words.</summary>
public enum WordSplitting
{
    /// <summary>
    /// Words are whatever white space separates, for corpora that are already tokenised (Penn Treebank);
    /// decoding joins them with single spaces, so such text round-trips exactly.
    /// </summary>
    Whitespace,

    /// <summary>
    /// Words are runs of Unicode letters, digits and combining marks, with apostrophes inside a word kept
    /// (<c>don't</c>); every other character is a token of its own. Decoding puts spaces back by the usual
    /// rules (none before <c>,</c> or <c>.</c>, none inside quotes or brackets), which is readable but not exact.
    /// </summary>
    WordsAndPunctuation,
}
