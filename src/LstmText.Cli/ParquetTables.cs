using System.CommandLine;
using LstmText.Data;
using LstmText.IO;
using LstmText.Models;
using LstmText.Parquet;

namespace LstmText.Cli;

/// <summary>
/// Parquet for <c>classify</c>, <c>evaluate</c> and <c>train-classifier</c>: chosen by <c>--format parquet</c> or a
/// <c>.parquet</c>/<c>.pq</c> extension, and handed to LstmText.Parquet, which streams by row group.
/// </summary>
internal static class ParquetTables
{
    /// <summary>Whether <c>--format</c> names Parquet.</summary>
    public static bool IsFormatName(string? format) => string.Equals(format, "parquet", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether a file is read as Parquet: <c>--format parquet</c>, or no <c>--format</c> and a Parquet extension.</summary>
    public static bool Applies(string? format, string path) =>
        format is null ? ParquetLabelledData.IsParquetPath(path) : IsFormatName(format);

    /// <summary>Labels a Parquet table into a Parquet file and prints the summary on stderr, as <c>classify</c> does for CSV.</summary>
    public static int Classify(ParseResult parse, TextClassifier classifier, string inputPath, string outputPath, string? textColumn, int batchSize,
        CancellationToken cancellation)
    {
        if (inputPath == TableReader.StandardStream) throw new UsageException("--input -: Parquet is read from a file, not from stdin");
        if (outputPath == TableReader.StandardStream) throw new UsageException("--output: a Parquet table is written to a file; give --output FILE.parquet");
        var error = parse.InvocationConfiguration.Error;
        IReadOnlyList<ClassPrediction> ClassifyBatch(IReadOnlyList<string> texts)
        {
            cancellation.ThrowIfCancellationRequested();
            return classifier.PredictBatch(texts);
        }
        var column = textColumn is { } c ? TableColumn.Parse(c) : null;
        var summary = ClassifyCommand.WithProgress(error, progress =>
            ParquetTableClassification.Run(inputPath, outputPath, classifier.ClassNames, ClassifyBatch, column, batchSize, progress));
        error.WriteLine($"classified {summary.Rows} rows: {summary.Classified} labelled, {summary.Errors} errors");
        foreach (var issue in summary.FirstErrors) error.WriteLine($"row error: {issue}");
        if (summary.Errors > summary.FirstErrors.Count) error.WriteLine($"row error: … and {summary.Errors - summary.FirstErrors.Count} more");
        return 0;
    }

    /// <summary>The labelled examples of a Parquet file; skipped rows are added to <paramref name="issues"/>.</summary>
    public static IEnumerable<LabelledExample> ReadLabelled(string path, LabelledDataOptions options, DataIssues issues) =>
        ParquetLabelledData.Read(path, issues, options.TextColumn, options.LabelColumn);
}
