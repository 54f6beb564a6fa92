using LstmText.Generation;
using LstmText.IO;
using LstmText.Models;
using Parquet;
using Parquet.Schema;

namespace LstmText.Parquet;

/// <summary>
/// Labels every row of a Parquet table with a classifier and writes a Parquet table with every input column as it
/// was (its type, nulls, lists and groups included), then <c>label</c> (string), <c>confidence</c> (float), one
/// <c>p_&lt;class&gt;</c> (float) per class and <c>error</c> (string), as <see cref="TableClassification"/> does for CSV.
/// It streams by row group: memory holds one row group of the input, and each becomes one row group of the output.
/// A row whose text is null or blank keeps its place, with null label and probabilities and an error.
/// </summary>
public static class ParquetTableClassification
{
    /// <summary>
    /// Classifies the Parquet file at <paramref name="inputPath"/> into <paramref name="outputPath"/>, atomically: if
    /// anything fails, no output file appears and an existing one is left as it was.
    /// </summary>
    /// <param name="inputPath">The input Parquet file.</param>
    /// <param name="outputPath">The output Parquet file.</param>
    /// <param name="classNames">The classes in the order of the probabilities that the classifier returns.</param>
    /// <param name="classifyBatch">Returns one prediction per text, in order; it is never given an empty text.</param>
    /// <param name="textColumn">The column to classify; null means the first named text, review, sentence or message (any case).</param>
    /// <param name="batchSize">How many texts go to the classifier at once.</param>
    /// <param name="progress">Told the running totals after every batch.</param>
    /// <exception cref="FileNotFoundException">The input file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not Parquet, or the text column is missing or holds lists; the message says which.</exception>
    public static TableClassificationSummary Run(string inputPath, string outputPath, IReadOnlyList<string> classNames,
        Func<IReadOnlyList<string>, IReadOnlyList<ClassPrediction>> classifyBatch, TableColumn? textColumn = null, int batchSize = 64,
        IProgress<TableClassificationSummary>? progress = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(inputPath);
        ArgumentException.ThrowIfNullOrEmpty(outputPath);
        ArgumentNullException.ThrowIfNull(classNames);
        ArgumentNullException.ThrowIfNull(classifyBatch);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        using var input = ParquetInput.Open(inputPath);
        // The column is checked before the output is opened, so a wrong column leaves nothing behind.
        var text = ParquetColumns.Resolve(input.Reader.Schema, textColumn, ParquetColumns.DefaultTextColumns, "text", inputPath);
        TableClassificationSummary? summary = null;
        AtomicFile.Write(outputPath, stream =>
            summary = ClassifyAsync(input, text, stream, classNames, classifyBatch, batchSize, progress).GetAwaiter().GetResult());
        return summary!;
    }

    private static async Task<TableClassificationSummary> ClassifyAsync(ParquetInput input, DataField textField, Stream output,
        IReadOnlyList<string> classNames, Func<IReadOnlyList<string>, IReadOnlyList<ClassPrediction>> classifyBatch, int batchSize,
        IProgress<TableClassificationSummary>? progress)
    {
        var schema = input.Reader.Schema;
        var names = TableWriter.AddedColumnNames(schema.Fields.Select(f => f.Name).ToArray(), classNames);
        var label = new DataField<string>(names[0]);
        var confidence = new DataField<float?>(names[1]);
        var probabilities = classNames.Select((_, c) => new DataField<float?>(names[2 + c])).ToArray();
        var error = new DataField<string>(names[^1]);
        var outputSchema = new ParquetSchema([.. schema.Fields, label, confidence, .. probabilities, error]);
        var inputLeaves = schema.DataFields;
        var outputLeaves = outputSchema.DataFields;

        long total = 0, classified = 0, failed = 0;
        var firstErrors = new List<DataIssue>();
        await using var writer = await ParquetWriter.CreateAsync(outputSchema, output).ConfigureAwait(false);
        for (var group = 0; group < input.Reader.RowGroupCount; group++)
        {
            using var rows = input.Reader.OpenRowGroupReader(group);
            var texts = await ParquetColumns.ReadTextAsync(rows, textField, CancellationToken.None).ConfigureAwait(false);
            var count = texts.Length;
            var labels = new string?[count];
            var confidences = new float?[count];
            var chances = classNames.Select(_ => new float?[count]).ToArray();
            var errors = new string?[count];
            var batch = new List<int>(batchSize);

            void Flush()
            {
                if (batch.Count == 0) return;
                var predictions = classifyBatch(batch.Select(i => texts[i]!).ToArray());
                if (predictions.Count != batch.Count)
                    throw new InvalidOperationException($"The classifier returned {predictions.Count} predictions for {batch.Count} texts.");
                for (var k = 0; k < batch.Count; k++)
                {
                    var row = batch[k];
                    var prediction = predictions[k];
                    if (prediction.Probabilities.Count != classNames.Count)
                        throw new ArgumentException($"The prediction has {prediction.Probabilities.Count} probabilities for {classNames.Count} classes.");
                    labels[row] = prediction.Label;
                    confidences[row] = prediction.Confidence;
                    for (var c = 0; c < classNames.Count; c++) chances[c][row] = prediction.Probabilities[c];
                }
                classified += batch.Count;
                batch.Clear();
            }

            for (var i = 0; i < count; i++)
            {
                if (string.IsNullOrWhiteSpace(texts[i]))
                {
                    errors[i] = texts[i] is null ? "the text is null" : "the text is empty";
                    failed++;
                    if (firstErrors.Count < TableClassification.ErrorsKept) firstErrors.Add(new DataIssue(input.Path, total + i + 1, errors[i]!));
                    continue;
                }
                batch.Add(i);
                if (batch.Count == batchSize)
                {
                    Flush();
                    progress?.Report(new TableClassificationSummary(total + i + 1, classified, failed, [.. firstErrors]));
                }
            }
            Flush();
            total += count;
            progress?.Report(new TableClassificationSummary(total, classified, failed, [.. firstErrors]));

            using var written = writer.CreateRowGroup();
            for (var leaf = 0; leaf < inputLeaves.Length; leaf++)
            {
                await ParquetColumns.CopyAsync(rows, inputLeaves[leaf], written, outputLeaves[leaf], CancellationToken.None).ConfigureAwait(false);
            }
            await written.WriteAsync(label, labels).ConfigureAwait(false);
            await written.WriteAsync<float>(confidence, confidences).ConfigureAwait(false);
            for (var c = 0; c < classNames.Count; c++)
            {
                await written.WriteAsync<float>(probabilities[c], chances[c]).ConfigureAwait(false);
            }
            await written.WriteAsync(error, errors).ConfigureAwait(false);
            written.CompleteValidate();
        }
        return new TableClassificationSummary(total, classified, failed, firstErrors);
    }
}
