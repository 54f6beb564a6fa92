using LstmText.IO;

namespace LstmText.Models;

/// <summary>
/// Labels every row of a CSV, TSV or JSON Lines table with a classifier and writes the table back with the
/// prediction added (see <see cref="TableWriter"/>). Rows stream through in batches, so memory stays flat
/// whatever the size of the input; every input row is written, in order, with an error instead of a label when
/// it cannot be classified (empty text, a malformed row). A quote that is never closed swallows no rows: the lines
/// after it are read again as rows. Bytes that are not valid UTF-8 stop the run with a <see cref="TableEncodingException"/>
/// (and no output file), so that no text is ever written back changed.
/// </summary>
public static class TableClassification
{
    /// <summary>How many errors a summary lists; it counts them all.</summary>
    public const int ErrorsKept = 10;

    /// <summary>
    /// Classifies the table at <paramref name="inputPath"/> into <paramref name="outputPath"/> (<c>-</c> for
    /// standard input or output). A file is written atomically: if anything fails, no output file appears and an
    /// existing one is left as it was.
    /// </summary>
    /// <param name="inputPath">The input table, or <c>-</c> for standard input (then the options must name the format).</param>
    /// <param name="outputPath">The output table, or <c>-</c> for standard output.</param>
    /// <param name="classNames">The classes in the order of the probabilities that the classifier returns.</param>
    /// <param name="classifyBatch">Returns one prediction per text, in order; it is never given an empty text.</param>
    /// <param name="options">The input layout, the text column and the batch size.</param>
    /// <param name="progress">Told the running totals after every batch.</param>
    /// <exception cref="InvalidDataException">The text column is missing; the message lists the columns.</exception>
    public static TableClassificationSummary Run(string inputPath, string outputPath, IReadOnlyList<string> classNames,
        Func<IReadOnlyList<string>, IReadOnlyList<ClassPrediction>> classifyBatch, TableClassificationOptions? options = null,
        IProgress<TableClassificationSummary>? progress = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(inputPath);
        ArgumentException.ThrowIfNullOrEmpty(outputPath);
        options ??= new TableClassificationOptions();
        using var input = TableReader.Open(inputPath, options.Input);
        // The column is checked before the output is opened, so a wrong column leaves nothing behind.
        var textColumn = input.FindTextColumn(options.TextColumn);
        if (outputPath == TableReader.StandardStream)
        {
            using var standardOutput = Console.OpenStandardOutput();
            return Classify(input, textColumn, standardOutput, classNames, classifyBatch, options.BatchSize, progress);
        }
        TableClassificationSummary? summary = null;
        AtomicFile.Write(outputPath, stream => summary = Classify(input, textColumn, stream, classNames, classifyBatch, options.BatchSize, progress));
        return summary!;
    }

    /// <summary>Classifies the rows of <paramref name="input"/> into <paramref name="output"/>, which is not disposed (standard output, a string).</summary>
    /// <exception cref="InvalidDataException">The text column is missing; the message lists the columns.</exception>
    public static TableClassificationSummary Run(TableReader input, TextWriter output, IReadOnlyList<string> classNames,
        Func<IReadOnlyList<string>, IReadOnlyList<ClassPrediction>> classifyBatch, TableColumn? textColumn = null, int batchSize = 64,
        IProgress<TableClassificationSummary>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        var column = input.FindTextColumn(textColumn);
        using var writer = TableWriter.Create(output, input, classNames);
        return Classify(input, column, writer, classifyBatch, batchSize, progress);
    }

    private static TableClassificationSummary Classify(TableReader input, int textColumn, Stream output, IReadOnlyList<string> classNames,
        Func<IReadOnlyList<string>, IReadOnlyList<ClassPrediction>> classifyBatch, int batchSize, IProgress<TableClassificationSummary>? progress)
    {
        using var writer = TableWriter.Create(output, input, classNames);
        return Classify(input, textColumn, writer, classifyBatch, batchSize, progress);
    }

    private static TableClassificationSummary Classify(TableReader input, int textColumn, TableWriter writer,
        Func<IReadOnlyList<string>, IReadOnlyList<ClassPrediction>> classifyBatch, int batchSize, IProgress<TableClassificationSummary>? progress)
    {
        ArgumentNullException.ThrowIfNull(classifyBatch);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var rows = new List<TableRow>(batchSize);
        var errors = new List<string?>(batchSize);
        var texts = new List<string>(batchSize);
        long total = 0, classified = 0, failed = 0;
        var firstErrors = new List<DataIssue>();

        void Flush()
        {
            var predictions = texts.Count == 0 ? [] : classifyBatch(texts);
            if (predictions.Count != texts.Count)
            {
                throw new InvalidOperationException($"The classifier returned {predictions.Count} predictions for {texts.Count} texts.");
            }
            var next = 0;
            for (var i = 0; i < rows.Count; i++)
            {
                var prediction = errors[i] is null ? predictions[next++] : null;
                writer.Write(rows[i], prediction, errors[i]);
            }
            total += rows.Count;
            classified += texts.Count;
            failed += rows.Count - texts.Count;
            rows.Clear();
            errors.Clear();
            texts.Clear();
            writer.Flush();
            progress?.Report(new TableClassificationSummary(total, classified, failed, [.. firstErrors]));
        }

        foreach (var row in input.ReadRows())
        {
            var error = ErrorOf(row, textColumn, input.Format);
            rows.Add(row);
            errors.Add(error);
            if (error is null)
            {
                texts.Add(row.Fields[textColumn]);
            }
            else if (firstErrors.Count < ErrorsKept)
            {
                firstErrors.Add(new DataIssue(input.Source, row.Line, error));
            }
            if (rows.Count == batchSize)
            {
                Flush();
            }
        }
        if (rows.Count > 0 || total == 0)
        {
            Flush();
        }
        return new TableClassificationSummary(total, classified, failed, firstErrors);
    }

    private static string? ErrorOf(TableRow row, int textColumn, TableFormat format)
    {
        if (row.Problem is not null)
        {
            return row.Problem;
        }
        if (textColumn >= row.Fields.Count || string.IsNullOrWhiteSpace(row.Fields[textColumn]))
        {
            return format == TableFormat.JsonLines && textColumn < row.Fields.Count ? "the text is empty or missing" : "the text is empty";
        }
        return null;
    }
}
