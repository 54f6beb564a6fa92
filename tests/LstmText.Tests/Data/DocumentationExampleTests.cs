using LstmText.Data;
using LstmText.IO;
using LstmText.Models;
using LstmText.Tests.IO;

namespace LstmText.Tests.Data;

/// <summary>The example of docs/data-formats.md, verbatim between the markers, so the page shows code that runs.</summary>
public sealed class DocumentationExampleTests : IDisposable
{
    private readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void The_example_runs_and_the_page_shows_it_verbatim()
    {
        var folder = _folder.Path;
        File.WriteAllText(Path.Combine(folder, "train.csv"), "label,text\npos,a wonderful film\nneg,dull\npos,\"moving,\nand funny\"\nneg,\nneg,flat\npos,great\n");
        File.WriteAllText(Path.Combine(folder, "reviews.csv"), "id,review\n1,a wonderful film\n2,\n");
        static IReadOnlyList<ClassPrediction> MyModel(IReadOnlyList<string> texts) =>
            [.. texts.Select(text => new ClassPrediction("pos", 0.9f, [0.1f, 0.9f]))];

        // docs: example
        var issues = new DataIssues();
        var examples = LabelledData.Read(Path.Combine(folder, "train.csv"), issues).ToList();
        foreach (var issue in issues)
        {
            Console.Error.WriteLine(issue);              // …/train.csv:6: the text is empty (row skipped)
        }
        var classes = LabelledData.CountClasses(examples); // [neg: 2, pos: 3], in ordinal order
        var split = DataSplit.Stratified(examples, validationFraction: 0.2, seed: 42);

        var summary = TableClassification.Run(Path.Combine(folder, "reviews.csv"), Path.Combine(folder, "labelled.csv"),
            classes.Select(c => c.Name).ToArray(),
            texts => MyModel(texts),                     // one ClassPrediction per text
            new TableClassificationOptions { BatchSize = 256 });
        Console.Error.WriteLine($"{summary.Rows} rows, {summary.Errors} errors");
        // docs: end

        Assert.Equal([new DataIssue(Path.Combine(folder, "train.csv"), 6, "the text is empty (row skipped)")], issues);
        Assert.Equal([new ClassCount("neg", 2), new ClassCount("pos", 3)], classes);
        Assert.Equal((3, 2), (split.Training.Count, split.Validation.Count));
        Assert.Equal((2L, 1L), (summary.Rows, summary.Errors));
        Assert.Equal("id,review,label,confidence,p_neg,p_pos,error\n1,a wonderful film,pos,0.9,0.1,0.9,\n2,,,,,,the text is empty\n",
            File.ReadAllText(Path.Combine(folder, "labelled.csv")));

        var page = FindUpwards("docs/data-formats.md");
        var source = FindUpwards("tests/LstmText.Tests/Data/DocumentationExampleTests.cs");
        if (page is null || source is null)
        {
            return; // Run from a copy of the build output without the sources: nothing to compare with.
        }
        var code = File.ReadAllText(source);
        var start = code.IndexOf("// docs: example", StringComparison.Ordinal);
        var example = code[(code.IndexOf('\n', start) + 1)..code.IndexOf("        // docs: end", StringComparison.Ordinal)];
        var unindented = string.Join("\n", example.Split('\n').Select(line => line.Length >= 8 ? line[8..] : line.TrimStart()));
        Assert.Contains(unindented, File.ReadAllText(page).ReplaceLineEndings("\n"));
    }

    private static string? FindUpwards(string relativePath)
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, relativePath);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}
