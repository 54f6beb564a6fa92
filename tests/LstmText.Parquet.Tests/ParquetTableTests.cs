using LstmText.Generation;
using LstmText.IO;
using LstmText.Models;
using Parquet;
using Parquet.Schema;

namespace LstmText.Parquet.Tests;

/// <summary>Parquet in and out: classification by row group with every input column passed through, and labelled data.</summary>
public sealed class ParquetTableTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("lstmtext-parquet-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string PathOf(string name) => Path.Combine(folder, name);

    /// <summary>A stand-in classifier: positive when the text says good, with probabilities that depend on the text's length.</summary>
    private static IReadOnlyList<ClassPrediction> Classify(IReadOnlyList<string> texts) => texts.Select(text =>
    {
        var positive = text.Contains("good", StringComparison.Ordinal) ? 0.5f + text.Length / 100f : 0.5f - text.Length / 100f;
        float[] probabilities = [1 - positive, positive];
        return new ClassPrediction(positive > 0.5f ? "positive" : "negative", Math.Max(positive, 1 - positive), probabilities);
    }).ToArray();

    [Fact]
    public async Task Classify_keeps_row_groups_every_column_with_its_type_nulls_and_lists_and_adds_typed_columns()
    {
        var input = PathOf("reviews.parquet");
        var output = PathOf("labelled.parquet");
        await ReviewTable.WriteAsync(input);
        var batches = new List<int>();
        var reports = new List<TableClassificationSummary>();
        var summary = ParquetTableClassification.Run(input, output, ["negative", "positive"], texts =>
        {
            Assert.All(texts, text => Assert.False(string.IsNullOrWhiteSpace(text)));
            batches.Add(texts.Count);
            return Classify(texts);
        }, textColumn: null, batchSize: 3, progress: new Progress(reports));

        Assert.Equal(12, summary.Rows);
        Assert.Equal(10, summary.Classified);
        Assert.Equal(2, summary.Errors);
        Assert.Equal([$"{input}:3: the text is null", $"{input}:8: the text is empty"], summary.FirstErrors.Select(e => e.ToString()));
        Assert.All(batches, count => Assert.InRange(count, 1, 3));
        Assert.Equal(10, batches.Sum());
        Assert.Equal(12, reports[^1].Rows);

        using (var stream = File.OpenRead(output))
        await using (var reader = await ParquetReader.CreateAsync(stream))
        {
            Assert.Equal(ReviewTable.RowGroupSizes, Enumerable.Range(0, reader.RowGroupCount).Select(g => (int)reader.OpenRowGroupReader(g).RowCount));
            Assert.Equal(["id", "review", "tags", "score", "sentiment", "label", "confidence", "p_negative", "p_positive", "error"],
                reader.Schema.Fields.Select(f => f.Name));
            Assert.IsType<ListField>(reader.Schema.Fields[2]);
            var leaves = reader.Schema.DataFields;
            Assert.Equal([typeof(long), typeof(ReadOnlyMemory<char>), typeof(int), typeof(double), typeof(int)], leaves.Take(5).Select(f => f.ClrType));
            Assert.Equal(typeof(ReadOnlyMemory<char>), leaves[5].ClrType);
            Assert.All(leaves.Skip(6).Take(3), f => Assert.Equal(typeof(float), f.ClrType));
            Assert.All(leaves.Skip(5), f => Assert.True(f.IsNullable));
        }

        // The input columns come out exactly as stored: values, nulls (definition levels) and list structure (repetition levels).
        Assert.Equal(await ReviewTable.RawColumnsAsync(input, 5), await ReviewTable.RawColumnsAsync(output, 5), new RawColumnComparer());

        await using var outputStream = File.OpenRead(output);
        var rows = (await global::Parquet.Serialization.ParquetSerializer.DeserializeUntypedAsync(outputStream)).Data;
        Assert.Equal(12, rows.Count);
        for (var r = 0; r < 12; r++)
        {
            var row = rows[r];
            Assert.Equal(1000L + r, row["id"]);
            var text = ReviewTable.ReviewOf(r);
            if (string.IsNullOrWhiteSpace(text))
            {
                Assert.Null(row.GetValueOrDefault("label"));
                Assert.Null(row.GetValueOrDefault("confidence"));
                Assert.Null(row.GetValueOrDefault("p_positive"));
                Assert.NotNull(row["error"]);
                continue;
            }
            var expected = Classify([text])[0];
            Assert.Equal(expected.Label, row["label"]);
            Assert.Equal(expected.Confidence, (float)row["confidence"]!);
            Assert.Equal(expected.Probabilities[0], (float)row["p_negative"]!);
            Assert.Equal(expected.Probabilities[1], (float)row["p_positive"]!);
            Assert.Null(row.GetValueOrDefault("error"));
        }
    }

    [Fact]
    public async Task A_missing_text_column_lists_the_columns_and_writes_nothing()
    {
        var input = PathOf("reviews.parquet");
        var output = PathOf("labelled.parquet");
        await ReviewTable.WriteAsync(input);
        var error = Assert.Throws<InvalidDataException>(() =>
            ParquetTableClassification.Run(input, output, ["negative", "positive"], Classify, TableColumn.Named("body")));
        Assert.Equal($"{input}: there is no text column 'body'. The columns are: 'id', 'review', 'tags', 'score', 'sentiment'.", error.Message);
        var lists = Assert.Throws<InvalidDataException>(() =>
            ParquetTableClassification.Run(input, output, ["negative", "positive"], Classify, TableColumn.Named("tags")));
        Assert.Contains("holds lists or groups", lists.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(output));

        var notParquet = PathOf("not.parquet");
        File.WriteAllText(notParquet, "id,review\n1,good\n");
        Assert.Throws<InvalidDataException>(() => ParquetTableClassification.Run(notParquet, output, ["negative", "positive"], Classify));
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task Labelled_data_streams_by_row_group_with_typed_labels_and_reports_skipped_rows()
    {
        var input = PathOf("reviews.parquet");
        await ReviewTable.WriteAsync(input);
        var issues = new DataIssues();
        var examples = ParquetLabelledData.Read(input, issues).ToArray();
        Assert.Equal(9, examples.Length);
        Assert.All(examples, e => Assert.Equal(e.Text.Contains("good", StringComparison.Ordinal) ? "1" : "0", e.Label));
        Assert.Equal([1, 2, 4, 5, 6, 7, 9, 11, 12], examples.Select(e => e.Line));
        Assert.Equal([$"{input}:3: the text is null (row skipped)", $"{input}:8: the text is empty (row skipped)", $"{input}:10: the label is null (row skipped)"],
            issues.Select(i => i.ToString()));
        // Any scalar column can be the label; a double reads in the invariant culture (0-based row 1, line 2, has score 0.5).
        Assert.Equal([2L], ParquetLabelledData.Read(input, new DataIssues(), TableColumn.Named("review"), TableColumn.AtIndex(3)).Where(e => e.Label == "0.5").Select(e => e.Line));
    }

    private sealed class Progress(List<TableClassificationSummary> reports) : IProgress<TableClassificationSummary>
    {
        public void Report(TableClassificationSummary value) => reports.Add(value);
    }

    private sealed class RawColumnComparer : IEqualityComparer<(string Path, int Group, string[] Values, int[] Definition, int[] Repetition)>
    {
        public bool Equals((string Path, int Group, string[] Values, int[] Definition, int[] Repetition) x,
            (string Path, int Group, string[] Values, int[] Definition, int[] Repetition) y) =>
            x.Path == y.Path && x.Group == y.Group && x.Values.SequenceEqual(y.Values) && x.Definition.SequenceEqual(y.Definition)
            && x.Repetition.SequenceEqual(y.Repetition);

        public int GetHashCode((string Path, int Group, string[] Values, int[] Definition, int[] Repetition) obj) => HashCode.Combine(obj.Path, obj.Group);
    }
}
