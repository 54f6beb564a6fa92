using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using LstmText.IO;
using LstmText.Models;

namespace LstmText.Cli;

/// <summary><c>lstmtext eval</c>: scores a corpus with a language model.</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "The model file.", Required = true };
        var corpus = new Option<string[]>("--corpus") { Description = "Corpus files or folders, scored as one sequence.", Required = true, AllowMultipleArgumentsPerToken = true };
        var json = new Option<bool>("--json") { Description = "Print one JSON object: loss, perplexity, bits_per_token, tokens, unknown_tokens." };
        var window = new Option<int>("--window") { Description = "Tokens per forward pass (does not change the result).", DefaultValueFactory = _ => 256 };
        var int8 = Int8Option.Create();
        var command = new Command("eval",
            "Score a corpus: loss (nats/token), perplexity and bits per token.\n" +
            "Example: lstmtext eval --model shakespeare.safetensors --corpus valid.txt --json")
        {
            model, corpus, json, window, int8,
        };
        command.SetAction((parse, _) =>
        {
            var lm = LanguageModel.Load(parse.GetValue(model)!);
            if (parse.GetValue(int8)) lm = lm.WithInt8Weights();
            var result = lm.Evaluate(TextCorpus.FromPaths(parse.GetValue(corpus)!), parse.GetValue(window));
            var output = parse.InvocationConfiguration.Output;
            if (result.UnknownTokens > 0)
                parse.InvocationConfiguration.Error.WriteLine(
                    $"warning: {result.UnknownTokens} of the corpus's {result.Tokens} tokens are unknown to the model and were scored as <unk>; " +
                    "the perplexity does not measure how well the model predicts them");
            if (parse.GetValue(json))
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
            return Task.FromResult(0);
        });
        return command;
    }
}
