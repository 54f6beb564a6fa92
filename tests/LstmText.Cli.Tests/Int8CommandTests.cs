using System.Globalization;
using System.Text.Json;

namespace LstmText.Cli.Tests;

/// <summary><c>--int8</c> on classify, evaluate, generate and eval, with the bundled models: int8 answers close to float ones.</summary>
public sealed class Int8CommandTests
{
    [Fact]
    public void Classify_with_int8_gives_the_float_label_with_a_close_confidence()
    {
        foreach (var text in new[] { "a wonderful, moving film", "a dull, boring mess" })
        {
            var (exit, floatOutput, error) = CommandLine.Run("classify", "--text", text);
            Assert.True(exit == 0, error);
            (exit, var int8Output, error) = CommandLine.Run("classify", "--text", text, "--int8");
            Assert.True(exit == 0, error);
            var (floatLabel, floatConfidence) = Parse(floatOutput);
            var (int8Label, int8Confidence) = Parse(int8Output);
            Assert.Equal(floatLabel, int8Label);
            Assert.InRange(Math.Abs(floatConfidence - int8Confidence), 0, 0.02);
        }
    }

    [Fact]
    public void Eval_with_int8_scores_within_one_percent_of_float()
    {
        string text = File.ReadAllText(Bundled("corpora/shakespeare/input.txt"))[..4000];
        string corpus = Path.Combine(Path.GetTempPath(), $"int8-eval-{Guid.NewGuid():N}.txt");
        File.WriteAllText(corpus, text);
        try
        {
            string model = Bundled("corpora/shakespeare/shakespeare-char.safetensors");
            double Loss(params string[] extra)
            {
                var (exit, output, error) = CommandLine.Run(["eval", "--model", model, "--corpus", corpus, "--json", .. extra]);
                Assert.True(exit == 0, error);
                using var json = JsonDocument.Parse(output);
                return json.RootElement.GetProperty("loss").GetDouble();
            }
            double full = Loss(), int8 = Loss("--int8");
            Assert.NotEqual(full, int8); // the int8 path ran
            Assert.InRange(Math.Abs(int8 - full) / full, 0, 0.01);
        }
        finally
        {
            File.Delete(corpus);
        }
    }

    [Fact]
    public void Generate_with_int8_writes_text()
    {
        var (exit, output, error) = CommandLine.Run("generate", "--prompt", "ROMEO:", "--max-tokens", "40", "--seed", "3", "--int8");
        Assert.True(exit == 0, error);
        Assert.True(output.Trim().Length > 0, "no text was generated");
    }

    [Fact]
    public void Bench_generate_reports_tokens_per_second_and_the_int8_kernel()
    {
        var (exit, output, error) = CommandLine.Run("bench", "generate", "--vocab", "9", "--embedding", "4", "--hidden", "8", "--tokens", "20",
            "--repeat", "1", "--threads", "1", "--int8", "--json");
        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.True(json.RootElement.GetProperty("tokens_per_second").GetDouble() > 0);
        Assert.Contains(json.RootElement.GetProperty("int8_kernel").GetString(), new[] { "avx-vnni", "scalar" });
        Assert.Equal("generate-int8", json.RootElement.GetProperty("mode").GetString());
    }

    private static (string Label, double Confidence) Parse(string output)
    {
        var parts = output.Trim().Split('\t');
        return (parts[0], double.Parse(parts[1], CultureInfo.InvariantCulture));
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
