using System.CommandLine;
using LstmText.Data;
using LstmText.IO;

namespace LstmText.Cli;

/// <summary>
/// How <c>train-classifier</c> and <c>evaluate</c> read a labelled data file: format, delimiter, header, encoding
/// and the text and label columns; rows with problems are reported on stderr with their line numbers.
/// </summary>
internal sealed class LabelledDataOptionSet
{
    /// <summary>How many data issues are printed one per line; the rest are counted.</summary>
    private const int IssuesShown = 20;

    public Option<string[]> Data { get; } = new("--data")
    {
        Description = "The labelled data: CSV, TSV, JSONL, Parquet, or SST/UCI .txt lines; several files are read one after the other (each in its own format, with the same column options).",
        Required = true, AllowMultipleArgumentsPerToken = true,
    };
    public Option<string?> TextColumn { get; } = new("--text-column") { Description = "The text column, by header name or 0-based index (default: text, review, sentence or message)." };
    public Option<string?> LabelColumn { get; } = new("--label-column") { Description = "The label column, by header name or 0-based index (default: label, sentiment, class, category or target)." };
    public Option<string?> Format { get; } = new("--format") { Description = "csv, tsv, jsonl, parquet, label-space-text (SST) or text-tab-label (UCI); default: from the extension." };
    public Option<string?> Delimiter { get; } = new("--delimiter") { Description = "The CSV/TSV field separator (one character; \\t for a tab)." };
    public Option<bool> NoHeader { get; } = new("--no-header") { Description = "The CSV/TSV file has no header row; choose columns by index." };
    public Option<string?> Encoding { get; } = new("--encoding") { Description = "utf-8 (default), latin1 (iso-8859-1) or windows-1252." };

    public void AddTo(Command command)
    {
        foreach (Option option in new Option[] { Data, TextColumn, LabelColumn, Format, Delimiter, NoHeader, Encoding }) command.Options.Add(option);
    }

    /// <summary>The reading options the command line asks for.</summary>
    public LabelledDataOptions Options(ParseResult parse) => new()
    {
        Format = parse.GetValue(Format) is { } format && !ParquetTables.IsFormatName(format) ? ParseFormat(format) : null,
        Delimiter = parse.GetValue(Delimiter) is { } delimiter ? ParseDelimiter(delimiter) : null,
        HasHeader = !parse.GetValue(NoHeader),
        Encoding = parse.GetValue(Encoding) is { } encoding ? EncodingNamed(encoding) : null,
        TextColumn = parse.GetValue(TextColumn) is { } text ? TableColumn.Parse(text) : null,
        LabelColumn = parse.GetValue(LabelColumn) is { } label ? TableColumn.Parse(label) : null,
    };

    /// <summary>Reads the examples of every <c>--data</c> file in turn, printing each skipped row on <paramref name="error"/>.</summary>
    public IReadOnlyList<LabelledExample> ReadData(ParseResult parse, TextWriter error)
    {
        var options = Options(parse);
        var format = parse.GetValue(Format);
        return parse.GetValue(Data)!.SelectMany(path => Read(path, options, error, ParquetTables.Applies(format, path))).ToArray();
    }

    /// <summary>Reads the examples of <paramref name="path"/>, printing each skipped row on <paramref name="error"/>.</summary>
    public static IReadOnlyList<LabelledExample> Read(string path, LabelledDataOptions options, TextWriter error, bool? parquet = null)
    {
        var issues = new DataIssues();
        var examples = (parquet ?? ParquetTables.Applies(null, path)
            ? ParquetTables.ReadLabelled(path, options, issues)
            : LabelledData.Read(path, issues, options)).ToArray();
        foreach (var issue in issues.Take(IssuesShown)) error.WriteLine($"skipped: {issue}");
        if (issues.Count > IssuesShown) error.WriteLine($"skipped: … and {issues.Count - IssuesShown} more rows of {path}");
        return examples;
    }

    public static LabelledDataFormat ParseFormat(string name) => name.ToLowerInvariant() switch
    {
        "csv" => LabelledDataFormat.Csv,
        "tsv" => LabelledDataFormat.Tsv,
        "jsonl" or "ndjson" => LabelledDataFormat.JsonLines,
        "label-space-text" or "sst" => LabelledDataFormat.LabelSpaceText,
        "text-tab-label" or "uci" => LabelledDataFormat.TextTabLabel,
        _ => throw new UsageException($"--format must be csv, tsv, jsonl, parquet, label-space-text or text-tab-label, not '{name}'"),
    };

    public static char ParseDelimiter(string value) => value switch
    {
        "\\t" or "tab" => '\t',
        { Length: 1 } => value[0],
        _ => throw new UsageException($"--delimiter must be one character (or \\t), not '{value}'"),
    };

    public static System.Text.Encoding EncodingNamed(string name)
    {
        try
        {
            return TextCorpus.EncodingNamed(name);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            throw new UsageException($"--encoding '{name}' is not an encoding; use utf-8, latin1 or windows-1252");
        }
    }
}
