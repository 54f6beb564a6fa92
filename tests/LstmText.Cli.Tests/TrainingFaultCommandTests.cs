using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using LstmText.IO;

namespace LstmText.Cli.Tests;

/// <summary>
/// Issue 11 as a user meets it: a diverging <c>train</c>, Ctrl+C, <c>--resume</c> with changed options, the console and
/// the log, <c>eval</c> on unknown characters and a model with NaN weights.
/// </summary>
public sealed class TrainingFaultCommandTests : IDisposable
{
    private const string Text =
        "the cat sat on the mat. the dog sat on the log. a cat and a dog met on the mat by the log. " +
        "the cat ran, the dog ran, and the mat and the log stayed where they were. ";

    private readonly string _folder = Directory.CreateTempSubdirectory("lstmtext-cli-faults-").FullName;
    private readonly string _corpus;
    private readonly string _model;

    public TrainingFaultCommandTests()
    {
        _corpus = PathOf("corpus.txt");
        File.WriteAllText(_corpus, Text + Text);
        _model = PathOf("tiny.safetensors");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    private static string[] Train(string corpus, string output, params string[] more) =>
        ["train", "--corpus", corpus, "--out", output, "--embedding", "8", "--hidden", "12", "--layers", "1", "--batch-size", "4",
            "--sequence-length", "10", .. more];

    [Theory]
    [InlineData("1e20")]
    [InlineData("1e6")]
    public void A_diverging_train_says_so_in_one_line_exits_1_and_writes_no_model(string rate)
    {
        var (exit, output, error) = CommandLine.Run(Train(_corpus, _model, "--max-steps", "40", "--validate-every", "2", "--lr", rate));

        Assert.Equal(1, exit);
        Assert.Empty(output);
        string line = Assert.Single(error.TrimEnd('\n').Split('\n'), l => !l.StartsWith("step ", StringComparison.Ordinal));
        Assert.StartsWith("error: training diverged at step ", line);
        Assert.EndsWith("Try a lower learning rate or gradient clipping. (options --lr and --clip)", line);
        Assert.False(File.Exists(_model));
        if (File.Exists(PathOf("tiny.log.jsonl")))
            foreach (var entry in File.ReadAllLines(PathOf("tiny.log.jsonl"))) JsonDocument.Parse(entry).Dispose();
    }

    [Fact]
    public void The_console_and_the_log_give_the_same_epoch_and_training_loss_for_a_validated_step()
    {
        var (exit, _, error) = CommandLine.Run(Train(_corpus, _model, "--max-steps", "12", "--validate-every", "5"));
        Assert.True(exit == 0, error);

        var console = Regex.Matches(error, @"^step (\d+)/\d+ epoch (\d+): loss ([\d.]+), validation", RegexOptions.Multiline)
            .ToDictionary(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), m => (Epoch: int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), Loss: m.Groups[3].Value));
        var log = File.ReadAllLines(PathOf("tiny.log.jsonl")).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal(log.Count, console.Count);
        foreach (var entry in log)
        {
            var shown = console[entry.GetProperty("step").GetInt32()];
            Assert.Equal(shown.Epoch, entry.GetProperty("epoch").GetInt32());
            Assert.Equal(shown.Loss, entry.GetProperty("training_loss").GetDouble().ToString("F4", CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void Resume_with_a_changed_hidden_size_or_tokenizer_is_refused_naming_what_changed()
    {
        var (exit, _, error) = CommandLine.Run(Train(_corpus, _model, "--max-steps", "2", "--validate-every", "2"));
        Assert.True(exit == 0, error);
        string checkpoint = PathOf("tiny.last.ckpt.safetensors");

        var wider = Train(_corpus, _model, "--max-steps", "4", "--resume", checkpoint);
        wider[Array.IndexOf(wider, "--hidden") + 1] = "16";
        var resumed = CommandLine.Run(wider);
        var word = CommandLine.Run([.. Train(_corpus, _model, "--max-steps", "4", "--resume", checkpoint), "--tokenizer", "word", "--lowercase"]);

        Assert.Equal(1, resumed.Exit);
        Assert.Equal($"error: checkpoint {checkpoint} was trained with another architecture: LSTM hidden size 12 in the checkpoint, 16 asked; " +
            "resume with the same options, or start a new run without resuming\n", resumed.Error);
        Assert.Equal(1, word.Exit);
        Assert.Equal($"error: checkpoint {checkpoint} was trained with another tokenizer: char in the checkpoint, word (lower-case) asked; " +
            "resume with the same tokenizer options, or start a new run without resuming\n", word.Error);
    }

    [Fact]
    public async Task Ctrl_c_during_train_writes_the_checkpoint_and_the_out_model_and_exits_130()
    {
        string checkpoint = PathOf("tiny.last.ckpt.safetensors");
        using var cancellation = new CancellationTokenSource();
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        var run = LstmTextCommandLine.Build().Parse(Train(_corpus, _model, "--max-steps", "100000", "--validate-every", "3"))
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellation.Token);
        while (!File.Exists(checkpoint) && !run.IsCompleted) await Task.Delay(10);
        await cancellation.CancelAsync();
        int exit = await run;

        Assert.Equal(130, exit);
        var stopped = Regex.Match(error.ToString(), @"^stopped: training cancelled at step \d+; checkpoint saved to (.+); the model as it stands written to (.+)$",
            RegexOptions.Multiline);
        Assert.True(stopped.Success, error.ToString());
        Assert.Equal(checkpoint, stopped.Groups[1].Value);
        Assert.Equal(_model, stopped.Groups[2].Value);
        var (infoExit, info, infoError) = CommandLine.Run("info", "--model", _model);
        Assert.True(infoExit == 0, infoError);
        Assert.Contains("\"stopped_because\":\"cancelled\"", info);
    }

    [Fact]
    public void Eval_on_text_with_unknown_characters_warns_and_counts_them()
    {
        var (exit, _, error) = CommandLine.Run(Train(_corpus, _model, "--max-steps", "1"));
        Assert.True(exit == 0, error);
        string foreign = PathOf("foreign.txt");
        File.WriteAllText(foreign, "the cat sat. \u00E9t\u00E9 \u00E0 Z\u00FCrich \U0001F600");

        var (plainExit, plain, warning) = CommandLine.Run("eval", "--model", _model, "--corpus", foreign);
        var (jsonExit, json, _) = CommandLine.Run("eval", "--model", _model, "--corpus", foreign, "--json");

        Assert.Equal(0, plainExit);
        Assert.StartsWith("loss ", plain);
        Assert.Equal("warning: 7 of the corpus's 27 tokens are unknown to the model and were scored as <unk>; " +
            "the perplexity does not measure how well the model predicts them\n", warning);
        Assert.Equal(0, jsonExit);
        using var document = JsonDocument.Parse(json);
        Assert.Equal(7, document.RootElement.GetProperty("unknown_tokens").GetInt32());
    }

    [Fact]
    public void A_model_with_a_nan_weight_is_refused_naming_the_tensor()
    {
        var (exit, _, error) = CommandLine.Run(Train(_corpus, _model, "--max-steps", "1"));
        Assert.True(exit == 0, error);
        var file = SafeTensorsFile.Read(_model);
        file.Tensors["decoder.weight"].HostSpan[10] = float.NaN;
        file.Write(_model);

        foreach (var args in new[] { new[] { "generate", "--model", _model, "--prompt", "the", "--max-tokens", "3" }, ["eval", "--model", _model, "--corpus", _corpus] })
        {
            var (badExit, badOutput, badError) = CommandLine.Run(args);
            Assert.Equal(1, badExit);
            Assert.Empty(badOutput);
            Assert.Equal($"error: tensor 'decoder.weight' holds NaN at element 10; a model's weights must be finite numbers " +
                $"(the model was saved after training diverged, or the file is damaged): {_model}\n", badError);
        }
    }
}
