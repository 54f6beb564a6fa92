using System.CommandLine;
using System.Globalization;
using LabelledExample = LstmText.Data.LabelledExample;
using LstmText.Compute;
using LstmText.Metrics;
using LstmText.Models;
using Spectre.Console;

namespace LstmText.Cli;

/// <summary>
/// <c>lstmtext evaluate</c>: scores a classifier on a labelled file (accuracy, per-class metrics, macro-F1, confusion matrix),
/// or a language model on a corpus (<c>--corpus</c>: loss, perplexity, bits per token).
/// </summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var data = new LabelledDataOptionSet();
        var labels = new LabelMappingOptionSet();
        var model = new Option<string?>("--model") { Description = $"The classifier file (default: the bundled {ClassifyCommand.BundledModelPath})." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object: accuracy, macro_f1, loss, ece, classes, confusion_matrix." };
        var batchSize = new Option<int>("--batch-size") { Description = "Texts per forward pass.", DefaultValueFactory = _ => TextClassifier.DefaultBatchSize };
        var batchTokens = BatchTokensOption();
        var corpus = LanguageModelEvaluation.CorpusOption();
        var window = LanguageModelEvaluation.WindowOption();
        var int8 = Int8Option.Create();
        var threads = ThreadsOption.Create();
        var command = new Command("evaluate",
            "Score a classifier on a labelled file (--data): accuracy, macro-F1, the expected calibration error (ECE, 15 bins), per-class " +
            "precision/recall/F1 and the confusion matrix; texts are read as the model was trained (its first max_tokens tokens). " +
            "Or score a language model on a corpus (--corpus): loss (nats/token), perplexity and bits per token.\n" +
            "Example: lstmtext evaluate --data test.tsv --label-map 0=negative,1=positive --drop-label neutral --json\n" +
            "Example: lstmtext evaluate --model shakespeare.safetensors --corpus valid.txt --json")
        {
            model, json, batchSize, batchTokens, corpus, window, int8, threads,
        };
        data.AddTo(command);
        data.Data.Required = false;
        labels.AddTo(command);
        command.SetAction((parse, _) =>
        {
            if (parse.GetResult(corpus) is not null)
            {
                if (parse.GetResult(data.Data) is not null)
                    throw new UsageException("--corpus scores a language model and --data a classifier: give one of them");
                string languageModel = parse.GetValue(model) ?? throw new UsageException("--model is required with --corpus: name the language model to score");
                return Task.FromResult(LanguageModelEvaluation.Run(parse, languageModel, parse.GetValue(corpus)!, parse.GetValue(json), parse.GetValue(window), parse.GetValue(int8), ThreadsOption.Backend(parse, threads)));
            }
            if (parse.GetResult(data.Data) is null)
                throw new UsageException("--data is required: the labelled file to score the classifier on (or --corpus to score a language model)");
            var error = parse.InvocationConfiguration.Error;
            var (classifier, examples) = ReadModelAndData(parse, model, data, labels, error, "evaluate", ThreadsOption.Backend(parse, threads));
            if (parse.GetValue(int8)) classifier = classifier.WithInt8Weights();
            var report = classifier.Evaluate(examples, PositiveValue(parse, batchSize), PositiveValue(parse, batchTokens));
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json)) output.WriteLine(report.ToJson());
            else Print(report, classifier, output);
            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary>The <c>--batch-tokens</c> option of the commands that run a classifier over many texts.</summary>
    internal static Option<int> BatchTokensOption() => new("--batch-tokens")
    {
        Description = "At most this many tokens per forward pass (rows × the longest row): a batch of long texts holds fewer rows.",
        DefaultValueFactory = _ => TextClassifier.DefaultBatchTokens,
    };

    /// <summary>The value of a count option, which must be at least 1.</summary>
    internal static int PositiveValue(ParseResult parse, Option<int> option)
    {
        int value = parse.GetValue(option);
        if (value < 1) throw new UsageException($"{option.Name} must be at least 1, not {value}");
        return value;
    }

    /// <summary>
    /// Loads the classifier (<c>--model</c>, or the bundled one) and reads the labelled examples with their labels mapped
    /// and dropped as asked; fails when none is left.
    /// </summary>
    internal static (TextClassifier Classifier, IReadOnlyList<LabelledExample> Examples) ReadModelAndData(ParseResult parse, Option<string?> model,
        LabelledDataOptionSet data, LabelMappingOptionSet labels, TextWriter error, string verb, IBackend? backend)
    {
        string path = parse.GetValue(model) ?? BundledModel.Find(ClassifyCommand.BundledModelPath, " (pass --model)");
        var classifier = TextClassifier.Load(path, backend);
        var examples = labels.Apply(parse, data.ReadData(parse, error), classifier.ClassNames, error);
        if (examples.Count == 0) throw new UsageException($"{string.Join(", ", parse.GetValue(data.Data)!)} holds no labelled example to {verb}");
        return (classifier, examples);
    }

    private static void Print(ClassificationReport report, TextClassifier classifier, TextWriter output)
    {
        bool terminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        string F(double value) => value.ToString("F4", CultureInfo.InvariantCulture);
        console.WriteLine($"examples {report.Examples}, accuracy {F(report.Accuracy)}, macro-F1 {F(report.MacroF1)}" +
            (report.ExpectedCalibrationError is { } ece ? $", ECE {F(ece)}" : "") +
            (report.Loss is { } loss ? $", loss {F(loss)} nats" : ""));
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"temperature {classifier.Temperature:0.####}; each text read up to {classifier.MaxTokens} tokens"));
        var metrics = new Table().AddColumns("class", "precision", "recall", "F1", "support");
        foreach (var c in report.Classes)
            metrics.AddRow(Markup.Escape(c.Name), F(c.Precision), F(c.Recall), F(c.F1), c.Support.ToString(CultureInfo.InvariantCulture));
        console.Write(metrics);
        var confusion = new Table().Title("confusion matrix (rows: true class, columns: predicted)").AddColumn("true \\ predicted");
        foreach (var name in report.ClassNames) confusion.AddColumn(new TableColumn(Markup.Escape(name)).RightAligned());
        for (int r = 0; r < report.ClassNames.Count; r++)
            confusion.AddRow([Markup.Escape(report.ClassNames[r]), .. report.ConfusionMatrix[r].Select(n => n.ToString(CultureInfo.InvariantCulture))]);
        console.Write(confusion);
    }
}
