using System.Globalization;
using System.Text;
using System.Text.Json;
using LstmText.IO;
using LstmText.Models;
using LstmText.Training;

namespace LstmText.Cli.Tests;

/// <summary>
/// evaluate on files labelled in other words (--label-map, --drop-label) with the bundled model by default; train-classifier's
/// --keep and the validation that evaluate repeats; calibrate.
/// </summary>
public sealed class EvaluateAndCalibrateCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("lstmtext-cli-eval-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    private string WriteRows(string name, IEnumerable<(string Text, string Label)> rows, Func<string, string>? label = null)
    {
        var tsv = new StringBuilder("text\tlabel\n");
        foreach (var (text, l) in rows) tsv.Append(CultureInfo.InvariantCulture, $"{text}\t{(label ?? (x => x))(l)}\n");
        File.WriteAllText(PathOf(name), tsv.ToString());
        return PathOf(name);
    }

    private static IEnumerable<(string Text, string Label)> Rows(int count = 40, int seed = 3) =>
        ClassifierCommandTests.TinyRows().Take(count).Select(r => (r.Text, r.Label));

    private static JsonElement Json(string output) => JsonDocument.Parse(output).RootElement.Clone();

    private static (int Exit, string Output, string Error) Run(params string[] args) => CommandLine.Run(args);

    [Theory]
    [InlineData("evaluate", "--data is required")]
    [InlineData("evaluate|--corpus|CORPUS", "--model is required with --corpus")]
    [InlineData("evaluate|--model|MODEL|--corpus|CORPUS|--data|DATA", "--corpus scores a language model and --data a classifier")]
    public void Evaluate_says_which_of_data_and_corpus_it_needs(string arguments, string message)
    {
        File.WriteAllText(PathOf("corpus.txt"), "some text to score");
        var data = WriteRows("data.tsv", Rows(4));
        var args = arguments.Split('|').Select(a => a switch
        {
            "CORPUS" => PathOf("corpus.txt"),
            "DATA" => data,
            "MODEL" => PathOf("model.safetensors"),
            _ => a,
        }).ToArray();
        var (exit, output, error) = Run(args);
        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.StartsWith("error: " + message, error);
    }

    [Fact]
    public void Evaluate_maps_and_drops_labels_and_uses_the_bundled_model_by_default()
    {
        string[] reviews = ["a wonderful, moving film", "a dull, boring mess", "great acting and a good story", "the worst film I have seen"];
        string[] truth = ["pos", "neg", "pos", "neg"];
        var tsv = new StringBuilder("text\tlabel\n");
        for (int i = 0; i < reviews.Length; i++) tsv.Append(CultureInfo.InvariantCulture, $"{reviews[i]}\t{truth[i]}\n");
        tsv.Append("it is a film\tneutral\nfilmed in colour\tmixed\n");
        File.WriteAllText(PathOf("public.tsv"), tsv.ToString());
        File.WriteAllText(PathOf("numbers.tsv"), tsv.ToString().Replace("\tpos\n", "\t1\n").Replace("\tneg\n", "\t0\n"));

        var (exit, output, error) = Run("evaluate", "--data", PathOf("public.tsv"), "--label-map", "neg=negative,pos=positive",
            "--drop-label", "neutral", "--drop-label", "mixed", "--json");
        Assert.True(exit == 0, error);
        var mapped = Json(output);
        Assert.Equal(4, mapped.GetProperty("examples").GetInt32());
        Assert.True(mapped.TryGetProperty("ece", out _), output);
        Assert.Contains("dropped 2 rows labelled mixed, neutral", error);

        (exit, output, error) = Run("evaluate", "--data", PathOf("numbers.tsv"), "--label-map", "0=negative,1=positive", "--drop-label", "neutral,mixed", "--json");
        Assert.True(exit == 0, error);
        Assert.Equal(mapped.GetProperty("confusion_matrix").GetRawText(), Json(output).GetProperty("confusion_matrix").GetRawText());

        // The default model is the bundled one, found as classify finds it.
        string bundled = FindBundled();
        (exit, output, error) = Run("evaluate", "--model", bundled, "--data", PathOf("public.tsv"), "--label-map", "neg=negative,pos=positive",
            "--drop-label", "neutral,mixed", "--json");
        Assert.True(exit == 0, error);
        Assert.Equal(mapped.GetRawText(), Json(output).GetRawText());

        (exit, output, error) = Run("evaluate", "--data", PathOf("public.tsv"), "--label-map", "neg=negative,pos=positive");
        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.Equal($"error: {PathOf("public.tsv")}:6: the label 'neutral' is not a class of the model (negative, positive); " +
            "map it with --label-map neutral=CLASS or leave its rows out with --drop-label neutral\nsee: lstmtext evaluate --help", error.Trim());

        (exit, _, error) = Run("evaluate", "--data", PathOf("public.tsv"), "--label-map", "neg=bad,pos=positive");
        Assert.Equal(2, exit);
        Assert.Contains("--label-map neg=bad: 'bad' is not a class of the model (negative, positive)", error);
        (exit, _, error) = Run("evaluate", "--data", PathOf("public.tsv"), "--label-map", "neg");
        Assert.Equal(2, exit);
        Assert.Contains("--label-map must be FILE_LABEL=CLASS pairs", error);
    }

    private static string FindBundled()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "corpora", "sentiment", "sentiment.safetensors");
            if (File.Exists(path)) return path;
        }
        throw new InvalidOperationException("corpora/sentiment/sentiment.safetensors is committed and found above the tests.");
    }

    private static Dictionary<string, float[]> Weights(string path) =>
        ModelFile.Read(path).Tensors.Where(t => !t.Key.StartsWith("training.", StringComparison.Ordinal)).ToDictionary(t => t.Key, t => t.Value.ToArray());

    private string[] TrainArgs(string model, string validation) =>
        ["train-classifier", "--data", WriteRows("train.tsv", Rows()), "--validation", validation, "--out", model, "--embedding", "8", "--hidden", "8",
         "--bidirectional", "--pooling", "max", "--epochs", "8", "--batch-size", "8", "--lr", "0.02", "--seed", "2"];

    [Fact]
    public void Train_classifier_writes_the_best_validations_weights_unless_keep_last()
    {
        // Validation labels the wrong way round: the more the classifier learns, the worse it scores, so its best
        // validation comes early and the last epoch's weights are not the best.
        var inverted = WriteRows("inverted.tsv", Rows(), l => l == "positive" ? "negative" : "positive");
        string model = PathOf("best.safetensors");
        var (exit, _, error) = Run(TrainArgs(model, inverted));
        Assert.True(exit == 0, error);
        Assert.Contains("kept the weights of the best validation (step ", error);
        Assert.Equal(Weights(PathOf("best.best.ckpt.safetensors")), Weights(model));
        Assert.NotEqual(Weights(PathOf("best.last.ckpt.safetensors")), Weights(model));

        string last = PathOf("last.safetensors");
        (exit, _, error) = Run([.. TrainArgs(last, inverted), "--keep", "last"]);
        Assert.True(exit == 0, error);
        Assert.Contains("kept the last weights (step 40), as --keep last asks", error);
        Assert.Equal(Weights(PathOf("last.last.ckpt.safetensors")), Weights(last));

        (exit, _, error) = Run([.. TrainArgs(PathOf("x.safetensors"), inverted), "--keep", "worst"]);
        Assert.Equal(2, exit);
        Assert.Contains("--keep must be best or last, not 'worst'", error);
    }

    [Fact]
    public void Evaluate_on_the_validation_file_scores_what_training_last_scored_with_texts_cut_alike()
    {
        var validation = WriteRows("dev.tsv", ClassifierCommandTests.TinyRows().Skip(20).Select(r => (r.Text + " the film", r.Label)));
        string model = PathOf("cut.safetensors");
        var (exit, _, error) = Run([.. TrainArgs(model, validation), "--max-tokens", "2"]);
        Assert.True(exit == 0, error);
        Assert.Contains("texts are read up to 2 tokens", error);
        var record = TrainingRecord.FromJson(ModelFile.Read(model).Training!);
        Assert.Equal(2, ModelFile.Read(model).Config.Extras!["max_tokens"].GetInt32());

        (exit, var output, error) = Run("evaluate", "--model", model, "--data", validation, "--json");
        Assert.True(exit == 0, error);
        var report = Json(output);
        Assert.Equal(record.ValidationAccuracy!.Value, report.GetProperty("accuracy").GetDouble());
        Assert.Equal(record.ValidationMacroF1!.Value, report.GetProperty("macro_f1").GetDouble(), 12);
        Assert.Equal(record.ValidationEce!.Value, report.GetProperty("ece").GetDouble(), 1e-4);

        (exit, output, error) = Run("evaluate", "--model", model, "--data", validation);
        Assert.True(exit == 0, error);
        Assert.Contains(", ECE ", output);
        Assert.Contains("each text read up to 2 tokens", output);
    }

    [Fact]
    public void Calibrate_fits_the_temperature_on_a_labelled_file_and_writes_a_new_model()
    {
        var validation = WriteRows("dev.tsv", ClassifierCommandTests.TinyRows().Skip(20).Select(r => (r.Text + " so", r.Label)));
        string model = PathOf("m.safetensors");
        var (exit, _, error) = Run([.. TrainArgs(model, validation), "--keep", "last"]);
        Assert.True(exit == 0, error);
        // A held-out file with a third of its labels swapped: the model is over-confident there.
        var noisy = WriteRows("noisy.tsv", ClassifierCommandTests.TinyRows().Select((r, i) => (r.Text, i % 3 == 0 ? (r.Label == "positive" ? "negative" : "positive") : r.Label)));
        string calibrated = PathOf("calibrated.safetensors");
        (exit, var output, error) = Run("calibrate", "--model", model, "--data", noisy, "--out", calibrated);
        Assert.True(exit == 0, error);
        Assert.Empty(output);
        Assert.Matches(@"^temperature [\d.]+ -> [\d.]+ fitted on 40 examples: loss [\d.]+ -> [\d.]+ nats, ECE [\d.]+ -> [\d.]+; reads \d+ tokens; wrote ", error);
        double temperature = ModelFile.Read(calibrated).Config.Extras!["temperature"].GetDouble();
        Assert.True(temperature > 1, $"T = {temperature}");

        double LossOf(string path)
        {
            var (code, json, message) = Run("evaluate", "--model", path, "--data", noisy, "--json");
            Assert.True(code == 0, message);
            return Json(json).GetProperty("loss").GetDouble();
        }
        Assert.True(LossOf(calibrated) < LossOf(model));
        Assert.Equal(Weights(model), Weights(calibrated));

        // --max-tokens changes how much of a text the calibrated model reads, and is kept in its file.
        string longer = PathOf("longer.safetensors");
        (exit, _, error) = Run("calibrate", "--model", model, "--data", noisy, "--out", longer, "--max-tokens", "7");
        Assert.True(exit == 0, error);
        Assert.Contains("reads 7 tokens", error);
        Assert.Equal(7, Models.TextClassifier.Load(longer).MaxTokens);
        Assert.NotEqual(7, Models.TextClassifier.Load(model).MaxTokens);
        (exit, _, error) = Run("calibrate", "--model", model, "--data", noisy, "--out", PathOf("never.safetensors"), "--max-tokens", "0");
        Assert.Equal(2, exit);
        Assert.Contains("--max-tokens must be positive", error);

        (exit, _, error) = Run("calibrate", "--model", model, "--data", noisy, "--out", PathOf("never.safetensors"), "--label-map", "x");
        Assert.Equal(2, exit);
        Assert.False(File.Exists(PathOf("never.safetensors")));
    }
}
