namespace LstmText.Tokenizers;

/// <summary>What one token of a <see cref="CharTokenizer"/> is.</summary>
public enum CharacterUnit
{
    /// <summary>One Unicode scalar value (a <see cref="System.Text.Rune"/>): an emoji is one token, never two surrogates.</summary>
    ScalarValue,

    /// <summary>One extended grapheme cluster: a flag, a skin-toned or ZWJ-joined emoji, or a letter with its accents is one token.</summary>
    GraphemeCluster,
}
