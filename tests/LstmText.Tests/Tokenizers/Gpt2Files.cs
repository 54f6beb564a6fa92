using System.Text.Json;
using LstmText.Tokenizers;

namespace LstmText.Tests.Tokenizers;

/// <summary>GPT-2's released tokenizer files and reference encodings, copied into the test fixtures.</summary>
internal static class Gpt2Files
{
    private static readonly Lazy<BpeTokenizer> tokenizer = new(() => BpeTokenizer.LoadOpenAI(EncoderJson, VocabBpe));

    public static string EncoderJson => Path.Combine(AppContext.BaseDirectory, "Fixtures", "gpt2", "encoder.json");

    public static string VocabBpe => Path.Combine(AppContext.BaseDirectory, "Fixtures", "gpt2", "vocab.bpe");

    public static BpeTokenizer Tokenizer => tokenizer.Value;

    /// <summary>Encodings written by tools/fixtures/gpt2_encodings.py from OpenAI's encoder logic.</summary>
    public static IEnumerable<(string Text, int[] Ids)> ReferenceEncodings()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "gpt2-encodings.json")));
        foreach (var item in document.RootElement.GetProperty("encodings").EnumerateArray())
        {
            yield return (item.GetProperty("text").GetString()!, item.GetProperty("ids").EnumerateArray().Select(id => id.GetInt32()).ToArray());
        }
    }
}
