using System.CommandLine;
using LstmText.Generation;
using LstmText.Models;

namespace LstmText.Cli;

/// <summary><c>lstmtext generate</c>: writes text from a language model; stdout carries only the generated text.</summary>
internal static class GenerateCommand
{
    /// <summary>Where the bundled model lives, relative to the tool (corpora/shakespeare/ in the repository).</summary>
    internal const string BundledModelPath = "corpora/shakespeare/shakespeare-char.safetensors";

    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = $"The model file (default: the bundled {BundledModelPath})." };
        var prompt = new Option<string>("--prompt") { Description = "Text to continue.", DefaultValueFactory = _ => "" };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Tokens to generate at most.", DefaultValueFactory = _ => 200 };
        var seed = new Option<ulong?>("--seed") { Description = "Random seed, for repeatable output." };
        var stop = new Option<string[]>("--stop") { Description = "Stop when this text appears (repeatable).", AllowMultipleArgumentsPerToken = false };
        var samples = new Option<int>("--num-samples") { Description = "Samples to generate together (with --beams: best beams to print).", DefaultValueFactory = _ => 1 };
        var greedy = new Option<bool>("--greedy") { Description = "Always take the likeliest token." };
        var temperature = new Option<float?>("--temperature") { Description = "Sampling temperature." };
        var topK = new Option<int?>("--top-k") { Description = "Sample among the k likeliest tokens." };
        var topP = new Option<float?>("--top-p") { Description = "Nucleus sampling mass." };
        var minP = new Option<float?>("--min-p") { Description = "Keep tokens at least this fraction as likely as the top one." };
        var repetition = new Option<float?>("--repetition-penalty") { Description = "Penalise tokens already present (e.g. 1.2)." };
        var ngram = new Option<int?>("--no-repeat-ngram") { Description = "Never repeat an n-gram of this size." };
        var beams = new Option<int>("--beams") { Description = "Beam search with N beams.", DefaultValueFactory = _ => 1 };
        var lengthPenalty = new Option<float>("--length-penalty") { Description = "Beam score = log p / length^x.", DefaultValueFactory = _ => 1f };
        var noEarlyStopping = new Option<bool>("--no-early-stopping") { Description = "Beam search: run to --max-tokens even when enough beams finished." };
        var includePrompt = new Option<bool>("--include-prompt") { Description = "Print the prompt before the generated text." };
        var int8 = Int8Option.Create();
        var threads = ThreadsOption.Create();
        var command = new Command("generate",
            "Generate text from a language model; only the text goes to stdout.\n" +
            "Example: lstmtext generate --model shakespeare.safetensors --prompt \"ROMEO:\" --temperature 0.8 --top-p 0.95 --max-tokens 400")
        {
            model, prompt, maxTokens, seed, stop, samples, greedy, temperature, topK, topP, minP, repetition, ngram, beams, lengthPenalty,
            noEarlyStopping, includePrompt, int8, threads,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            string path = parse.GetValue(model) ?? FindBundledModel();
            var lm = LanguageModel.Load(path, ThreadsOption.Backend(parse, threads));
            if (parse.GetValue(int8)) lm = lm.WithInt8Weights();
            void Configure(GenerationSettings g)
            {
                g.MaxTokens(parse.GetValue(maxTokens)).Samples(parse.GetValue(samples)).Beams(parse.GetValue(beams))
                    .LengthPenalty(parse.GetValue(lengthPenalty)).EarlyStopping(!parse.GetValue(noEarlyStopping));
                if (parse.GetValue(seed) is { } s) g.Seed(s);
                if (parse.GetValue(stop) is { Length: > 0 } stops) g.Stop(stops);
                if (parse.GetValue(greedy)) g.Greedy();
                if (parse.GetValue(temperature) is { } t) g.Temperature(t);
                if (parse.GetValue(topK) is { } k) g.TopK(k);
                if (parse.GetValue(topP) is { } p) g.TopP(p);
                if (parse.GetValue(minP) is { } m) g.MinP(m);
                if (parse.GetValue(repetition) is { } r) g.RepetitionPenalty(r);
                if (parse.GetValue(ngram) is { } n) g.NoRepeatNgram(n);
            }
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            string text = parse.GetValue(prompt)!;
            bool streaming = parse.GetValue(samples) == 1 && parse.GetValue(beams) == 1;
            if (streaming)
            {
                var pieces = lm.GenerateStreamingAsync(text, Configure, cancellation);
                await using var enumerator = pieces.GetAsyncEnumerator(cancellation);
                bool any = await enumerator.MoveNextAsync(); // settings and prompt are checked before anything is printed
                if (parse.GetValue(includePrompt)) await output.WriteAsync(text);
                while (any)
                {
                    await output.WriteAsync(enumerator.Current);
                    await output.FlushAsync(cancellation);
                    any = await enumerator.MoveNextAsync();
                }
                await output.WriteLineAsync();
                return 0;
            }
            var results = lm.GenerateAll(text, Configure);
            for (int i = 0; i < results.Count; i++)
            {
                if (i > 0) await output.WriteLineAsync();
                await output.WriteLineAsync((parse.GetValue(includePrompt) ? text : "") + results[i].Text);
                await error.WriteLineAsync($"sample {i + 1}: log p {results[i].LogProbability:F3}, {results[i].TokenIds.Count} tokens, finished by {results[i].FinishReason}");
            }
            return 0;
        });
        return command;
    }

    private static string FindBundledModel() => BundledModel.Find(BundledModelPath, "");
}
