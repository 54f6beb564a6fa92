using System.Buffers;
using System.Text.Unicode;

namespace LstmText.Tokenizers;

/// <summary>
/// Streams the text of byte-level tokens: a token may end in the middle of a UTF-8 character (an emoji is
/// often three or four tokens), so the bytes of an unfinished character wait for the next token.
/// </summary>
internal sealed class ByteLevelStreamDecoder(BpeTokenizer tokenizer, bool skipSpecialTokens) : IStreamingDecoder
{
    private byte[] pending = new byte[16];
    private int pendingLength;

    public string Append(int id)
    {
        if (skipSpecialTokens && tokenizer.IsSpecial(id))
        {
            return string.Empty;
        }
        var bytes = tokenizer.BytesOf(id);
        if (pendingLength + bytes.Length > pending.Length)
        {
            Array.Resize(ref pending, Math.Max(pending.Length * 2, pendingLength + bytes.Length));
        }
        bytes.CopyTo(pending.AsSpan(pendingLength));
        pendingLength += bytes.Length;
        return DecodePending(isFinalBlock: false);
    }

    public string Flush() => DecodePending(isFinalBlock: true);

    private string DecodePending(bool isFinalBlock)
    {
        if (pendingLength == 0)
        {
            return string.Empty;
        }
        var chars = ArrayPool<char>.Shared.Rent(pendingLength);
        try
        {
            // Invalid bytes become U+FFFD at once; only a valid but unfinished sequence at the end waits.
            Utf8.ToUtf16(pending.AsSpan(0, pendingLength), chars, out var read, out var written,
                replaceInvalidSequences: true, isFinalBlock);
            pending.AsSpan(read, pendingLength - read).CopyTo(pending);
            pendingLength -= read;
            return new string(chars, 0, written);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }
}
