using System.CommandLine;
using LstmText.IO;
using LstmText.Layers;
using LstmText.Models;
using LstmText.Tokenizers;

namespace LstmText.Cli;

/// <summary><c>lstmtext info</c>: describes a model file.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "The model file.", Required = true };
        var command = new Command("info",
            "Show a model's (language model's or classifier's) architecture, parameter count, tokenizer and training record.\n" +
            "Example: lstmtext info --model shakespeare.safetensors")
        {
            model,
        };
        command.SetAction((parse, _) =>
        {
            var output = parse.InvocationConfiguration.Output;
            string path = parse.GetValue(model)!;
            if (ModelFile.Read(path).Config.Kind == TextClassifier.ModelKind)
            {
                var classifier = TextClassifier.Load(path);
                var c = classifier.Architecture;
                output.WriteLine($"kind:         {TextClassifier.ModelKind}");
                output.WriteLine($"classes:      {string.Join(", ", classifier.ClassNames)}");
                output.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"reads:        the first {classifier.MaxTokens} tokens of a text; temperature {classifier.Temperature:0.####}"));
                output.WriteLine($"architecture: embedding {c.EmbeddingSize} → LSTM {c.HiddenSize} × {c.Layers} layers{(c.Bidirectional ? ", bidirectional" : "")} → " +
                    $"{TextClassifierArchitecture.NameOf(c.Pooling)} pooling → head{(c.HeadHiddenSize > 0 ? $" ({c.HeadHiddenSize} hidden)" : "")} → {classifier.ClassNames.Count} classes");
                output.WriteLine($"parameters:   {classifier.ParameterCount:N0}");
                output.WriteLine($"weights:      {WeightsOf(classifier.HasFloatWeights, "head")}");
                output.WriteLine($"tokenizer:    {classifier.Tokenizer.Kind}, {classifier.Tokenizer.VocabularySize} tokens");
                output.WriteLine($"training:     {(classifier.Training is null ? "none recorded" : classifier.Training.ToJson())}");
                return Task.FromResult(0);
            }
            var lm = LanguageModel.Load(path);
            var a = lm.Architecture;
            output.WriteLine($"kind:         {LanguageModelArchitecture.Kind}");
            output.WriteLine($"architecture: embedding {a.EmbeddingSize} → LSTM {a.HiddenSize} × {a.Layers} layers → decoder {a.VocabularySize}");
            output.WriteLine($"dropout:      {a.Dropout} (embedding {a.EmbeddingDropout}){(a.TieWeights ? "; tied embedding and decoder" : "")}");
            output.WriteLine($"parameters:   {lm.ParameterCount:N0}");
            output.WriteLine($"weights:      {WeightsOf(lm.HasFloatWeights, "decoder")}");
            output.WriteLine($"tokenizer:    {lm.Tokenizer.Kind}, {lm.Tokenizer.VocabularySize} tokens");
            output.WriteLine($"training:     {(lm.Training is null ? "none recorded" : lm.Training.ToJson())}");
            return Task.FromResult(0);
        });
        return command;
    }

    private static string WeightsOf(bool hasFloatWeights, string output) => hasFloatWeights
        ? "float32"
        : $"int8 (LSTM and {output} matrices, per-row scales; made by lstmtext quantize), the rest float32";
}
