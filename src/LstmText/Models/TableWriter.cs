using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsvHelper;
using LstmText.Generation;
using LstmText.IO;

namespace LstmText.Models;

/// <summary>
/// Writes classified rows in the format of the table they were read from: every input column as it was, in
/// order, then <c>label</c>, <c>confidence</c>, one <c>p_&lt;class&gt;</c> per class and <c>error</c>. When an input
/// column already has one of those names, all the added columns are prefixed with <c>predicted_</c>.
/// </summary>
public sealed class TableWriter : IDisposable
{
    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly CsvWriter? csv;
    private readonly TextWriter? jsonLines;
    private readonly IReadOnlyList<string> inputColumns;
    private readonly IReadOnlyList<string> classNames;
    private readonly string?[] added;

    private TableWriter(CsvWriter? csv, TextWriter? jsonLines, TableReader input, IReadOnlyList<string> classNames)
    {
        this.csv = csv;
        this.jsonLines = jsonLines;
        inputColumns = input.Columns;
        this.classNames = classNames;
        AddedColumns = AddedColumnNames(input.Columns, classNames);
        added = new string?[AddedColumns.Count];
        if (csv is not null && input.HasHeader)
        {
            csv.WriteRecord([.. inputColumns, .. AddedColumns]);
        }
    }

    /// <summary>The names of the columns added after the input columns, in order.</summary>
    public IReadOnlyList<string> AddedColumns { get; }

    /// <summary>A writer to a byte stream (UTF-8), in the format, delimiter and header layout of <paramref name="input"/>. The stream is not disposed.</summary>
    public static TableWriter Create(Stream output, TableReader input, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(classNames);
        return input.Format == TableFormat.JsonLines
            ? new TableWriter(null, new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" }, input, classNames)
            : new TableWriter(CsvWriter.Create(output, WriterOptions(input), leaveOpen: true), null, input, classNames);
    }

    /// <summary>A writer to text (standard output, a string), in the format of <paramref name="input"/>. The text writer is not disposed.</summary>
    public static TableWriter Create(TextWriter output, TableReader input, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(classNames);
        return input.Format == TableFormat.JsonLines
            ? new TableWriter(null, output, input, classNames)
            : new TableWriter(CsvWriter.Create(output, WriterOptions(input), leaveOpen: true), null, input, classNames);
    }

    /// <summary>
    /// Writes a row with its prediction, or with an empty label and <paramref name="error"/> when it has none.
    /// A CSV or TSV row with fewer fields than the header is padded with empty fields, one with more keeps the
    /// first ones (its error says so).
    /// </summary>
    /// <exception cref="ArgumentException">The prediction does not have one probability per class.</exception>
    public void Write(TableRow row, ClassPrediction? prediction, string? error)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (prediction is not null && prediction.Probabilities.Count != classNames.Count)
        {
            throw new ArgumentException($"The prediction has {prediction.Probabilities.Count} probabilities for {classNames.Count} classes.", nameof(prediction));
        }
        if (csv is not null)
        {
            WriteCsv(row, prediction, error);
        }
        else
        {
            WriteJson(row, prediction, error);
        }
    }

    /// <summary>Writes what is buffered to the output.</summary>
    public void Flush()
    {
        csv?.Flush();
        jsonLines?.Flush();
    }

    /// <summary>Flushes and lets go of the output (which is not disposed).</summary>
    public void Dispose()
    {
        csv?.Dispose();
        jsonLines?.Flush();
    }

    /// <summary>
    /// The columns a classified table gets after <paramref name="inputColumns"/>: <c>label</c>, <c>confidence</c>, one
    /// <c>p_&lt;class&gt;</c> per class and <c>error</c>, all prefixed with <c>predicted_</c> when an input column (in any
    /// case) already has one of those names. Every output format (CSV, TSV, JSONL, Parquet) names them so.
    /// </summary>
    public static IReadOnlyList<string> AddedColumnNames(IReadOnlyList<string> inputColumns, IReadOnlyList<string> classNames)
    {
        string[] names = ["label", "confidence", .. classNames.Select(name => "p_" + name), "error"];
        var taken = new HashSet<string>(inputColumns, StringComparer.OrdinalIgnoreCase);
        return names.Any(taken.Contains) ? [.. names.Select(name => "predicted_" + name)] : names;
    }

    private void WriteCsv(TableRow row, ClassPrediction? prediction, string? error)
    {
        var width = inputColumns.Count;
        for (var i = 0; i < width; i++)
        {
            csv!.WriteField(i < row.Fields.Count ? row.Fields[i] : "");
        }
        if (row.Fields.Count > width && error is not null)
        {
            error += $"; only its first {width} fields are written";
        }
        FillAdded(prediction, error);
        foreach (var value in added)
        {
            csv!.WriteField(value ?? "");
        }
        csv!.EndRecord();
    }

    private void WriteJson(TableRow row, ClassPrediction? prediction, string? error)
    {
        if (row.JsonText is { } text)
        {
            // The object cannot be read as text (an unpaired surrogate escape), so it is not re-serialised: its own
            // characters are kept and the added members go before its closing brace.
            var added = new JsonObject { [AddedColumns[0]] = null, [AddedColumns[1]] = null };
            for (var k = 0; k < classNames.Count; k++)
            {
                added[AddedColumns[2 + k]] = null;
            }
            added[AddedColumns[^1]] = error;
            var members = added.ToJsonString(JsonOptions)[1..];
            var body = text.TrimEnd()[..^1].TrimEnd();
            jsonLines!.WriteLine(body.EndsWith('{') ? body + members : body + "," + members);
            return;
        }
        var obj = row.JsonObject ?? [];
        obj[AddedColumns[0]] = prediction?.Label;
        obj[AddedColumns[1]] = prediction is null ? null : JsonValue.Create(prediction.Confidence);
        for (var k = 0; k < classNames.Count; k++)
        {
            obj[AddedColumns[2 + k]] = prediction is null ? null : JsonValue.Create(prediction.Probabilities[k]);
        }
        obj[AddedColumns[^1]] = error;
        jsonLines!.WriteLine(obj.ToJsonString(JsonOptions));
    }

    private void FillAdded(ClassPrediction? prediction, string? error)
    {
        Array.Clear(added);
        if (prediction is not null)
        {
            added[0] = prediction.Label;
            added[1] = Number(prediction.Confidence);
            for (var k = 0; k < classNames.Count; k++)
            {
                added[2 + k] = Number(prediction.Probabilities[k]);
            }
        }
        added[^1] = error;
    }

    private static string Number(float value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static CsvWriterOptions WriterOptions(TableReader input) => new()
    {
        Separator = input.Delimiter,
        NewLine = "\n",
        ValidateFieldCount = false,
    };
}
