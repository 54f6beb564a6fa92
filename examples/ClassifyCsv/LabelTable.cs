using LstmText.IO;
using LstmText.Models;

namespace ClassifyCsv;

/// <summary>
/// Labels every row of a CSV with a classifier through the fluent API: the input columns stay, then label,
/// confidence and one probability per class; rows that cannot be classified keep their place with an error.
/// Usage: ClassifyCsv INPUT.csv OUTPUT.csv [MODEL] [TEXT_COLUMN]
/// (MODEL defaults to the bundled corpora/sentiment/sentiment.safetensors.)
/// </summary>
public static class LabelTable
{
    /// <summary>The bundled sentiment model, relative to the repository.</summary>
    public const string BundledModel = "corpora/sentiment/sentiment.safetensors";

    /// <summary>Runs the example; the summary goes to <paramref name="log"/>.</summary>
    public static int Run(string[] args, TextWriter log)
    {
        if (args.Length < 2)
        {
            log.WriteLine("usage: ClassifyCsv INPUT.csv OUTPUT.csv [MODEL] [TEXT_COLUMN]");
            return 2;
        }
        string model = args.Length > 2 ? args[2] : BundledModel;
        if (!File.Exists(model))
        {
            log.WriteLine($"the model {model} does not exist; train one with lstmtext train-classifier and pass it");
            return 1;
        }
        var classifier = TextClassifier.Load(model);
        var summary = TableClassification.Run(args[0], args[1], classifier.ClassNames, texts => classifier.PredictBatch(texts),
            new TableClassificationOptions { TextColumn = args.Length > 3 ? TableColumn.Parse(args[3]) : null });
        log.WriteLine($"{summary.Rows} rows: {summary.Classified} labelled as {string.Join("/", classifier.ClassNames)}, {summary.Errors} errors");
        foreach (var error in summary.FirstErrors) log.WriteLine($"  {error}");
        return 0;
    }
}
