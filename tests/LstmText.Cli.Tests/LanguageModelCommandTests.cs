using System.Text.Json;

namespace LstmText.Cli.Tests;

/// <summary>train, generate, eval, finetune and info on a tiny corpus, and their one-line errors.</summary>
public sealed class LanguageModelCommandTests : IDisposable
{
    private const string Text =
        "the cat sat on the mat. the dog sat on the log. a cat and a dog met on the mat by the log. " +
        "the cat ran, the dog ran, and the mat and the log stayed where they were. ";

    private readonly string _folder = Directory.CreateTempSubdirectory("lstmtext-cli-lm-").FullName;
    private readonly string _corpus;
    private readonly string _model;

    public LanguageModelCommandTests()
    {
        _corpus = PathOf("corpus.txt");
        File.WriteAllText(_corpus, Text + Text);
        _model = PathOf("tiny.safetensors");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    private void Train()
    {
        var (exit, output, error) = CommandLine.Run("train", "--corpus", _corpus, "--out", _model, "--embedding", "8", "--hidden", "12",
            "--layers", "1", "--max-steps", "4", "--batch-size", "4", "--sequence-length", "10", "--validate-every", "2", "--lr", "0.01");
        Assert.True(exit == 0, error);
        Assert.Empty(output);
        Assert.Contains("trained 4 steps", error);
        Assert.True(File.Exists(_model));
    }

    [Fact]
    public void Generate_without_a_model_uses_the_bundled_shakespeare_model()
    {
        var (exit, output, error) = CommandLine.Run("generate", "--prompt", "ROMEO:", "--max-tokens", "40", "--seed", "3");
        Assert.True(exit == 0, error);
        Assert.Equal(40, output.TrimEnd('\n').Length);
        var (_, again, _) = CommandLine.Run("generate", "--prompt", "ROMEO:", "--max-tokens", "40", "--seed", "3");
        Assert.Equal(output, again);
        var (_, included, _) = CommandLine.Run("generate", "--prompt", "ROMEO:", "--max-tokens", "40", "--seed", "3", "--include-prompt");
        Assert.Equal("ROMEO:" + output, included);
    }

    [Fact]
    public void Word_models_can_split_on_whitespace_and_end_lines_with_eos_as_ptb_needs()
    {
        var corpus = PathOf("ptb-like.txt");
        File.WriteAllText(corpus, string.Concat(Enumerable.Repeat(" the <unk> cat sat \n a dog's mat , too \n", 20)));
        var (exit, _, error) = CommandLine.Run("train", "--tokenizer", "word", "--word-splitting", "whitespace", "--line-breaks-as-eos",
            "--corpus", corpus, "--out", _model, "--embedding", "4", "--hidden", "4", "--layers", "1", "--max-steps", "1",
            "--batch-size", "2", "--sequence-length", "4");
        Assert.True(exit == 0, error);
        var (_, tokens, _) = CommandLine.Run("tokenize", "--model", _model, "--text", "a <unk> mat ,\n", "--inline");
        Assert.Contains(":<unk> ", tokens);   // split on whitespace only: "<unk>" stays one token
        Assert.Contains(":<eos>", tokens);    // the line break
    }

    [Fact]
    public void Train_then_generate_evaluate_info_and_finetune()
    {
        Train();

        var (exit, output, error) = CommandLine.Run("generate", "--model", _model, "--prompt", "the ", "--max-tokens", "12", "--seed", "3", "--include-prompt");
        Assert.True(exit == 0, error);
        Assert.StartsWith("the ", output);
        var (_, again, _) = CommandLine.Run("generate", "--model", _model, "--prompt", "the ", "--max-tokens", "12", "--seed", "3", "--include-prompt");
        Assert.Equal(output, again);

        (exit, output, error) = CommandLine.Run("generate", "--model", _model, "--prompt", "the ", "--max-tokens", "5", "--beams", "3", "--num-samples", "2");
        Assert.True(exit == 0, error);
        Assert.Contains("sample 2", error);

        (exit, output, error) = CommandLine.Run("evaluate", "--model", _model, "--corpus", _corpus, "--json");
        Assert.True(exit == 0, error);
        using (var json = JsonDocument.Parse(output))
        {
            var root = json.RootElement;
            Assert.True(root.GetProperty("loss").GetDouble() > 0);
            Assert.Equal(Math.Exp(root.GetProperty("loss").GetDouble()), root.GetProperty("perplexity").GetDouble(), 6);
            Assert.True(root.GetProperty("bits_per_token").GetDouble() > 0);
            Assert.Equal((Text + Text).Length, root.GetProperty("tokens").GetInt32());
        }
        // `eval`, the command's old name, stays for scripts and gives the same answer.
        var (oldExit, oldOutput, oldError) = CommandLine.Run("eval", "--model", _model, "--corpus", _corpus, "--json");
        Assert.True(oldExit == 0, oldError);
        Assert.Equal(output, oldOutput);

        (exit, output, error) = CommandLine.Run("info", "--model", _model);
        Assert.True(exit == 0, error);
        Assert.Contains("LSTM 12 × 1", output);
        Assert.Contains("parameters", output);
        Assert.Contains("\"steps\":4", output);

        var newCorpus = PathOf("new.txt");
        File.WriteAllText(newCorpus, string.Concat(Enumerable.Repeat("zebras zigzag; the zebra sat on the mat. ", 4)));
        var tuned = PathOf("tuned.safetensors");
        (exit, _, error) = CommandLine.Run("finetune", "--model", _model, "--corpus", newCorpus, "--out", tuned, "--extend-vocab",
            "--max-steps", "2", "--batch-size", "2", "--sequence-length", "8");
        Assert.True(exit == 0, error);
        Assert.Contains("added", error);
        (exit, _, error) = CommandLine.Run("finetune", "--model", _model, "--corpus", newCorpus, "--out", PathOf("unk.safetensors"),
            "--max-steps", "1", "--batch-size", "2", "--sequence-length", "8", "--freeze-embedding");
        Assert.True(exit == 0, error);
        Assert.Contains("map to <unk>", error);
    }

    [Fact]
    public void Bad_input_is_one_line_on_stderr_with_a_non_zero_exit_and_nothing_written()
    {
        File.WriteAllText(PathOf("empty.txt"), "");
        File.WriteAllText(PathOf("short.txt"), "abc");
        File.WriteAllText(PathOf("fake.safetensors"), "not a model at all");
        var cases = new[]
        {
            new[] { "train", "--corpus", PathOf("empty.txt"), "--out", PathOf("a.safetensors") },
            ["train", "--corpus", PathOf("missing.txt"), "--out", PathOf("a.safetensors")],
            ["train", "--corpus", PathOf("short.txt"), "--out", PathOf("a.safetensors")],
            ["eval", "--model", PathOf("fake.safetensors"), "--corpus", PathOf("short.txt")],
            ["info", "--model", PathOf("missing.safetensors")],
            ["generate", "--model", PathOf("fake.safetensors"), "--prompt", "x"],
        };
        foreach (var args in cases)
        {
            var (exit, output, error) = CommandLine.Run(args);
            Assert.True(exit != 0, string.Join(' ', args));
            Assert.Empty(output);
            Assert.StartsWith("error: ", error);
            Assert.Single(error.TrimEnd('\n').Split('\n'));
        }
        Assert.Equal(["corpus.txt", "empty.txt", "fake.safetensors", "short.txt"], Directory.GetFiles(_folder).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Greedy_with_temperature_is_refused()
    {
        Train();
        var (exit, output, error) = CommandLine.Run("generate", "--model", _model, "--prompt", "the", "--greedy", "--temperature", "0.7");
        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.Contains("greedy", error);
        Assert.Contains("temperature", error);
    }

    [Fact]
    public void Every_command_shows_an_example_in_its_help()
    {
        foreach (var command in new[] { "train", "generate", "evaluate", "finetune", "info" })
        {
            var (exit, output, _) = CommandLine.Run(command, "--help");
            Assert.Equal(0, exit);
            Assert.Contains($"Example: lstmtext {command}", output);
        }
    }
}
