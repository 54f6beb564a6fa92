using LstmText.Models;
using LstmText.Onnx;

namespace LstmText.Cli.Tests;

/// <summary><c>lstmtext export</c>: the ONNX file it writes for each kind of model, and its one-line errors.</summary>
public sealed class ExportCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("lstmtext-cli-export-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string Bundled(string relativePath)
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "LstmText.sln"))) folder = folder.Parent;
        return Path.Combine(folder?.FullName ?? throw new InvalidOperationException("not inside the repository"), relativePath);
    }

    [Fact]
    public void A_classifier_exports_to_the_file_that_the_API_writes()
    {
        string model = Bundled("corpora/sentiment/sentiment.safetensors");
        string target = Path.Combine(_folder, "sentiment.onnx");
        var (exit, output, error) = CommandLine.Run("export", "--model", model, "--format", "onnx", "--out", target);
        Assert.True(exit == 0, error);
        Assert.Empty(output);
        Assert.Contains($"wrote {target}", error);
        Assert.Contains("inputs input_ids, lengths; outputs probabilities", error);
        Assert.Equal(OnnxExport.ToBytes(TextClassifier.Load(model)), File.ReadAllBytes(target));
    }

    [Fact]
    public void A_language_model_exports_beside_itself_by_default_and_can_leave_the_tokenizer_out()
    {
        string model = Path.Combine(_folder, "shakespeare.safetensors");
        File.Copy(Bundled("corpora/shakespeare/shakespeare-char.safetensors"), model);
        var (exit, _, error) = CommandLine.Run("export", "--model", model, "--no-tokenizer");
        Assert.True(exit == 0, error);
        Assert.Contains("language model: inputs input_ids, h0, c0 (optional); outputs logits, hn, cn", error);
        Assert.Equal(OnnxExport.ToBytes(LanguageModel.Load(model), new OnnxExportOptions { IncludeTokenizer = false }),
            File.ReadAllBytes(Path.Combine(_folder, "shakespeare.onnx")));
    }

    [Theory]
    [InlineData(2, "--format must be onnx, not 'tflite'", "--format", "tflite")]
    [InlineData(2, "is the model file itself", "--out", "SELF")]
    [InlineData(1, "does not exist", "--model", "MISSING")]
    [InlineData(1, "not-a-model.safetensors", "--model", "NOT_A_MODEL")]
    public void Bad_options_and_files_fail_with_one_line_and_write_nothing(int expectedExit, string message, string option, string value)
    {
        string model = Path.Combine(_folder, "model.safetensors");
        File.Copy(Bundled("corpora/sentiment/sentiment.safetensors"), model);
        string notAModel = Path.Combine(_folder, "not-a-model.safetensors");
        File.WriteAllText(notAModel, "hello");
        var args = new List<string> { "export", "--model", model, "--out", Path.Combine(_folder, "out.onnx") };
        string argument = value switch
        {
            "SELF" => model,
            "MISSING" => Path.Combine(_folder, "missing.safetensors"),
            "NOT_A_MODEL" => notAModel,
            _ => value,
        };
        int at = args.IndexOf(option);
        if (at < 0) args.AddRange([option, argument]);
        else args[at + 1] = argument;
        var (exit, output, error) = CommandLine.Run(args.ToArray());
        Assert.Equal(expectedExit, exit);
        Assert.Empty(output);
        Assert.StartsWith("error: ", error);
        Assert.Contains(message, error);
        // A usage error adds one hint line naming the command's help.
        Assert.Equal(expectedExit == 2 ? ["see: lstmtext export --help"] : [], error.TrimEnd('\n').Split('\n')[1..]);
        Assert.False(File.Exists(Path.Combine(_folder, "out.onnx")));
        Assert.Equal(["model.safetensors", "not-a-model.safetensors"], Directory.GetFiles(_folder).Select(Path.GetFileName).Order());
    }
}
