using System.Text;

namespace LstmText.Tokenizers;

/// <summary>The text preparation that tokenizers share: normalisation, lower-casing and lone surrogates.</summary>
internal static class UnicodeText
{
    private static readonly Lazy<bool> normalizationWorks = new(() =>
        "e\u0301".Normalize(NormalizationForm.FormC) == "\u00E9" &&
        "\uFB01".Normalize(NormalizationForm.FormKC) == "fi");

    /// <summary>
    /// Whether this process can normalise. With <c>InvariantGlobalization</c> on Linux there is no ICU and
    /// <see cref="string.Normalize()"/> silently returns its input, so we probe instead of trusting it.
    /// </summary>
    public static bool NormalizationWorks => normalizationWorks.Value;

    public static void EnsureNormalizationWorks(TextNormalization normalization)
    {
        if (normalization != TextNormalization.None && !NormalizationWorks)
        {
            throw new NotSupportedException(
                $"{normalization.ToString().ToUpperInvariant()} normalisation needs ICU, and this process runs with " +
                "InvariantGlobalization (string.Normalize would silently do nothing). Use TextNormalization.None, " +
                "or run with InvariantGlobalization=false and ICU installed.");
        }
    }

    /// <summary>Returns <paramref name="text"/> itself when nothing needs to change, so the common case allocates nothing.</summary>
    public static ReadOnlySpan<char> Prepare(ReadOnlySpan<char> text, TextNormalization normalization, bool lowerCase, out string? owner)
    {
        owner = null;
        if (normalization != TextNormalization.None)
        {
            owner = ReplaceLoneSurrogates(text).Normalize(
                normalization == TextNormalization.Nfc ? NormalizationForm.FormC : NormalizationForm.FormKC);
            text = owner;
        }
        if (lowerCase)
        {
            owner = ToLowerByRune(text);
            text = owner;
        }
        return text;
    }

    /// <summary>Lower-cases one scalar value at a time, so a surrogate pair is never split or mis-cased.</summary>
    public static string ToLowerByRune(ReadOnlySpan<char> text)
    {
        var builder = new StringBuilder(text.Length);
        Span<char> pair = stackalloc char[2];
        var index = 0;
        while (index < text.Length)
        {
            var c = text[index];
            if (c < 0x80)
            {
                builder.Append(c is >= 'A' and <= 'Z' ? (char)(c + 32) : c);
                index++;
                continue;
            }
            Rune.DecodeFromUtf16(text[index..], out var rune, out var consumed);
            var written = Rune.ToLowerInvariant(rune).EncodeToUtf16(pair);
            builder.Append(pair[..written]);
            index += consumed;
        }
        return builder.ToString();
    }

    /// <summary>Replaces each unpaired surrogate with U+FFFD, so no token can ever hold half a character.</summary>
    public static string ReplaceLoneSurrogates(ReadOnlySpan<char> text)
    {
        if (!HasLoneSurrogate(text))
        {
            return text.ToString();
        }
        var builder = new StringBuilder(text.Length);
        Span<char> pair = stackalloc char[2];
        var index = 0;
        while (index < text.Length)
        {
            Rune.DecodeFromUtf16(text[index..], out var rune, out var consumed);
            builder.Append(pair[..rune.EncodeToUtf16(pair)]);
            index += consumed;
        }
        return builder.ToString();
    }

    public static bool HasLoneSurrogate(ReadOnlySpan<char> text)
    {
        for (var index = 0; index < text.Length; index++)
        {
            var c = text[index];
            if (char.IsHighSurrogate(c) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]))
            {
                index++;
            }
            else if (char.IsSurrogate(c))
            {
                return true;
            }
        }
        return false;
    }
}
