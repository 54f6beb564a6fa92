using System.CommandLine;
using LstmText.Generation;
using LstmText.IO;
using LstmText.Models;
using LstmText.Onnx;

namespace LstmText.Cli;

/// <summary><c>lstmtext export</c>: writes a model in a format other runtimes serve (ONNX).</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "The model file (a language model or a classifier).", Required = true };
        var format = new Option<string>("--format") { Description = "The format to write: onnx.", DefaultValueFactory = _ => "onnx" };
        var output = new Option<string?>("--out") { Description = "The file to write (default: the model's path with the format's extension)." };
        var noTokenizer = new Option<bool>("--no-tokenizer") { Description = "Leave the tokenizer's JSON out of the ONNX metadata." };
        var command = new Command("export",
            "Write a model as ONNX for ONNX Runtime or ML.NET: language models take input_ids (and optional h0, c0) and give logits, hn, cn; " +
            "classifiers take input_ids and lengths and give probabilities (see docs/deployment.md).\n" +
            "Example: lstmtext export --model sentiment.safetensors --format onnx --out sentiment.onnx")
        {
            model, format, output, noTokenizer,
        };
        command.SetAction((parse, _) =>
        {
            string path = parse.GetValue(model)!;
            string kind = parse.GetValue(format)!;
            if (!kind.Equals("onnx", StringComparison.OrdinalIgnoreCase))
                throw new UsageException($"--format must be onnx, not '{kind}'");
            if (!File.Exists(path)) throw new FileNotFoundException($"the model file {path} does not exist", path);
            string target = parse.GetValue(output) ?? Path.ChangeExtension(path, ".onnx");
            if (Path.GetFullPath(target) == Path.GetFullPath(path))
                throw new UsageException($"--out {target} is the model file itself; name another file");
            var options = new OnnxExportOptions { IncludeTokenizer = !parse.GetValue(noTokenizer) };
            string description;
            if (ModelFile.Read(path).Config.Kind == TextClassifier.ModelKind)
            {
                var classifier = TextClassifier.Load(path);
                OnnxExport.Write(classifier, target, options);
                description = $"classifier ({string.Join(", ", classifier.ClassNames)}): inputs {OnnxTensorNames.InputIds}, {OnnxTensorNames.Lengths}; " +
                    $"outputs {OnnxTensorNames.Probabilities}, {OnnxTensorNames.Logits}";
            }
            else
            {
                OnnxExport.Write(LanguageModel.Load(path), target, options);
                description = $"language model: inputs {OnnxTensorNames.InputIds}, {OnnxTensorNames.InitialHidden}, {OnnxTensorNames.InitialCell} (optional); " +
                    $"outputs {OnnxTensorNames.Logits}, {OnnxTensorNames.FinalHidden}, {OnnxTensorNames.FinalCell}";
            }
            parse.InvocationConfiguration.Error.WriteLine($"wrote {target} ({new FileInfo(target).Length:N0} bytes, ONNX opset {OnnxExport.OpsetVersion}), {description}");
            return Task.FromResult(0);
        });
        return command;
    }
}
