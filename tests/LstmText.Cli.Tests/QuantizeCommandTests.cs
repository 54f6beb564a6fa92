namespace LstmText.Cli.Tests;

/// <summary>
/// <c>lstmtext quantize</c> on the bundled models: the int8 file runs in int8 without <c>--int8</c> and answers exactly as
/// <c>--int8</c> on the float file; <c>info</c> says so; training from it is a usage error.
/// </summary>
public sealed class QuantizeCommandTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"quantize-{Guid.NewGuid():N}");

    public QuantizeCommandTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    private string Quantize(string bundled, string name)
    {
        string target = PathOf(name);
        var (exit, _, error) = CommandLine.Run("quantize", "--model", Bundled(bundled), "--out", target);
        Assert.True(exit == 0, error);
        Assert.Contains($"wrote {target}: int8", error);
        Assert.True(new FileInfo(target).Length < new FileInfo(Bundled(bundled)).Length);
        return target;
    }

    [Fact]
    public void A_quantized_classifier_classifies_exactly_as_int8_on_the_float_file_and_info_says_int8()
    {
        string quantized = Quantize("corpora/sentiment/sentiment.safetensors", "sentiment-int8.safetensors");
        string input = PathOf("reviews.tsv");
        File.WriteAllLines(input, ["text", "a wonderful, moving film", "a dull, boring mess", "not bad at all", "the plot was thin but the acting was fine"]);
        var (exit, fromFloat, error) = CommandLine.Run("classify", "--input", input, "--int8");
        Assert.True(exit == 0, error);
        (exit, var fromInt8File, error) = CommandLine.Run("classify", "--model", quantized, "--input", input);
        Assert.True(exit == 0, error);
        Assert.Equal(fromFloat, fromInt8File);
        (exit, var fromFloatWithoutInt8, _) = CommandLine.Run("classify", "--input", input);
        Assert.NotEqual(fromFloatWithoutInt8, fromInt8File); // the file ran in int8 without --int8

        (exit, var info, error) = CommandLine.Run("info", "--model", quantized);
        Assert.True(exit == 0, error);
        Assert.Contains("weights:      int8", info);
        (_, info, _) = CommandLine.Run("info", "--model", Bundled("corpora/sentiment/sentiment.safetensors"));
        Assert.Contains("weights:      float32", info);
    }

    [Fact]
    public void A_quantized_language_model_generates_exactly_as_int8_on_the_float_file()
    {
        string quantized = Quantize("corpora/shakespeare/shakespeare-char.safetensors", "shakespeare-int8.safetensors");
        var (exit, fromFloat, error) = CommandLine.Run("generate", "--prompt", "ROMEO:", "--max-tokens", "60", "--seed", "5", "--int8");
        Assert.True(exit == 0, error);
        (exit, var fromInt8File, error) = CommandLine.Run("generate", "--model", quantized, "--prompt", "ROMEO:", "--max-tokens", "60", "--seed", "5");
        Assert.True(exit == 0, error);
        Assert.Equal(fromFloat, fromInt8File);
    }

    [Fact]
    public void Training_from_a_quantized_file_is_a_usage_error_in_one_line()
    {
        string classifier = Quantize("corpora/sentiment/sentiment.safetensors", "c.safetensors");
        string lm = Quantize("corpora/shakespeare/shakespeare-char.safetensors", "l.safetensors");
        string data = PathOf("data.tsv"), corpus = PathOf("corpus.txt");
        File.WriteAllLines(data, ["label\ttext", "positive\tgood film", "negative\tbad film"]);
        File.WriteAllText(corpus, "To be, or not to be, that is the question.\n");
        foreach (var args in new[]
        {
            new[] { "finetune-classifier", "--model", classifier, "--data", data, "--out", PathOf("x.safetensors") },
            ["finetune", "--model", lm, "--corpus", corpus, "--out", PathOf("y.safetensors")],
            ["train-classifier", "--from-lm", lm, "--data", data, "--out", PathOf("z.safetensors")],
        })
        {
            var (exit, _, error) = CommandLine.Run(args);
            Assert.Equal(2, exit);
            var lines = error.Trim().Split('\n');
            Assert.Equal(2, lines.Length);
            Assert.Contains("holds int8 weights (made by lstmtext quantize), which cannot be trained", lines[0]);
            Assert.StartsWith("see: lstmtext " + args[0], lines[1]);
            Assert.False(File.Exists(args[^1]));
        }
    }

    [Fact]
    public void Bad_arguments_are_named()
    {
        var (exit, _, error) = CommandLine.Run("quantize", "--model", PathOf("missing.safetensors"), "--out", PathOf("q.safetensors"));
        Assert.Equal(1, exit);
        Assert.Contains("missing.safetensors does not exist", error);
        string model = Bundled("corpora/shakespeare/shakespeare-char.safetensors");
        (exit, _, error) = CommandLine.Run("quantize", "--model", model, "--out", model);
        Assert.Equal(2, exit);
        Assert.Contains("is the model file itself", error);
        (exit, _, error) = CommandLine.Run("quantize", "--model", model);
        Assert.Equal(2, exit);
        Assert.Contains("--out", error);
    }

    private static string Bundled(string relativePath)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string path = Path.Combine(dir.FullName, relativePath);
            if (File.Exists(path)) return path;
        }
        throw new FileNotFoundException($"{relativePath} is not above the test's folder.");
    }
}
