using System.CommandLine;
using LstmText.Models;

namespace LstmText.Cli;

/// <summary><c>lstmtext info</c>: describes a model file.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "The model file.", Required = true };
        var command = new Command("info",
            "Show a model's architecture, parameter count, tokenizer and training record.\n" +
            "Example: lstmtext info --model shakespeare.safetensors")
        {
            model,
        };
        command.SetAction((parse, _) => CommandFailure.ReportAsync(parse.InvocationConfiguration.Error, () =>
        {
            var lm = LanguageModel.Load(parse.GetValue(model)!);
            var a = lm.Architecture;
            var output = parse.InvocationConfiguration.Output;
            output.WriteLine($"kind:         {LanguageModelArchitecture.Kind}");
            output.WriteLine($"architecture: embedding {a.EmbeddingSize} → LSTM {a.HiddenSize} × {a.Layers} layers → decoder {a.VocabularySize}");
            output.WriteLine($"dropout:      {a.Dropout} (embedding {a.EmbeddingDropout}){(a.TieWeights ? "; tied embedding and decoder" : "")}");
            output.WriteLine($"parameters:   {lm.ParameterCount:N0}");
            output.WriteLine($"tokenizer:    {lm.Tokenizer.Kind}, {lm.Tokenizer.VocabularySize} tokens");
            output.WriteLine($"training:     {(lm.Training is null ? "none recorded" : lm.Training.ToJson())}");
            return Task.FromResult(0);
        }));
        return command;
    }
}
