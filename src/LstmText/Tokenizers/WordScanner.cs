using System.Buffers;
using System.Globalization;

namespace LstmText.Tokenizers;

/// <summary>
/// Walks through text word by word for a <see cref="WordTokenizer"/>, so that building and encoding split text
/// in exactly the same way. Line breaks are reported only when they stand for the end-of-sequence token.
/// </summary>
internal ref struct WordScanner(ReadOnlySpan<char> text, WordSplitting splitting, bool reportLineBreaks)
{
    // Unicode White_Space, which char.IsWhiteSpace tests one char at a time; SearchValues scans many at once.
    private static readonly SearchValues<char> whiteSpace = SearchValues.Create(
        "\t\n\v\f\r \u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000");

    private static readonly SearchValues<char> asciiLettersAndDigits = SearchValues.Create(
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    private readonly ReadOnlySpan<char> text = text;
    private int position;

    /// <summary>Moves to the next word; <paramref name="isLineBreak"/> says the "word" is a line break instead.</summary>
    public bool MoveNext(out ReadOnlySpan<char> word, out bool isLineBreak)
    {
        isLineBreak = false;
        while (position < text.Length && char.IsWhiteSpace(text[position]))
        {
            if (reportLineBreaks && text[position] == '\n')
            {
                word = text.Slice(position++, 1);
                isLineBreak = true;
                return true;
            }
            position++;
        }
        if (position >= text.Length)
        {
            word = default;
            return false;
        }
        var start = position;
        if (splitting == WordSplitting.Whitespace)
        {
            var end = text[position..].IndexOfAny(whiteSpace);
            position = end < 0 ? text.Length : position + end;
        }
        else if (IsWordChar(text, position, out var width))
        {
            position += width;
            while (position < text.Length)
            {
                var asciiRun = text[position..].IndexOfAnyExcept(asciiLettersAndDigits);
                position = asciiRun < 0 ? text.Length : position + asciiRun;
                if (position >= text.Length)
                {
                    break;
                }
                if (IsWordChar(text, position, out width))
                {
                    position += width;
                }
                else if (text[position] is '\'' or '\u2019' && position + 1 < text.Length && IsWordChar(text, position + 1, out width))
                {
                    position += 1 + width; // an apostrophe between letters belongs to the word: don't, O'Neill
                }
                else
                {
                    break;
                }
            }
        }
        else
        {
            position += char.IsHighSurrogate(text[position]) && position + 1 < text.Length && char.IsLowSurrogate(text[position + 1]) ? 2 : 1;
        }
        word = text[start..position];
        return true;
    }

    private static bool IsWordChar(ReadOnlySpan<char> text, int index, out int width)
    {
        var c = text[index];
        width = 1;
        if (c < 0x80)
        {
            return char.IsAsciiLetterOrDigit(c);
        }
        UnicodeCategory category;
        if (char.IsHighSurrogate(c) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]))
        {
            width = 2;
            category = CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(c, text[index + 1]));
        }
        else
        {
            category = CharUnicodeInfo.GetUnicodeCategory(c);
        }
        return category is <= UnicodeCategory.OtherNumber; // letters, marks and numbers come first in the enum
    }
}
