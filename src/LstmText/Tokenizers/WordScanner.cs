using System.Buffers;
using System.Globalization;

namespace LstmText.Tokenizers;

/// <summary>
/// Walks through text word by word for a <see cref="WordTokenizer"/>, so that building and encoding split text
/// in exactly the same way. Line breaks are reported only when they stand for the end-of-sequence token. With a
/// <see cref="WordNormalization"/> it also recognises the marks that the splitting would cut apart (web addresses,
/// @mentions, #hashtags, emoticons, treebank brackets, quotes and clitics) and says what they read as.
/// </summary>
internal ref struct WordScanner(ReadOnlySpan<char> text, WordSplitting splitting, bool reportLineBreaks,
    WordNormalization normalization = WordNormalization.None)
{
    // Longest first, so ":-)" wins over ":-"; each reads as its second item (the nose left out).
    private static readonly (string Text, string Token)[] emoticons =
    [
        (":-)", ":)"), (":-(", ":("), (":-D", ":D"), (":-P", ":P"), (":-p", ":P"), (":-/", ":/"), (":-|", ":|"),
        (":'(", ":'("), (":')", ":')"), (";-)", ";)"), ("^_^", "^_^"), ("-_-", "-_-"), ("T_T", "T_T"),
        (":)", ":)"), (":(", ":("), (":D", ":D"), (":P", ":P"), (":p", ":P"), (":/", ":/"), (":|", ":|"), (";)", ";)"),
        (";D", ";D"), (":]", ":)"), (":[", ":("), ("=)", ":)"), ("=(", ":("), ("=D", ":D"), (":o", ":O"), (":O", ":O"),
        (":*", ":*"), ("<3", "<3"), ("^^", "^_^"),
    ];

    private static readonly (string Text, string Token)[] treebankTokens =
    [
        ("-lrb-", "("), ("-rrb-", ")"), ("-lsb-", "["), ("-rsb-", "]"), ("-lcb-", "{"), ("-rcb-", "}"),
        ("``", "\""), ("''", "\""), ("\u201C", "\""), ("\u201D", "\""),
    ];

    private static readonly string[] clitics = ["'s", "'re", "'ve", "'ll", "'d", "'m"];

    // Unicode White_Space, which char.IsWhiteSpace tests one char at a time; SearchValues scans many at once.
    private static readonly SearchValues<char> whiteSpace = SearchValues.Create(
        "\t\n\v\f\r \u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000");

    private static readonly SearchValues<char> asciiLettersAndDigits = SearchValues.Create(
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    private readonly ReadOnlySpan<char> text = text;
    private int position;

    /// <summary>What the last word reads as when it is a mark (<c>&lt;url&gt;</c>, <c>(</c>, <c>:)</c>), or null.</summary>
    public string? Replacement { get; private set; }

    /// <summary>Whether the last word is a hashtag's word (its <c>#</c> left out).</summary>
    public bool IsHashtag { get; private set; }

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
        Replacement = null;
        IsHashtag = false;
        if (normalization != WordNormalization.None && splitting == WordSplitting.WordsAndPunctuation && TryScanMark(out word))
        {
            return true;
        }
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

    /// <summary>Recognises a mark at the current position and moves past it.</summary>
    private bool TryScanMark(out ReadOnlySpan<char> word)
    {
        var rest = text[position..];
        var afterWordChar = position > 0 && IsWordBefore(position);
        var c = rest[0];
        if ((normalization & WordNormalization.Urls) != 0 && !afterWordChar &&
            (rest.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || rest.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ||
             rest.StartsWith("www.", StringComparison.OrdinalIgnoreCase)))
        {
            var end = rest.IndexOfAny(whiteSpace);
            end = end < 0 ? rest.Length : end;
            while (end > 4 && rest[end - 1] is '.' or ',' or ';' or ':' or '!' or '?' or ')' or ']' or '"' or '\'')
            {
                end--; // the sentence's punctuation after an address is not part of it
            }
            return Take(end, "<url>", out word);
        }
        if (c is '@' or '#' && !afterWordChar && rest.Length > 1)
        {
            var length = 1;
            while (length < rest.Length && (char.IsAsciiLetterOrDigit(rest[length]) || rest[length] == '_' || char.IsLetter(rest[length])))
            {
                length++;
            }
            if (c == '@' && (normalization & WordNormalization.Mentions) != 0 && length > 1)
            {
                return Take(length, "<user>", out word);
            }
            if (c == '#' && (normalization & WordNormalization.Hashtags) != 0 && length > 1 && char.IsLetter(rest[1]))
            {
                position++;
                word = rest[1..length];
                position += length - 1;
                IsHashtag = true;
                return true;
            }
        }
        if ((normalization & WordNormalization.Emoticons) != 0)
        {
            foreach (var (emoticon, token) in emoticons)
            {
                if (rest.StartsWith(emoticon, StringComparison.Ordinal) &&
                    (rest.Length == emoticon.Length || !char.IsLetterOrDigit(rest[emoticon.Length])) &&
                    !(char.IsLetterOrDigit(emoticon[0]) && afterWordChar))
                {
                    return Take(emoticon.Length, token, out word);
                }
            }
        }
        if ((normalization & WordNormalization.Treebank) != 0)
        {
            foreach (var (mark, token) in treebankTokens)
            {
                if (rest.StartsWith(mark, StringComparison.OrdinalIgnoreCase))
                {
                    return Take(mark.Length, token, out word);
                }
            }
            // A clitic that a treebank wrote apart ("it 's"): an apostrophe after white space that follows a word.
            if (c is '\'' or '\u2019' && position > 0 && char.IsWhiteSpace(text[position - 1]) && WordEndsBeforeSpace(position - 1))
            {
                foreach (var clitic in clitics)
                {
                    if (rest.Length >= clitic.Length && rest[1..clitic.Length].Equals(clitic.AsSpan(1), StringComparison.OrdinalIgnoreCase) &&
                        (rest.Length == clitic.Length || !IsWordChar(rest, clitic.Length, out _)))
                    {
                        position += clitic.Length;
                        word = rest[..clitic.Length];
                        return true;
                    }
                }
            }
        }
        word = default;
        return false;
    }

    private bool Take(int length, string replacement, out ReadOnlySpan<char> word)
    {
        word = text.Slice(position, length);
        position += length;
        Replacement = replacement;
        return true;
    }

    private readonly bool IsWordBefore(int index) => char.IsLetterOrDigit(text[index - 1]) || char.IsLowSurrogate(text[index - 1]);

    private readonly bool WordEndsBeforeSpace(int index)
    {
        while (index > 0 && char.IsWhiteSpace(text[index - 1]))
        {
            index--;
        }
        return index > 0 && IsWordBefore(index);
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
