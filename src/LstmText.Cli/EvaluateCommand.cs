using System.CommandLine;
using System.Globalization;
using LstmText.Models;
using LstmText.Training;
using Spectre.Console;

namespace LstmText.Cli;

/// <summary><c>lstmtext evaluate</c>: scores a classifier on a labelled file (accuracy, per-class metrics, macro-F1, confusion matrix).</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var data = new LabelledDataOptionSet();
        var model = new Option<string>("--model") { Description = "The classifier file.", Required = true };
        var json = new Option<bool>("--json") { Description = "Print one JSON object: accuracy, macro_f1, loss, classes, confusion_matrix." };
        var batchSize = new Option<int>("--batch-size") { Description = "Texts per forward pass.", DefaultValueFactory = _ => TextClassifier.DefaultBatchSize };
        var command = new Command("evaluate",
            "Score a classifier on a labelled file: accuracy, per-class precision/recall/F1, macro-F1 and the confusion matrix.\n" +
            "Example: lstmtext evaluate --model sentiment.safetensors --data test.csv --text-column review --label-column sentiment --json")
        {
            model, json, batchSize,
        };
        data.AddTo(command);
        command.SetAction((parse, _) => CommandFailure.ReportAsync(parse.InvocationConfiguration.Error, () =>
        {
            var classifier = TextClassifier.Load(parse.GetValue(model)!);
            var examples = data.ReadData(parse, parse.InvocationConfiguration.Error);
            if (examples.Count == 0) throw new UsageException($"{string.Join(", ", parse.GetValue(data.Data)!)} holds no labelled example to evaluate");
            var report = classifier.Evaluate(examples, parse.GetValue(batchSize));
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json)) output.WriteLine(report.ToJson());
            else Print(report, output);
            return Task.FromResult(0);
        }));
        return command;
    }

    private static void Print(ClassificationReport report, TextWriter output)
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
            (report.Loss is { } loss ? $", loss {F(loss)} nats" : ""));
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
