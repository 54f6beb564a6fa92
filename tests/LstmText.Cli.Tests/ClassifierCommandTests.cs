using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace LstmText.Cli.Tests;

/// <summary>train-classifier, evaluate and classify on a tiny labelled set, and their one-line errors.</summary>
public sealed class ClassifierCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("lstmtext-cli-cls-").FullName;
    private readonly string _data;
    private readonly string _model;

    public ClassifierCommandTests()
    {
        _data = PathOf("reviews.csv");
        var csv = new StringBuilder("id,sentiment,review\n");
        foreach (var (text, label, i) in TinyRows()) csv.Append(CultureInfo.InvariantCulture, $"{i},{label},{text}\n");
        csv.Append("100,positive,\"a good film\nand a good, \"\"great\"\" story\"\n"); // quoted, multi-line, with commas and quotes
        csv.Append("101,negative,\"\"\n");                                            // empty text: reported, skipped
        csv.Append("102,,the film was good\n");                                        // no label: reported, skipped
        File.WriteAllText(_data, csv.ToString());
        _model = PathOf("sentiment.safetensors");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    internal static IEnumerable<(string Text, string Label, int Index)> TinyRows()
    {
        string[] filler = ["the", "film", "was", "a", "plot", "story", "really", "cast", "and", "so"];
        var random = new Random(3);
        for (int i = 0; i < 40; i++)
        {
            bool negative = i % 2 == 0;
            var words = Enumerable.Range(0, 2 + random.Next(4)).Select(_ => filler[random.Next(filler.Length)]).ToList();
            words.Insert(random.Next(words.Count + 1), negative ? "bad" : "good");
            yield return (string.Join(' ', words), negative ? "negative" : "positive", i);
        }
    }

    private void Train()
    {
        var (exit, output, error) = CommandLine.Run("train-classifier", "--data", _data, "--text-column", "review", "--label-column", "sentiment",
            "--out", _model, "--embedding", "8", "--hidden", "8", "--bidirectional", "--epochs", "15", "--batch-size", "8", "--lr", "0.02",
            "--class-weights", "balanced", "--pooling", "max");
        Assert.True(exit == 0, error);
        Assert.Empty(output);
        Assert.Contains("reviews.csv:44: the text is empty (row skipped)", error);
        Assert.Contains("reviews.csv:45: the label is missing (row skipped)", error);
        Assert.Contains("on 37 examples of 2 classes (negative, positive)", error);
        Assert.True(File.Exists(_model));
        Assert.True(File.Exists(PathOf("sentiment.log.jsonl")));
    }

    [Fact]
    public void Train_evaluate_and_classify_files_text_and_latin1()
    {
        Train();

        var (exit, output, error) = CommandLine.Run("evaluate", "--model", _model, "--data", _data, "--text-column", "review", "--label-column", "sentiment", "--json");
        Assert.True(exit == 0, error);
        using (var json = JsonDocument.Parse(output))
        {
            Assert.True(json.RootElement.GetProperty("accuracy").GetDouble() >= 0.8, output);
            Assert.Equal(41, json.RootElement.GetProperty("examples").GetInt32());
            Assert.Equal(2, json.RootElement.GetProperty("confusion_matrix").GetArrayLength());
        }
        (exit, output, error) = CommandLine.Run("evaluate", "--model", _model, "--data", _data, "--text-column", "review", "--label-column", "sentiment");
        Assert.True(exit == 0, error);
        Assert.Contains("macro-F1", output);
        Assert.Contains("confusion matrix", output);
        Assert.Contains("precision", output);

        (exit, output, error) = CommandLine.Run("info", "--model", _model);
        Assert.True(exit == 0, error);
        Assert.Contains("classes:      negative, positive", output);
        Assert.Contains("\"training_examples\":37", output);

        (exit, output, error) = CommandLine.Run("classify", "--model", _model, "--text", "the film was good");
        Assert.True(exit == 0, error);
        Assert.Matches(@"^(positive|negative)\t[01]\.\d{4}\n$", output);

        var labelled = PathOf("labelled.csv");
        (exit, output, error) = CommandLine.Run("classify", "--model", _model, "--input", _data, "--output", labelled, "--text-column", "review");
        Assert.True(exit == 0, error);
        Assert.Empty(output);
        Assert.Contains("classified 43 rows: 42 labelled, 1 errors", error);
        var lines = File.ReadAllText(labelled);
        Assert.StartsWith("id,sentiment,review,label,confidence,p_negative,p_positive,error", lines);
        Assert.Contains("\"a good film\nand a good, \"\"great\"\" story\"", lines);
        Assert.Contains("the text is empty", lines);

        // Latin-1: "café" and "naïve" are one byte each per accented letter.
        var latin1 = PathOf("latin1.csv");
        File.WriteAllBytes(latin1, Encoding.Latin1.GetBytes("label,message\nham,un café très good\nspam,naïve bad\n"));
        var latin1Out = PathOf("latin1-out.csv");
        (exit, _, error) = CommandLine.Run("classify", "--model", _model, "--input", latin1, "--output", latin1Out, "--encoding", "latin1");
        Assert.True(exit == 0, error);
        Assert.Contains("classified 2 rows: 2 labelled, 0 errors", error);
        Assert.Contains("un café très good", File.ReadAllText(latin1Out));
    }

    [Fact]
    public void Word_vocabulary_options_lower_case_and_keep_only_frequent_words()
    {
        var data = PathOf("cased.csv");
        File.WriteAllText(data, "label,text\npositive,Good film GOOD\nnegative,bad film\npositive,good story\n" +
            "negative,Bad plot zebra\npositive,good good\nnegative,bad bad\n");
        var (exit, _, error) = CommandLine.Run("train-classifier", "--data", data, "--out", _model, "--lowercase", "--min-frequency", "2",
            "--max-vocab", "6", "--epochs", "1", "--embedding", "4", "--hidden", "4", "--validation-fraction", "0");
        Assert.True(exit == 0, error);
        // good (5×) and bad (5×) are kept whatever their case; film (2×) loses to them for the last places, zebra (1×) is rare.
        var (_, tokens, _) = CommandLine.Run("tokenize", "--model", _model, "--text", "GOOD Bad zebra film", "--inline");
        Assert.Matches(@"^\d+:good \d+:bad \d+:<unk> \d+:<unk>$", tokens.Trim());
        var (_, _, refused) = CommandLine.Run("train-classifier", "--data", data, "--out", _model, "--min-frequency", "0");
        Assert.Contains("--min-frequency must be at least 1", refused);
    }

    [Fact]
    public void Normalisation_options_are_stored_with_the_model_and_used_when_it_reads_text()
    {
        var data = PathOf("social.tsv");
        File.WriteAllText(data, "label\ttext\npositive\t@ann it's GREAT :) http://x.io\nnegative\tit does n't work :(\n" +
            "positive\tsooo good #fun\nnegative\tbad , bad -lrb- sic -rrb-\n");
        var (exit, _, error) = CommandLine.Run("train-classifier", "--data", data, "--out", _model, "--lowercase", "--normalize", "all",
            "--mark-all-caps", "--unk-dropout", "0.1", "--epochs", "1", "--embedding", "4", "--hidden", "4", "--validation-fraction", "0");
        Assert.True(exit == 0, error);
        var (_, tokens, _) = CommandLine.Run("tokenize", "--model", _model, "--text", "It doesn't work @bob :-( soooo GREAT (www.y.com)", "--inline");
        Assert.Matches(@"^\d+:it \d+:does \d+:n't \d+:work \d+:<user> \d+::\( \d+:soo \d+:<caps> \d+:great \d+:\( \d+:<url> \d+:\)$", tokens.Trim());
        var (_, _, badName) = CommandLine.Run("train-classifier", "--data", data, "--out", _model, "--normalize", "treebank,shouting");
        Assert.Contains("--normalize: 'shouting' is not one of", badName);
        var (refusedExit, _, refused) = CommandLine.Run("train-classifier", "--data", data, "--out", _model, "--unk-dropout", "1");
        Assert.NotEqual(0, refusedExit);
        Assert.Contains("--unk-dropout must be at least 0 and below 1", refused);
    }

    private static double AccuracyOn(string model, string data)
    {
        var (exit, output, error) = CommandLine.Run("evaluate", "--model", model, "--data", data, "--json");
        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        return json.RootElement.GetProperty("accuracy").GetDouble();
    }

    [Fact]
    public void Finetune_classifier_starts_from_the_model_and_learns_the_new_data()
    {
        Train();
        // The same texts with the labels swapped: the trained model gets them wrong, fine-tuning must learn them.
        var flipped = PathOf("flipped.tsv");
        File.WriteAllLines(flipped, ["label\ttext", .. TinyRows().Select(r => $"{(r.Label == "negative" ? "positive" : "negative")}\t{r.Text}")]);
        var original = PathOf("original.tsv");
        File.WriteAllLines(original, ["label\ttext", .. TinyRows().Select(r => $"{r.Label}\t{r.Text}")]);
        Assert.True(AccuracyOn(_model, original) >= 0.9);
        Assert.True(AccuracyOn(_model, flipped) <= 0.1);

        // A learning rate too small to change anything: the result still classifies like the model it started from.
        var barely = PathOf("barely/tuned.safetensors");   // the folder does not exist yet
        var (exit, _, error) = CommandLine.Run("finetune-classifier", "--model", _model, "--data", flipped, "--out", barely,
            "--lr", "1e-9", "--max-steps", "2", "--batch-size", "8");
        Assert.True(exit == 0, error);
        Assert.Contains("fine-tuned 2 steps (max-steps) on 36 examples of 2 classes (negative, positive)", error);
        Assert.True(AccuracyOn(barely, original) >= 0.9);

        var tuned = PathOf("tuned.safetensors");
        (exit, _, error) = CommandLine.Run("finetune-classifier", "--model", _model, "--data", flipped, "--out", tuned,
            "--lr", "0.02", "--epochs", "15", "--batch-size", "8", "--validation-fraction", "0");
        Assert.True(exit == 0, error);
        Assert.True(AccuracyOn(tuned, flipped) >= 0.9);
    }

    [Fact]
    public void Finetune_classifier_refuses_a_label_the_model_does_not_know()
    {
        Train();
        var data = PathOf("neutral.tsv");
        File.WriteAllLines(data, ["label\ttext", "positive\tgood film", "neutral\tthe film", "negative\tbad film"]);
        var (exit, _, error) = CommandLine.Run("finetune-classifier", "--model", _model, "--data", data, "--out", PathOf("x.safetensors"),
            "--validation-fraction", "0");
        Assert.NotEqual(0, exit);
        Assert.Contains("'neutral' (" + data + ":3) is not among the classifier's classes (negative, positive)", error);
    }

    [Fact]
    public void Several_data_files_each_in_its_own_format_train_one_classifier()
    {
        var tsv = PathOf("more.tsv");
        File.WriteAllLines(tsv, ["label\tsentence", .. TinyRows().Select(r => $"{r.Label}\t{r.Text} again"), "\tno label here"]);
        var (exit, _, error) = CommandLine.Run("train-classifier", "--data", _data, tsv, "--out", _model, "--embedding", "8", "--hidden", "8",
            "--epochs", "1", "--validation-fraction", "0");
        Assert.True(exit == 0, error);
        Assert.Contains("reviews.csv:44: the text is empty (row skipped)", error);
        Assert.Contains("more.tsv:42: the label is missing (row skipped)", error);
        Assert.Contains("on 81 examples of 2 classes (negative, positive)", error);   // 41 + 40

        (exit, var output, error) = CommandLine.Run("evaluate", "--model", _model, "--data", _data, tsv, "--json");
        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(81, json.RootElement.GetProperty("examples").GetInt32());
    }

    [Fact]
    public void Train_classifier_resumes_from_its_last_checkpoint()
    {
        string[] common = ["train-classifier", "--data", _data, "--text-column", "review", "--label-column", "sentiment", "--out", _model,
            "--embedding", "8", "--hidden", "8", "--batch-size", "8", "--validate-every", "2", "--seed", "5"];
        var (exit, _, error) = CommandLine.Run([.. common, "--max-steps", "4"]);
        Assert.True(exit == 0, error);
        Assert.Contains("trained 4 steps (max-steps)", error);
        (exit, _, error) = CommandLine.Run([.. common, "--max-steps", "6", "--resume", PathOf("sentiment.last.ckpt.safetensors")]);
        Assert.True(exit == 0, error);
        Assert.Contains("trained 6 steps (max-steps)", error);
        Assert.Equal(3, File.ReadAllLines(PathOf("sentiment.log.jsonl")).Length);
    }

    [Fact]
    public async Task Classify_reads_stdin_and_writes_stdout_in_a_real_process()
    {
        Train();
        var start = new ProcessStartInfo("dotnet", [typeof(LstmTextCommandLine).Assembly.Location, "classify", "--model", _model, "--input", "-", "--output", "-"])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync("text,note\nthe film was good,first\n,empty\nso bad,third\n");
        process.StandardInput.Close();
        var errorTask = process.StandardError.ReadToEndAsync();
        string output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        string error = await errorTask;
        Assert.True(process.ExitCode == 0, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("text,note,label,confidence,p_negative,p_positive", lines[0]);
        Assert.StartsWith("the film was good,first,", lines[1]);
        Assert.Contains("the text is empty", lines[2]);
        Assert.Contains("classified 3 rows: 2 labelled, 1 errors", error);
    }

    [Fact]
    public void Bad_input_gives_one_line_errors_and_a_non_zero_exit()
    {
        Train();
        void AssertFails(string expected, params string[] args)
        {
            var (exit, output, error) = CommandLine.Run(args);
            Assert.NotEqual(0, exit);
            Assert.Empty(output);
            // Data issues (skipped rows) may come first; the failure itself is one line (a usage error adds a "see:" hint).
            var lines = error.TrimEnd('\n').Split('\n').Where(line => !line.StartsWith("skipped: ", StringComparison.Ordinal))
                .Where(line => !(exit == 2 && line.StartsWith("see: lstmtext ", StringComparison.Ordinal))).ToArray();
            Assert.Single(lines);
            Assert.StartsWith("error: ", lines[0]);
            Assert.True(error.Contains(expected, StringComparison.Ordinal), error);
        }

        AssertFails("The columns are: 'id', 'sentiment', 'review'", "train-classifier", "--data", _data, "--text-column", "body", "--label-column", "sentiment", "--out", PathOf("x.safetensors"));
        AssertFails("'stars'", "train-classifier", "--data", _data, "--text-column", "review", "--label-column", "stars", "--out", PathOf("x.safetensors"));
        AssertFails("does not exist", "train-classifier", "--data", PathOf("missing.csv"), "--out", PathOf("x.safetensors"));
        AssertFails("--class-weights", "train-classifier", "--data", _data, "--text-column", "review", "--label-column", "sentiment", "--out", PathOf("x.safetensors"), "--class-weights", "lots");
        AssertFails("no class weight is given for positive", "train-classifier", "--data", _data, "--text-column", "review", "--label-column", "sentiment",
            "--out", PathOf("x.safetensors"), "--class-weights", "negative=2", "--max-steps", "1");
        AssertFails("missing.safetensors", "classify", "--model", PathOf("missing.safetensors"), "--text", "good");
        AssertFails("missing.safetensors", "evaluate", "--model", PathOf("missing.safetensors"), "--data", _data);
        AssertFails("The columns are: 'id', 'sentiment', 'review'", "classify", "--model", _model, "--input", _data, "--output", PathOf("out.csv"), "--text-column", "body");
        Assert.False(File.Exists(PathOf("out.csv")));
        AssertFails("other.csv:2: the label 'neutral' is not a class of the model (negative, positive); map it with --label-map neutral=CLASS",
            "evaluate", "--model", _model, "--data", WriteFile("other.csv", "label,text\nneutral,so so\n"));
        AssertFails("is a 'language-model'", "classify", "--model", TrainTinyLanguageModel(), "--text", "good");
        AssertFails("--input", "classify", "--model", _model);
        if (!BundledModelExists()) AssertFails("corpora/sentiment/sentiment.safetensors", "classify", "--text", "a wonderful, moving film");
    }

    [Fact]
    public void The_bundled_sentiment_model_calls_a_wonderful_moving_film_positive()
    {
        Assert.True(BundledModelExists(), "corpora/sentiment/sentiment.safetensors is committed and copied beside the tool.");
        var (exit, output, error) = CommandLine.Run("classify", "--text", "a wonderful, moving film");
        Assert.True(exit == 0, error);
        Assert.StartsWith("positive\t", output);
        var (_, negative, _) = CommandLine.Run("classify", "--text", "a dull, boring mess");
        Assert.StartsWith("negative\t", negative);
    }

    [Fact]
    public void The_bundled_sentiment_model_reads_capitals_like_small_letters_and_doubts_made_up_words()
    {
        Assert.True(BundledModelExists(), "corpora/sentiment/sentiment.safetensors is committed and copied beside the tool.");
        var (exit, lower, error) = CommandLine.Run("classify", "--text", "a wonderful, moving film");
        Assert.True(exit == 0, error);
        var (_, title, _) = CommandLine.Run("classify", "--text", "A Wonderful, Moving Film");
        Assert.Equal(lower, title);
        var (_, treebank, _) = CommandLine.Run("classify", "--text", "it does n't work -lrb- at all -rrb- .");
        var (_, plain, _) = CommandLine.Run("classify", "--text", "It doesn't work (at all).");
        Assert.Equal(plain, treebank);
        var (_, madeUp, _) = CommandLine.Run("classify", "--text", "zorbly fnargle quimp wuzzle blicket");
        var confidence = double.Parse(madeUp.Split('\t')[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(confidence < 0.7, madeUp);
    }

    [Fact]
    public void Classify_help_says_what_the_bundled_model_was_trained_on_and_how_well_it_does()
    {
        var (exit, output, error) = CommandLine.Run("classify", "--help");
        Assert.True(exit == 0, error);
        var help = System.Text.RegularExpressions.Regex.Replace(output, @"\s+", " ");
        foreach (var expected in new[] { "IMDb", "Maas et al. 2011", "SST-2", "Socher et al. 2013", "UCI", "Kotzias et al. 2015", "corpora/README.md" })
            Assert.Contains(expected, help);
        Assert.Matches(@"SST-2 dev \d+\.\d %, IMDb reviews \d+\.\d %", help);
    }

    private string WriteFile(string name, string text)
    {
        File.WriteAllText(PathOf(name), text);
        return PathOf(name);
    }

    private string TrainTinyLanguageModel()
    {
        var corpus = WriteFile("corpus.txt", string.Concat(Enumerable.Repeat("the film was good and the plot was bad. ", 8)));
        var path = PathOf("lm.safetensors");
        var (exit, _, error) = CommandLine.Run("train", "--corpus", corpus, "--out", path, "--embedding", "8", "--hidden", "8", "--layers", "1",
            "--max-steps", "2", "--batch-size", "2", "--sequence-length", "8");
        Assert.True(exit == 0, error);
        return path;
    }

    private static bool BundledModelExists()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "corpora/sentiment/sentiment.safetensors"))) return true;
        return false;
    }
}
