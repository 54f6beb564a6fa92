using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using LstmText.Tokenizers;
using ML = Microsoft.ML.Tokenizers;

namespace LstmText.MLTokenizers;

/// <summary>Builds each kind of Microsoft.ML.Tokenizers tokenizer from its embedded files and settings.</summary>
internal static class MLTokenizerKinds
{
    public static MLTokenizer SentencePiece(MLTokenizerSettings settings, string json)
    {
        using var model = settings.OpenFile("model");
        var inner = ML.SentencePieceTokenizer.Create(model, false, false);
        var tokens = inner.Vocabulary.ToDictionary(pair => pair.Value, pair => pair.Key);
        string? Known(string? token) => token is not null && inner.Vocabulary.ContainsKey(token) ? token : null;
        var special = new SpecialTokens(
            Known("<pad>"), Known(inner.UnknownToken), Known(inner.BeginningOfSentenceToken), Known(inner.EndOfSentenceToken),
            inner.SpecialTokens?.Keys.Where(t => Known(t) is not null).Order(StringComparer.Ordinal));
        return MLTokenizer.Create(settings.Kind, inner, json, tokens, special);
    }

    public static MLTokenizer Tiktoken(MLTokenizerSettings settings, string json)
    {
        var ranks = settings.File("ranks");
        var pattern = settings.RequiredString("pattern");
        var specialIds = settings.OptionalIds("special_tokens") ?? [];
        var tokens = new Dictionary<int, string>();
        var number = 0;
        foreach (var line in Encoding.UTF8.GetString(ranks).Split('\n'))
        {
            number++;
            var trimmed = line.TrimEnd('\r');
            if (trimmed.Length == 0) continue;
            var space = trimmed.IndexOf(' ');
            byte[] bytes;
            int rank;
            try
            {
                bytes = Convert.FromBase64String(trimmed[..Math.Max(space, 0)]);
                rank = int.Parse(trimmed.AsSpan(space + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
            {
                throw new TokenizerFormatException($"The tiktoken file's line {number} is not \"BASE64 RANK\".", e);
            }
            if (!tokens.TryAdd(rank, ByteLevelSpelling(bytes)))
                throw new TokenizerFormatException($"The tiktoken file's line {number} repeats rank {rank}.");
        }
        foreach (var (token, id) in specialIds)
        {
            if (!tokens.TryAdd(id, token))
                throw new TokenizerFormatException($"The tiktoken special token \"{token}\" takes id {id}, which a rank already has.");
        }
        var preTokenizer = new ML.RegexPreTokenizer(new Regex(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant), specialIds);
        using var stream = new MemoryStream(ranks, writable: false);
        var inner = ML.TiktokenTokenizer.Create(stream, preTokenizer, normalizer: null, specialIds);
        var end = specialIds.ContainsKey(MLTokenizer.EndOfTextToken) ? MLTokenizer.EndOfTextToken : null;
        var special = new SpecialTokens(null, null, null, end,
            specialIds.Keys.Where(t => t != end).Order(StringComparer.Ordinal));
        return MLTokenizer.Create(settings.Kind, inner, json, tokens, special);
    }

    public static MLTokenizer WordPiece(MLTokenizerSettings settings, string json)
    {
        var unknown = settings.RequiredString("unknown");
        using var vocabulary = settings.OpenFile("vocab");
        var inner = ML.WordPieceTokenizer.Create(vocabulary, new ML.WordPieceOptions
        {
            UnknownToken = unknown,
            ContinuingSubwordPrefix = settings.RequiredString("prefix"),
        });
        var tokens = LinesById(settings.File("vocab"));
        var special = new SpecialTokens(null, tokens.ContainsValue(unknown) ? unknown : null, null, null);
        return MLTokenizer.Create(settings.Kind, inner, json, tokens, special);
    }

    public static MLTokenizer Bert(MLTokenizerSettings settings, string json)
    {
        using var vocabulary = settings.OpenFile("vocab");
        var inner = ML.BertTokenizer.Create(vocabulary, new ML.BertOptions { LowerCaseBeforeTokenization = settings.Bool("lowercase", true) });
        var tokens = LinesById(settings.File("vocab"));
        var special = new SpecialTokens(inner.PaddingToken, inner.UnknownToken, inner.ClassificationToken, inner.SeparatorToken, [inner.MaskingToken]);
        return MLTokenizer.Create(settings.Kind, inner, json, tokens, special);
    }

    public static MLTokenizer Bpe(MLTokenizerSettings settings, string json)
    {
        var unknown = settings.OptionalString("unknown");
        var tokens = new Dictionary<int, string>();
        using (var document = JsonDocument.Parse(settings.File("vocab")))
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new TokenizerFormatException("The BPE vocabulary must be a JSON object of token ids.");
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!property.Value.TryGetInt32(out var id) || id < 0)
                    throw new TokenizerFormatException($"The BPE vocabulary's token \"{property.Name}\" has no valid id.");
                tokens[id] = property.Name;
            }
        }
        using var vocabulary = settings.OpenFile("vocab");
        using var merges = settings.OpenFile("merges");
        var inner = ML.BpeTokenizer.Create(vocabulary, merges, preTokenizer: null, normalizer: null, specialTokens: null, unknownToken: unknown);
        var special = new SpecialTokens(null, unknown is not null && tokens.ContainsValue(unknown) ? unknown : null, null, null);
        return MLTokenizer.Create(settings.Kind, inner, json, tokens, special);
    }

    /// <summary>A <c>vocab.txt</c>: the token on line N (from 0) has id N.</summary>
    private static Dictionary<int, string> LinesById(byte[] file)
    {
        var tokens = new Dictionary<int, string>();
        var lines = Encoding.UTF8.GetString(file).Split('\n');
        var count = lines.Length > 0 && lines[^1].Length == 0 ? lines.Length - 1 : lines.Length;
        for (var id = 0; id < count; id++)
        {
            tokens[id] = lines[id].TrimEnd('\r');
        }
        return tokens;
    }

    /// <summary>Spells bytes in GPT-2's byte-to-character alphabet, so every byte string is a distinct, printable token.</summary>
    internal static string ByteLevelSpelling(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length);
        foreach (var b in bytes) text.Append(ByteAlphabet[b]);
        return text.ToString();
    }

    private static readonly char[] ByteAlphabet = BuildByteAlphabet();

    private static char[] BuildByteAlphabet()
    {
        var alphabet = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            alphabet[b] = printable ? (char)b : (char)next++;
        }
        return alphabet;
    }
}
