using System.Globalization;
using LstmText.Data;
using LstmText.IO;
using LstmText.Layers;
using LstmText.Metrics;
using LstmText.Models;

namespace SpamFilter;

/// <summary>
/// Trains a spam filter on a <c>label,text</c> CSV (the classic SMS spam collection is Latin-1 encoded), then labels
/// new messages, using only the fluent API.
/// Usage: SpamFilter DATA.csv [EPOCHS] [MESSAGE...]
/// </summary>
public static class TrainAndFilter
{
    /// <summary>Runs the example; one line per message goes to <paramref name="output"/>, data issues and scores to <paramref name="log"/>.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter log)
    {
        if (args.Length == 0)
        {
            await log.WriteLineAsync("usage: SpamFilter DATA.csv [EPOCHS] [MESSAGE...]");
            return 2;
        }
        int epochs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
        string[] messages = args.Length > 2 ? args[2..] :
            ["WINNER!! Claim your free prize now, call 0800 123 456", "Are we still on for lunch tomorrow?"];

        // Column 0 is the label and column 1 the text, whatever the header calls them.
        var issues = new DataIssues();
        var examples = LabelledData.Read(args[0], issues, new LabelledDataOptions
        {
            Encoding = TextCorpus.EncodingNamed("latin1"),
            LabelColumn = TableColumn.AtIndex(0),
            TextColumn = TableColumn.AtIndex(1),
        }).ToList();
        foreach (var issue in issues) await log.WriteLineAsync($"skipped: {issue}");

        var filter = TextClassifier.Configure()
            .CharacterLevel()
            .Embedding(32)
            .Lstm(64, bidirectional: true)
            .Pooling(SequencePooling.Concat)
            .Train(examples, t => t
                .Epochs(epochs)
                .BatchSize(32)
                .LearningRate(3e-3f)
                .TruncateTo(300)
                .BalancedClassWeights()          // spam is rare: weigh it up
                .ValidationFraction(0.1)
                .BestBy(ClassificationMetric.MacroF1));
        var record = filter.Training!;
        await log.WriteLineAsync($"trained on {record.TrainingExamples} messages; validation accuracy {record.ValidationAccuracy:F3}, macro-F1 {record.ValidationMacroF1:F3}");

        foreach (var (message, prediction) in messages.Zip(filter.PredictBatch(messages)))
            await output.WriteLineAsync($"{prediction.Label}\t{prediction.Confidence:F3}\t{message}");
        return 0;
    }
}
