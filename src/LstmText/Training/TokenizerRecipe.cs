using LstmText.Data;
using LstmText.Tokenizers;

namespace LstmText.Training;

/// <summary>
/// How a builder makes its tokenizer, as one line of text kept in training checkpoints: a resumed run compares it with
/// the one asked for and refuses a change instead of silently keeping the checkpoint's tokenizer.
/// </summary>
internal static class TokenizerRecipe
{
    public static string Char(CharTokenizerOptions? options)
    {
        options ??= new CharTokenizerOptions();
        var defaults = new CharTokenizerOptions();
        var parts = new List<string>();
        if (options.Unit != defaults.Unit) parts.Add($"unit {options.Unit}");
        if (options.Normalization != defaults.Normalization) parts.Add($"normalization {options.Normalization}");
        if (options.LowerCase) parts.Add("lower-case");
        AddShared(parts, options.MinimumFrequency, options.MaximumVocabularySize, options.SpecialTokens);
        return Describe("char", parts);
    }

    public static string Word(WordTokenizerOptions? options)
    {
        options ??= new WordTokenizerOptions();
        var parts = new List<string>();
        if (options.Splitting != new WordTokenizerOptions().Splitting) parts.Add($"splitting {options.Splitting}");
        if (options.LowerCase) parts.Add("lower-case");
        if (options.LineBreaksAsEndOfSequence) parts.Add("line breaks as end of sequence");
        AddShared(parts, options.MinimumFrequency, options.MaximumVocabularySize, options.SpecialTokens);
        return Describe("word", parts);
    }

    private static void AddShared(List<string> parts, int minimumFrequency, int maximumVocabularySize, SpecialTokens specials)
    {
        if (minimumFrequency != 1) parts.Add($"minimum frequency {minimumFrequency}");
        if (maximumVocabularySize != int.MaxValue) parts.Add($"at most {maximumVocabularySize} tokens");
        if (!specials.All.SequenceEqual(SpecialTokens.Default.All)) parts.Add($"special tokens [{string.Join(", ", specials.All)}]");
    }

    private static string Describe(string kind, List<string> parts) => parts.Count == 0 ? kind : $"{kind} ({string.Join(", ", parts)})";

    public static string Bpe(int vocabularySize) => $"bpe with {vocabularySize} tokens";

    public static string Given(ITokenizer tokenizer) =>
        $"a given {tokenizer.Kind} tokenizer of {tokenizer.VocabularySize} tokens (fingerprint {Fingerprint(tokenizer.ToJson()):x16})";

    /// <summary>Throws when a checkpoint's recipe is known and differs from the one asked for.</summary>
    /// <exception cref="TrainingException">The recipes differ; the message gives both.</exception>
    public static void RequireSame(string? checkpointRecipe, string? asked, string checkpointPath)
    {
        if (checkpointRecipe is null || asked is null || checkpointRecipe == asked) return;
        throw new TrainingException(
            $"checkpoint {checkpointPath} was trained with another tokenizer: {checkpointRecipe} in the checkpoint, {asked} asked; " +
            "resume with the same tokenizer options, or start a new run without resuming");
    }

    private static ulong Fingerprint(string text) => CorpusIds.Fingerprint(text.Select(c => (int)c).ToArray());
}
