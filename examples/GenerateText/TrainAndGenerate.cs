using System.Globalization;
using LstmText.IO;
using LstmText.Layers;
using LstmText.Models;

namespace GenerateText;

/// <summary>
/// Trains a character-level LSTM on a text file and generates from it, using only the fluent API.
/// Usage: GenerateText CORPUS.txt [PROMPT] [STEPS] [HIDDEN]
/// </summary>
public static class TrainAndGenerate
{
    /// <summary>Runs the example; generated text goes to <paramref name="output"/>, progress to <paramref name="log"/>.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter log)
    {
        if (args.Length == 0)
        {
            await log.WriteLineAsync("usage: GenerateText CORPUS.txt [PROMPT] [STEPS] [HIDDEN]");
            return 2;
        }
        string prompt = args.Length > 1 ? args[1] : "ROMEO:";
        int steps = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2000;
        int hidden = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 256;

        var model = LanguageModel.Configure()
            .CharacterLevel()
            .Embedding(Math.Min(64, hidden))
            .Lstm(hidden, layers: 2)
            .Dropout(0.1)
            .Train(TextCorpus.FromFile(args[0]), t => t
                .MaxSteps(steps)
                .BatchSize(Math.Min(32, hidden))
                .SequenceLength(Math.Min(64, hidden))
                .ValidationFraction(0.1)
                .ValidateEvery(Math.Max(1, steps / 4)));
        await log.WriteLineAsync($"{model}; validation loss {model.Training?.ValidationLoss:F3} nats/char");

        await output.WriteAsync(prompt);
        await foreach (var piece in model.GenerateStreamingAsync(prompt, g => g.Temperature(0.8f).TopP(0.95f).MaxTokens(200).Seed(1)))
            await output.WriteAsync(piece);
        await output.WriteLineAsync();
        return 0;
    }
}
