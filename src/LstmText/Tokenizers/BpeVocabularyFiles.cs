using System.Text;
using System.Text.Json;

namespace LstmText.Tokenizers;

/// <summary>
/// Reads and writes the two-file BPE format that Hugging Face (<c>vocab.json</c> + <c>merges.txt</c>) and OpenAI
/// (<c>encoder.json</c> + <c>vocab.bpe</c>) share: a JSON object from token to id, and one merge per line.
/// </summary>
internal static class BpeVocabularyFiles
{
    private const string EndOfText = "<|endoftext|>";

    public static BpeTokenizer Read(
        string vocabPath,
        string mergesPath,
        SpecialTokens? specialTokens,
        Func<Vocabulary, IReadOnlyList<(int Left, int Right, int Merged)>, SpecialTokens, BpeTokenizer> create)
    {
        var vocabulary = ReadVocabulary(vocabPath);
        var lines = File.ReadAllLines(mergesPath);
        var firstLine = lines.Length > 0 && lines[0].StartsWith("#version", StringComparison.Ordinal) ? 1 : 0;
        var mergeLines = lines.Skip(firstLine).ToArray();
        var merges = ParseMerges(vocabulary, mergeLines, index => $"{mergesPath} line {index + firstLine + 1}");
        specialTokens ??= vocabulary.Contains(EndOfText)
            ? new SpecialTokens(padding: null, unknown: null, beginOfSequence: EndOfText, endOfSequence: EndOfText)
            : SpecialTokens.None;
        try
        {
            return create(vocabulary, merges, specialTokens);
        }
        catch (ArgumentException e)
        {
            throw new TokenizerFormatException($"{vocabPath}: {e.Message}", e);
        }
    }

    /// <summary>Parses merge lines (<c>"left right"</c>); empty lines are skipped, as a trailing newline makes one.</summary>
    public static List<(int Left, int Right, int Merged)> ParseMerges(Vocabulary vocabulary, IReadOnlyList<string> lines, Func<int, string> where)
    {
        var merges = new List<(int Left, int Right, int Merged)>(lines.Count);
        for (var index = 0; index < lines.Count; index++)
        {
            var line = lines[index];
            if (line.Length == 0)
            {
                continue;
            }
            var space = line.IndexOf(' ');
            if (space <= 0 || space == line.Length - 1 || line.IndexOf(' ', space + 1) >= 0)
            {
                throw new TokenizerFormatException($"{where(index)}: expected two tokens separated by one space, found \"{line}\".");
            }
            var left = line.AsSpan(0, space);
            var right = line.AsSpan(space + 1);
            if (!vocabulary.TryGetId(left, out var leftId))
            {
                throw new TokenizerFormatException($"{where(index)}: the token \"{left}\" is not in the vocabulary.");
            }
            if (!vocabulary.TryGetId(right, out var rightId))
            {
                throw new TokenizerFormatException($"{where(index)}: the token \"{right}\" is not in the vocabulary.");
            }
            var merged = string.Concat(left, right);
            if (!vocabulary.TryGetId(merged, out var mergedId))
            {
                throw new TokenizerFormatException($"{where(index)}: the merged token \"{merged}\" is not in the vocabulary.");
            }
            merges.Add((leftId, rightId, mergedId));
        }
        return merges;
    }

    public static void Write(BpeTokenizer tokenizer, string vocabPath, string mergesPath)
    {
        using (var stream = File.Create(vocabPath))
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            for (var id = 0; id < tokenizer.VocabularySize; id++)
            {
                writer.WriteNumber(tokenizer.TokenOf(id), id);
            }
            writer.WriteEndObject();
        }
        var merges = new StringBuilder("#version: 0.2\n");
        foreach (var (left, right) in tokenizer.Merges)
        {
            merges.Append(left).Append(' ').Append(right).Append('\n');
        }
        File.WriteAllText(mergesPath, merges.ToString(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    }

    private static Vocabulary ReadVocabulary(string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new TokenizerFormatException($"{path} is not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new TokenizerFormatException($"{path} must be a JSON object from token to id.");
            }
            var tokens = new string?[document.RootElement.EnumerateObject().Count()];
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind != JsonValueKind.Number || !property.Value.TryGetInt32(out var id) || id < 0 || id >= tokens.Length)
                {
                    throw new TokenizerFormatException(
                        $"{path}: the id of token \"{property.Name}\" is {property.Value}; ids must be whole numbers from 0 to {tokens.Length - 1}.");
                }
                if (tokens[id] is not null)
                {
                    throw new TokenizerFormatException($"{path}: id {id} belongs to both \"{tokens[id]}\" and \"{property.Name}\".");
                }
                tokens[id] = property.Name;
            }
            var missing = Array.IndexOf(tokens, null);
            if (missing >= 0)
            {
                throw new TokenizerFormatException($"{path}: no token has id {missing} (is a token listed twice?).");
            }
            return new Vocabulary(tokens!);
        }
    }
}
