using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using LstmText.IO;
using LstmText.Models;
using Spectre.Console;

namespace LstmText.Cli;

/// <summary><c>lstmtext classify</c>: labels every row of a CSV/TSV/JSONL table (or one --text) with a classifier.</summary>
internal static class ClassifyCommand
{
    /// <summary>Where the bundled sentiment model lives, relative to the tool (corpora/sentiment/ in the repository).</summary>
    internal const string BundledModelPath = "corpora/sentiment/sentiment.safetensors";

    /// <summary>What the bundled model is, what it was trained on and how well it does (measured as corpora/README.md says).</summary>
    internal const string BundledModelDescription =
        "Without --model: the bundled English sentiment model (negative/positive), a word-level BiLSTM trained with lstmtext on " +
        "IMDb movie reviews (Maas et al. 2011), SST-2 sentences and phrases (Socher et al. 2013) and the UCI Amazon/Yelp/IMDb " +
        "sentences (Kotzias et al. 2015). Accuracy on data it never saw: SST-2 dev 84.4 %, IMDb reviews 90.7 %, " +
        "UCI review sentences (Amazon, Yelp, IMDb) 86.5 %; confidences calibrated; reads the first 600 tokens. Case-insensitive; reads PTB-tokenised text and social-media marks " +
        "(@mentions, URLs, #hashtags, emoticons) like plain text. Not measured on tweets. Details: corpora/README.md.";

    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = $"The classifier file (default: the bundled {BundledModelPath}, English sentiment; see below)." };
        var input = new Option<string?>("--input") { Description = "The table to label: CSV, TSV, JSONL or Parquet, or - for stdin." };
        var output = new Option<string?>("--output") { Description = "Where to write the labelled table (same format), or - for stdout.", DefaultValueFactory = _ => "-" };
        var text = new Option<string?>("--text") { Description = "Classify this one text instead of a table; prints label and confidence." };
        var textColumn = new Option<string?>("--text-column") { Description = "The text column, by header name or 0-based index (default: text, review, sentence or message)." };
        var format = new Option<string?>("--format") { Description = "csv, tsv, jsonl or parquet (default: from the extension; csv for stdin)." };
        var delimiter = new Option<string?>("--delimiter") { Description = "The CSV/TSV field separator (one character; \\t for a tab)." };
        var noHeader = new Option<bool>("--no-header") { Description = "The CSV/TSV input has no header row (columns are named 0, 1, ...)." };
        var encoding = new Option<string?>("--encoding") { Description = "Input encoding: utf-8 (default), latin1 or windows-1252." };
        var batchSize = new Option<int>("--batch-size") { Description = "Rows read and classified at a time (memory holds one batch).", DefaultValueFactory = _ => 64 };
        var batchTokens = EvaluateCommand.BatchTokensOption();
        var int8 = Int8Option.Create();
        var threads = ThreadsOption.Create();
        var command = new Command("classify",
            "Label every row of a table with a classifier: the input columns stay as they are, then label, confidence and p_<class>; " +
            "a row that cannot be classified keeps its place with an error. A summary goes to stderr. Each text is read as the " +
            "model was trained: its first max_tokens tokens (see lstmtext info), the rest is not read.\n" +
            "Example: lstmtext classify --model sentiment.safetensors --input reviews.csv --output labelled.csv\n" +
            BundledModelDescription)
        {
            model, input, output, text, textColumn, format, delimiter, noHeader, encoding, batchSize, batchTokens, int8, threads,
        };
        command.SetAction((parse, cancellation) => Task.Run(() =>
        {
            var error = parse.InvocationConfiguration.Error;
            var stdout = parse.InvocationConfiguration.Output;
            if (parse.GetValue(text) is null && parse.GetValue(input) is null) throw new UsageException("give --input FILE (or - for stdin) or --text \"...\"");
            if (parse.GetValue(text) is { } given && string.IsNullOrWhiteSpace(given)) throw new UsageException("--text is empty; give the text to classify");
            int batch = parse.GetValue(batchSize);
            if (batch < 1) throw new UsageException($"--batch-size must be at least 1, not {batch}");
            int tokens = EvaluateCommand.PositiveValue(parse, batchTokens);
            string path = parse.GetValue(model) ?? BundledModel.Find(BundledModelPath, " (it has not been trained yet; pass --model)");
            var classifier = TextClassifier.Load(path, ThreadsOption.Backend(parse, threads));
            if (parse.GetValue(int8)) classifier = classifier.WithInt8Weights();
            if (parse.GetValue(text) is { } single)
            {

                var prediction = classifier.Predict(single);
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{prediction.Label}\t{prediction.Confidence:F4}"));
                return 0;
            }
            if (ParquetTables.Applies(parse.GetValue(format), parse.GetValue(input)!))
                return ParquetTables.Classify(parse, classifier, parse.GetValue(input)!, parse.GetValue(output)!, parse.GetValue(textColumn), batch, cancellation);
            var read = new TableReadOptions
            {
                Format = parse.GetValue(format) is { } f ? ParseFormat(f) : parse.GetValue(input) == TableReader.StandardStream ? TableFormat.Csv : null,
                Delimiter = parse.GetValue(delimiter) is { } d ? LabelledDataOptionSet.ParseDelimiter(d) : null,
                HasHeader = !parse.GetValue(noHeader),
                Encoding = parse.GetValue(encoding) is { } e ? LabelledDataOptionSet.EncodingNamed(e) : null,
            };
            var column = parse.GetValue(textColumn) is { } c ? LstmText.IO.TableColumn.Parse(c) : null;
            IReadOnlyList<ClassPrediction> Classify(IReadOnlyList<string> texts)
            {
                cancellation.ThrowIfCancellationRequested();
                return classifier.PredictBatch(texts, TextClassifier.DefaultBatchSize, tokens);
            }
            string inputPath = parse.GetValue(input)!, outputPath = parse.GetValue(output)!;
            TableClassificationSummary summary;
            if (outputPath == TableReader.StandardStream)
            {
                using var reader = TableReader.Open(inputPath, read);
                summary = TableClassification.Run(reader, stdout, classifier.ClassNames, Classify, column, batch);
                stdout.Flush();
            }
            else
            {
                var options = new TableClassificationOptions { Input = read, TextColumn = column, BatchSize = batch };
                summary = WithProgress(error, progress => TableClassification.Run(inputPath, outputPath, classifier.ClassNames, Classify, options, progress));
            }
            error.WriteLine($"classified {summary.Rows} rows: {summary.Classified} labelled, {summary.Errors} errors");
            foreach (var issue in summary.FirstErrors) error.WriteLine($"row error: {issue}");
            if (summary.Errors > summary.FirstErrors.Count) error.WriteLine($"row error: … and {summary.Errors - summary.FirstErrors.Count} more");
            return 0;
        }, CancellationToken.None));
        return command;
    }

    private static TableFormat ParseFormat(string name) => name.ToLowerInvariant() switch
    {
        "csv" => TableFormat.Csv,
        "tsv" => TableFormat.Tsv,
        "jsonl" or "ndjson" => TableFormat.JsonLines,
        _ => throw new UsageException($"--format must be csv, tsv or jsonl, not '{name}'"),
    };

    /// <summary>Runs the classification with a progress line (rows and rows/s) on stderr when stderr is a terminal.</summary>
    internal static TableClassificationSummary WithProgress(TextWriter error, Func<IProgress<TableClassificationSummary>?, TableClassificationSummary> run)
    {
        bool terminal = ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected;
        if (!terminal) return run(null);
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        TableClassificationSummary summary = null!;
        console.Progress()
            .Columns(new TaskDescriptionColumn(), new SpinnerColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask("classifying");
                task.IsIndeterminate = true;
                summary = run(new RowProgress(task, Stopwatch.StartNew()));
            });
        return summary;
    }

    private sealed class RowProgress(ProgressTask task, Stopwatch clock) : IProgress<TableClassificationSummary>
    {
        public void Report(TableClassificationSummary value) =>
            task.Description = string.Create(CultureInfo.InvariantCulture,
                $"{value.Rows:N0} rows, {value.Errors:N0} errors, {value.Rows / Math.Max(1e-9, clock.Elapsed.TotalSeconds):N0} rows/s");
    }
}
