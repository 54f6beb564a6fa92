using LstmText.Data;
using LstmText.IO;
using LstmText.Layers;
using LstmText.Metrics;
using LstmText.Models;
using LstmText.Tokenizers;
using LstmText.Tests.IO;

namespace LstmText.Tests.Training;

/// <summary>The example of docs/classification.md, verbatim between the markers, so the page shows code that runs.</summary>
public sealed class ClassificationDocumentationTests
{
    [Fact]
    public void The_example_runs_and_the_page_shows_it_verbatim()
    {
        using var temporary = new TemporaryFolder();
        var folder = temporary.Path;
        File.WriteAllLines(Path.Combine(folder, "reviews.csv"),
            ["label,text", .. ClassifierTrainerTests.TinySet().Select(e => $"{e.Label},{e.Text}"), "positive,a wonderful film"]);

        // docs: example
        var issues = new DataIssues();
        var examples = LabelledData.Read(Path.Combine(folder, "reviews.csv"), issues).ToList();

        var classifier = TextClassifier.Configure()
            .WordLevel()                                   // or .CharacterLevel(), .Bpe(8192), .Tokenizer(t), .FromLanguageModel(path)
            .Embedding(100).Lstm(128, bidirectional: true).Pooling(SequencePooling.Concat)
            .Train(examples, t => t
                .Epochs(5).BatchSize(32)
                .ValidationFraction(0.1)                   // stratified; or .ValidationExamples(others)
                .BalancedClassWeights()                    // or .ClassWeights(new Dictionary<string, float> { ... })
                .BestBy(ClassificationMetric.MacroF1).EarlyStopping(2)
                .SaveTo(Path.Combine(folder, "sentiment.safetensors")));

        ClassPrediction prediction = classifier.Predict("a wonderful, moving film");
        ClassificationReport report = classifier.Evaluate(examples);
        Console.WriteLine($"{prediction.Label} ({prediction.Confidence:P0}); accuracy {report.Accuracy:P1}, macro-F1 {report.MacroF1:F3}");
        // docs: end

        Assert.Empty(issues);
        Assert.Equal(41, report.Examples);
        Assert.True(File.Exists(Path.Combine(folder, "sentiment.safetensors")));

        var source = File.ReadAllLines(Path.Combine(RepositoryFolder.Root(), "tests/LstmText.Tests/Training/ClassificationDocumentationTests.cs"));
        var code = Between(source, "// docs: example", "// docs: end").Select(line => line.Length >= 8 ? line[8..] : line.TrimStart());
        var page = File.ReadAllText(Path.Combine(RepositoryFolder.Root(), "docs/classification.md")).ReplaceLineEndings("\n");
        Assert.Contains(string.Join("\n", code), page);
    }

    private static IEnumerable<string> Between(string[] lines, string start, string end) =>
        lines.SkipWhile(line => !line.Contains(start, StringComparison.Ordinal)).Skip(1).TakeWhile(line => !line.Contains(end, StringComparison.Ordinal));
}
