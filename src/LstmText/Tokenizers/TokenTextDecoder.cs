namespace LstmText.Tokenizers;

/// <summary>
/// Streams the text of tokens that are whole strings (characters), so each id's text is complete at once.
/// </summary>
internal sealed class TokenTextDecoder(Tokenizer tokenizer, bool skipSpecialTokens) : IStreamingDecoder
{
    public string Append(int id)
    {
        var token = tokenizer.TokenOf(id);
        return skipSpecialTokens && tokenizer.IsSpecial(id) ? string.Empty : token;
    }

    public string Flush() => string.Empty;
}
