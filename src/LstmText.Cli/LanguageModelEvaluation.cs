using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using LstmText.Compute;
using LstmText.IO;
using LstmText.Models;
using LstmText.Tokenizers;

namespace LstmText.Cli;

/// <summary>
/// Scores a corpus with a language model, for <c>lstmtext evaluate --corpus</c> and the hidden <c>lstmtext eval</c>
/// (the command's name before 0.3, kept for scripts).
/// </summary>
internal static class LanguageModelEvaluation
{
    /// <summary>The <c>--corpus</c> option: the text a language model is scored on.</summary>
    public static Option<string[]> CorpusOption() =>
        new("--corpus") { Description = "Score a language model on these corpus files or folders, read as one sequence.", AllowMultipleArgumentsPerToken = true };

    /// <summary>The <c>--window</c> option: tokens per forward pass.</summary>
    public static Option<int> WindowOption() =>
        new("--window") { Description = "With --corpus: tokens per forward pass (does not change the result).", DefaultValueFactory = _ => 256 };

    /// <summary>The hidden <c>eval</c> command: <c>evaluate --corpus</c> under its old name.</summary>
    public static Command CreateHiddenAlias()
    {
        var model = new Option<string>("--model") { Description = "The model file.", Required = true };
        var corpus = CorpusOption();
        corpus.Required = true;
        var json = new Option<bool>("--json") { Description = "Print one JSON object: loss, perplexity, bits_per_token, tokens, unknown_tokens." };
        var window = WindowOption();
        var int8 = Int8Option.Create();
        var threads = ThreadsOption.Create();
        var command = new Command("eval", "The old name of `lstmtext evaluate --corpus`.") { model, corpus, json, window, int8, threads };
        command.Hidden = true;
        command.SetAction((parse, _) => Task.FromResult(Run(parse, parse.GetValue(model)!, parse.GetValue(corpus)!, parse.GetValue(json), parse.GetValue(window), parse.GetValue(int8), ThreadsOption.Backend(parse, threads))));
        return command;
    }

    /// <summary>Scores <paramref name="corpus"/> with the language model at <paramref name="modelPath"/> (its weights in int8 when asked) and prints the result.</summary>
    public static int Run(ParseResult parse, string modelPath, string[] corpus, bool json, int window, bool int8, IBackend? backend)
    {
        var lm = LanguageModel.Load(modelPath, backend);
        if (int8) lm = lm.WithInt8Weights();
        var result = lm.Evaluate(TextCorpus.FromPaths(corpus), window);
        var output = parse.InvocationConfiguration.Output;
        if (result.UnknownTokens > 0)
            parse.InvocationConfiguration.Error.WriteLine(
                $"warning: {result.UnknownTokens} of the corpus's {result.Tokens} tokens are unknown to the model and were scored as <unk>; " +
                "the perplexity does not measure how well the model predicts them");
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["loss"] = result.Loss, ["perplexity"] = result.Perplexity, ["bits_per_token"] = result.BitsPerToken, ["tokens"] = result.Tokens,
                ["unknown_tokens"] = result.UnknownTokens,
            }));
        }
        else
        {
            string unit = lm.Tokenizer.Kind == "char" ? "character" : "token";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"loss {result.Loss:F4} nats/{unit}, perplexity {result.Perplexity:F3}, {result.BitsPerToken:F4} bits/{unit}, {result.Tokens} tokens"));
        }
        return 0;
    }
}
