namespace LstmText.Tokenizers;

/// <summary>Receives the words that <see cref="WordNormalizer"/> finds: the ids of encoding, or the counts of building.</summary>
internal interface IWordSink
{
    void Add(scoped ReadOnlySpan<char> word);

    void AddLineBreak();
}

/// <summary>
/// The normalising path of a <see cref="WordTokenizer"/> (<see cref="WordTokenizerOptions.Normalizes"/>): scans the
/// text with its marks recognised, then marks capitals, lower-cases, shortens elongated letters and splits clitics,
/// handing each resulting word to a sink. Building and encoding both go through here, so they read text alike.
/// </summary>
internal static class WordNormalizer
{
    public const string AllCapsMarker = "<caps>";
    public const string HashtagMarker = "<hashtag>";

    private const int LongestStackWord = 256;

    public static void Scan<TSink>(ReadOnlySpan<char> text, WordTokenizerOptions options, bool reportLineBreaks, ref TSink sink)
        where TSink : IWordSink, allows ref struct
    {
        Span<char> scratch = stackalloc char[LongestStackWord];
        var scanner = new WordScanner(text, options.Splitting, reportLineBreaks, options.Normalization);
        while (scanner.MoveNext(out var word, out var isLineBreak))
        {
            if (isLineBreak)
            {
                sink.AddLineBreak();
                continue;
            }
            if (scanner.Replacement is { } replacement)
            {
                sink.Add(replacement);
                continue;
            }
            if (scanner.IsHashtag && options.MarkHashtags)
            {
                sink.Add(HashtagMarker);
            }
            if (options.MarkAllCaps && IsAllCaps(word))
            {
                sink.Add(AllCapsMarker);
            }
            var buffer = word.Length <= scratch.Length ? scratch : new char[word.Length];
            var length = options.LowerCase ? word.ToLowerInvariant(buffer) : Copy(word, buffer);
            var normalized = buffer[..length];
            if ((options.Normalization & WordNormalization.Elongation) != 0)
            {
                normalized = normalized[..ShortenElongation(normalized)];
            }
            if ((options.Normalization & WordNormalization.Treebank) != 0)
            {
                normalized.Replace('\u2019', '\'');
                var clitic = CliticStart(normalized);
                if (clitic > 0)
                {
                    sink.Add(normalized[..clitic]);
                    sink.Add(normalized[clitic..]);
                    continue;
                }
            }
            sink.Add(normalized);
        }
    }

    private static int Copy(ReadOnlySpan<char> word, Span<char> buffer)
    {
        word.CopyTo(buffer);
        return word.Length;
    }

    /// <summary>At least two capital letters and no small one.</summary>
    private static bool IsAllCaps(ReadOnlySpan<char> word)
    {
        var capitals = 0;
        foreach (var c in word)
        {
            if (char.IsLower(c))
            {
                return false;
            }
            if (char.IsUpper(c))
            {
                capitals++;
            }
        }
        return capitals >= 2;
    }

    /// <summary>Keeps at most two of a letter repeated in a row, in place; returns the new length.</summary>
    private static int ShortenElongation(Span<char> word)
    {
        var written = 0;
        for (var i = 0; i < word.Length; i++)
        {
            if (written >= 2 && word[i] == word[written - 1] && word[i] == word[written - 2] && char.IsLetter(word[i]))
            {
                continue;
            }
            word[written++] = word[i];
        }
        return written;
    }

    /// <summary>Where the treebank would split a clitic off (<c>does|n't</c>, <c>it|'s</c>, <c>we|'ll</c>), or 0 for none.</summary>
    private static int CliticStart(ReadOnlySpan<char> word)
    {
        if (word.Length > 3 && word.EndsWith("n't", StringComparison.OrdinalIgnoreCase))
        {
            return word.Length - 3;
        }
        var apostrophe = word.LastIndexOf('\'');
        if (apostrophe <= 0)
        {
            return 0;
        }
        var suffix = word[(apostrophe + 1)..];
        return suffix.Equals("s", StringComparison.OrdinalIgnoreCase) || suffix.Equals("re", StringComparison.OrdinalIgnoreCase) ||
            suffix.Equals("ve", StringComparison.OrdinalIgnoreCase) || suffix.Equals("ll", StringComparison.OrdinalIgnoreCase) ||
            suffix.Equals("d", StringComparison.OrdinalIgnoreCase) || suffix.Equals("m", StringComparison.OrdinalIgnoreCase)
            ? apostrophe : 0;
    }
}
