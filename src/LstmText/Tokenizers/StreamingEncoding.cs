namespace LstmText.Tokenizers;

/// <summary>
/// Encodes text that arrives in chunks (a corpus larger than memory) to exactly the ids the whole text would
/// get. A chunk is encoded only up to its last place where a non-space character meets white space; the rest
/// waits for the next chunk. Every tokenizer here ends a token at such a place, so that cut is always safe,
/// whereas a cut elsewhere could split a word or GPT-2's <c>"\n\n"</c> token.
/// </summary>
public static class StreamingEncoding
{
    /// <summary>Encodes each chunk as it comes and yields its ids; the ids of all chunks equal <c>Encode(string.Concat(chunks))</c>.</summary>
    public static IEnumerable<int[]> EncodeChunks(this ITokenizer tokenizer, IEnumerable<string> chunks)
    {
        var carried = string.Empty;
        foreach (var chunk in chunks)
        {
            var text = carried.Length == 0 ? chunk : carried + chunk;
            var end = LastSafeCut(text);
            carried = text[end..];
            if (end > 0)
            {
                yield return tokenizer.Encode(text.AsSpan(0, end));
            }
        }
        if (carried.Length > 0)
        {
            yield return tokenizer.Encode(carried);
        }
    }

    /// <summary>The last index where white space follows a non-space character, or 0 when there is none.</summary>
    private static int LastSafeCut(string text)
    {
        for (var index = text.Length - 1; index > 0; index--)
        {
            if (char.IsWhiteSpace(text[index]) && !char.IsWhiteSpace(text[index - 1]))
            {
                return index;
            }
        }
        return 0;
    }
}
