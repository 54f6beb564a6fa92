using LstmText.Tokenizers;

namespace LstmText.Training;

/// <summary>
/// How a builder makes its tokenizer, as one line of text kept in training checkpoints: a resumed run compares it with
/// the one asked for and refuses a change instead of silently keeping the checkpoint's tokenizer.
/// </summary>
internal static class TokenizerRecipe
{
    public static string Char(CharTokenizerOptions? options) => "char" + (options is null ? "" : " " + options);

    public static string Word(WordTokenizerOptions? options) => "word " + (options ?? new WordTokenizerOptions());

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
