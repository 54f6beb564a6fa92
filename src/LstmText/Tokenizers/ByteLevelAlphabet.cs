namespace LstmText.Tokenizers;

/// <summary>
/// GPT-2's reversible map from the 256 byte values to printable characters, so that every byte sequence is a
/// string of visible characters (a space becomes <c>Ġ</c>, a newline <c>Ċ</c>) and vocabulary files stay text.
/// </summary>
internal static class ByteLevelAlphabet
{
    /// <summary>The character that stands for each byte.</summary>
    public static readonly char[] CharOfByte = BuildCharOfByte();

    /// <summary>The byte each alphabet character stands for, or -1 for characters outside the alphabet.</summary>
    public static readonly short[] ByteOfChar = BuildByteOfChar();

    /// <summary>The bytes a token spells, or <c>null</c> when it holds a character outside the alphabet.</summary>
    public static byte[]? BytesOf(string token)
    {
        var bytes = new byte[token.Length];
        for (var index = 0; index < token.Length; index++)
        {
            var c = token[index];
            if (c >= ByteOfChar.Length || ByteOfChar[c] < 0)
            {
                return null;
            }
            bytes[index] = (byte)ByteOfChar[c];
        }
        return bytes;
    }

    /// <summary>The token that spells <paramref name="bytes"/>.</summary>
    public static string TokenOf(ReadOnlySpan<byte> bytes)
    {
        return string.Create(bytes.Length, bytes.ToArray(), static (chars, source) =>
        {
            for (var index = 0; index < source.Length; index++)
            {
                chars[index] = CharOfByte[source[index]];
            }
        });
    }

    private static char[] BuildCharOfByte()
    {
        // OpenAI's bytes_to_unicode: printable Latin-1 bytes stand for themselves, the rest move to 256 and up.
        var map = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[b] = printable ? (char)b : (char)next++;
        }
        return map;
    }

    private static short[] BuildByteOfChar()
    {
        var map = new short[512];
        Array.Fill(map, (short)-1);
        for (var b = 0; b < 256; b++)
        {
            map[CharOfByte[b]] = (short)b;
        }
        return map;
    }
}
