using System.CommandLine;
using System.Globalization;
using LstmText.IO;
using LstmText.Models;

namespace LstmText.Cli;

/// <summary><c>lstmtext quantize</c>: writes a model's int8 file (int8 matrices with per-row scales), which the inference commands load directly.</summary>
internal static class QuantizeCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "The float model file (a language model or a classifier).", Required = true };
        var output = new Option<string>("--out") { Description = "The int8 model file to write (written atomically).", Required = true };
        var command = new Command("quantize",
            "Write a model with int8 weights: every LSTM, decoder and head matrix as int8 values with one scale per row (as --int8 " +
            "quantizes at load), the rest float. classify, evaluate and generate run such a file in int8 without --int8; it cannot be " +
            "trained further (see docs/performance.md).\n" +
            "Example: lstmtext quantize --model sentiment.safetensors --out sentiment-int8.safetensors")
        {
            model, output,
        };
        command.SetAction((parse, _) =>
        {
            string path = parse.GetValue(model)!, target = parse.GetValue(output)!;
            if (!File.Exists(path)) throw new FileNotFoundException($"the model file {path} does not exist", path);
            if (Path.GetFullPath(target) == Path.GetFullPath(path))
                throw new UsageException($"--out {target} is the model file itself; name another file");
            string kind;
            if (ModelFile.Read(path).Config.Kind == TextClassifier.ModelKind)
            {
                TextClassifier.Load(path).SaveInt8(target);
                kind = "classifier";
            }
            else
            {
                LanguageModel.Load(path).SaveInt8(target);
                kind = "language model";
            }
            long before = new FileInfo(path).Length, after = new FileInfo(target).Length;
            parse.InvocationConfiguration.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote {target}: int8 {kind}, {after:N0} bytes ({path}: {before:N0} bytes, {100.0 * after / before:F0} %)"));
            return Task.FromResult(0);
        });
        return command;
    }
}
