using LstmText.Data;
using LstmText.IO;

namespace LstmText.Parquet;

/// <summary>
/// Reads labelled texts from a Parquet file, one row group at a time, as <see cref="LabelledData"/> reads CSV: a row
/// whose text or label is null or blank is skipped and added to a <see cref="DataIssues"/>. A label of any scalar type
/// (string, integer, boolean) reads as its text in the invariant culture. An example's <see cref="LabelledExample.Line"/>
/// is the 1-based row number in the file.
/// </summary>
public static class ParquetLabelledData
{
    /// <summary>The examples of a Parquet file, read as the result is enumerated; rows with problems go to <paramref name="issues"/>.</summary>
    /// <param name="path">The Parquet file.</param>
    /// <param name="issues">Collects the skipped rows.</param>
    /// <param name="textColumn">The text column; null means the first named text, review, sentence or message (any case).</param>
    /// <param name="labelColumn">The label column; null means the first named label, sentiment, class, category or target.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not Parquet, or a column is missing or holds lists (thrown when enumeration starts).</exception>
    public static IEnumerable<LabelledExample> Read(string path, DataIssues issues, TableColumn? textColumn = null, TableColumn? labelColumn = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(issues);
        if (!File.Exists(path)) throw new FileNotFoundException($"The data file {path} does not exist.", path);
        return ReadRows(path, issues, textColumn, labelColumn);
    }

    /// <summary>Whether a path names a Parquet file by its extension (<c>.parquet</c> or <c>.pq</c>, any case).</summary>
    public static bool IsParquetPath(string path) =>
        path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".pq", StringComparison.OrdinalIgnoreCase);

    private static IEnumerable<LabelledExample> ReadRows(string path, DataIssues issues, TableColumn? textColumn, TableColumn? labelColumn)
    {
        using var input = ParquetInput.Open(path);
        var schema = input.Reader.Schema;
        var text = ParquetColumns.Resolve(schema, textColumn, ParquetColumns.DefaultTextColumns, "text", path);
        var label = ParquetColumns.Resolve(schema, labelColumn, ParquetColumns.DefaultLabelColumns, "label", path);
        long row = 0;
        for (var group = 0; group < input.Reader.RowGroupCount; group++)
        {
            string?[] texts, labels;
            using (var rows = input.Reader.OpenRowGroupReader(group))
            {
                texts = ParquetColumns.ReadTextAsync(rows, text, CancellationToken.None).GetAwaiter().GetResult();
                labels = ParquetColumns.ReadTextAsync(rows, label, CancellationToken.None).GetAwaiter().GetResult();
            }
            for (var i = 0; i < texts.Length; i++)
            {
                row++;
                var value = labels[i]?.Trim();
                if (string.IsNullOrEmpty(value))
                {
                    issues.Add(path, row, labels[i] is null ? "the label is null (row skipped)" : "the label is empty (row skipped)");
                }
                else if (string.IsNullOrWhiteSpace(texts[i]))
                {
                    issues.Add(path, row, texts[i] is null ? "the text is null (row skipped)" : "the text is empty (row skipped)");
                }
                else
                {
                    yield return new LabelledExample(texts[i]!, value, row, path);
                }
            }
        }
    }
}
