using System.Buffers;

namespace LstmText.Tokenizers;

/// <summary>
/// Encodes only the beginning of a text: the first ids of a text of any length, tokenizing little more than the
/// text they come from, so a text of millions of words costs what its first few hundred tokens cost.
/// </summary>
/// <remarks>
/// The text is tokenized in growing prefixes (8 characters per wanted token at first, then twice as many each time)
/// cut where a non-space character meets white space, as <see cref="StreamingEncoding"/> cuts chunks: every tokenizer
/// here ends a token at such a place, so the ids of a prefix are the first ids of the whole text. The ids past the limit
/// are counted by the tokenizer but never stored.
/// </remarks>
public static class LimitedEncoding
{
    /// <summary>Characters of text tried per wanted token in the first prefix.</summary>
    private const int CharactersPerToken = 8;

    /// <summary>
    /// The first <paramref name="maxTokens"/> ids of <paramref name="text"/> (all of them when it has fewer): equal to
    /// <c>tokenizer.Encode(text)</c> cut to <paramref name="maxTokens"/>, without tokenizing the rest of a long text.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxTokens"/> is not positive.</exception>
    public static int[] EncodeFirst(this ITokenizer tokenizer, ReadOnlySpan<char> text, int maxTokens)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxTokens);
        var rented = ArrayPool<int>.Shared.Rent(maxTokens);
        try
        {
            var destination = rented.AsSpan(0, maxTokens);
            long window = Math.Max(64L, (long)maxTokens * CharactersPerToken);
            while (true)
            {
                if (window >= text.Length)
                {
                    tokenizer.TryEncode(text, destination, out int all);
                    return destination[..Math.Min(all, maxTokens)].ToArray();
                }
                int cut = LastSafeCut(text[..(int)window]);
                if (cut > 0)
                {
                    tokenizer.TryEncode(text[..cut], destination, out int count);
                    if (count >= maxTokens) return destination.ToArray();
                }
                window *= 2;
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(rented);
        }
    }

    /// <summary>The last index where white space follows a non-space character, or 0 when there is none.</summary>
    private static int LastSafeCut(ReadOnlySpan<char> text)
    {
        for (var index = text.Length - 1; index > 0; index--)
        {
            if (char.IsWhiteSpace(text[index]) && !char.IsWhiteSpace(text[index - 1])) return index;
        }
        return 0;
    }
}
