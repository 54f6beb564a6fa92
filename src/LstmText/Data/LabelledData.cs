using System.Text.Json;
using System.Text.Unicode;
using CsvHelper;
using LstmText.IO;

namespace LstmText.Data;

/// <summary>
/// Reads labelled texts from CSV, TSV, JSON Lines and the SST and UCI line formats as a stream, one example at
/// a time. A row that cannot be an example (no label, empty text, malformed quoting, wrong field count) is
/// skipped and added to a <see cref="DataIssues"/> with the line where it starts.
/// </summary>
public static class LabelledData
{
    /// <summary>The examples of a file; rows with problems are skipped and added to <paramref name="issues"/>.</summary>
    /// <remarks>The file is read as the result is enumerated, so a file larger than memory can be streamed.</remarks>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">A chosen column does not exist (thrown when enumeration starts); the message lists the columns.</exception>
    /// <exception cref="CorpusFormatException">The file holds invalid UTF-8 and <see cref="LabelledDataOptions.InvalidBytes"/> says to stop.</exception>
    public static IEnumerable<LabelledExample> Read(string path, DataIssues issues, LabelledDataOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(issues);
        options ??= new LabelledDataOptions();
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The data file {path} does not exist.", path);
        }
        var format = options.Format ?? FormatOf(path);
        return format switch
        {
            LabelledDataFormat.Csv or LabelledDataFormat.Tsv => ReadTable(report => CsvReader.FromFile(path, CsvOptions(format, options, report)), path, issues, options),
            _ => ReadLines(format, TextCorpus.FromFile(path, new CorpusReadOptions { Encoding = options.Encoding, InvalidBytes = options.InvalidBytes }).ReadLines(), path, issues, options),
        };
    }

    /// <summary>
    /// The examples read from <paramref name="reader"/> (standard input, say) in <paramref name="format"/>; issues
    /// name the source <paramref name="sourceName"/>. The reader is not disposed.
    /// </summary>
    /// <exception cref="InvalidDataException">A chosen column does not exist; the message lists the columns.</exception>
    public static IEnumerable<LabelledExample> Read(TextReader reader, LabelledDataFormat format, DataIssues issues, LabelledDataOptions? options = null, string sourceName = "<stdin>")
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(issues);
        options ??= new LabelledDataOptions();
        return format switch
        {
            LabelledDataFormat.Csv or LabelledDataFormat.Tsv => ReadTable(report => CsvReader.Create(reader, CsvOptions(format, options, report), leaveOpen: true), sourceName, issues, options),
            _ => ReadLines(format, LinesOf(reader), sourceName, issues, options),
        };
    }

    /// <summary>
    /// The class labels of <paramref name="examples"/> with their counts, sorted by label in ordinal (culture-free,
    /// case-sensitive) order, so the same data always gives the same class order: <c>0</c> before <c>1</c>,
    /// <c>negative</c> before <c>positive</c>, <c>ham</c> before <c>spam</c>.
    /// </summary>
    public static IReadOnlyList<ClassCount> CountClasses(IEnumerable<LabelledExample> examples)
    {
        ArgumentNullException.ThrowIfNull(examples);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var example in examples)
        {
            counts[example.Label] = counts.GetValueOrDefault(example.Label) + 1;
        }
        return counts.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => new ClassCount(pair.Key, pair.Value)).ToArray();
    }

    /// <summary>The format that a file's extension implies; a <c>.txt</c> file is looked at to tell SST from UCI.</summary>
    /// <exception cref="ArgumentException">The extension is not one of those known.</exception>
    public static LabelledDataFormat FormatOf(string path)
    {
        // Tables are recognised as TableReader recognises them; only .txt needs a look inside.
        if (TableReader.TryFormatOf(path, out var table))
        {
            return table switch
            {
                TableFormat.Csv => LabelledDataFormat.Csv,
                TableFormat.Tsv => LabelledDataFormat.Tsv,
                _ => LabelledDataFormat.JsonLines,
            };
        }
        var extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension == ".txt")
            return FirstLineHoldsTab(path) ? LabelledDataFormat.TextTabLabel : LabelledDataFormat.LabelSpaceText;
        throw new ArgumentException(
            $"{path}: cannot tell the data format from the extension '{extension}'; name it (csv, tsv, jsonl, label-space-text or text-tab-label).", nameof(path));
    }

    internal static CsvReaderOptions CsvOptions(LabelledDataFormat format, LabelledDataOptions options, Action<CsvMalformedRecord> reportMalformed) => new()
    {
        OnMalformedRecord = reportMalformed,
        Separator = options.Delimiter ?? (format == LabelledDataFormat.Tsv ? '\t' : ','),
        HasHeader = options.HasHeader,
        Encoding = options.Encoding,
        TrackLineNumbers = true,
        AllowLineBreaksInQuotes = true,
        SkipEmptyLines = true,
        MalformedData = CsvMalformedDataHandling.Skip,
        FieldCountMismatch = CsvFieldCountHandling.Skip,
        MissingField = CsvMissingFieldHandling.ReturnEmpty,
    };

    private static IEnumerable<LabelledExample> ReadTable(Func<Action<CsvMalformedRecord>, CsvReader> open, string source, DataIssues issues, LabelledDataOptions options)
    {
        long lastMalformedLine = 0;
        // The reader reports a malformed record through this callback while it skips it, before Read returns.
        void ReportMalformed(CsvMalformedRecord record)
        {
            if (record.LineNumber == lastMalformedLine)
            {
                return;
            }
            lastMalformedLine = record.LineNumber;
            issues.Add(source, record.LineNumber, TableReader.MalformedMessage(record.Reason) + " (row skipped)");
        }

        using var reader = open(ReportMalformed);
        var columns = options.HasHeader ? reader.Headers : [];
        int textIndex, labelIndex;
        if (options.HasHeader)
        {
            textIndex = TableColumn.Resolve(options.TextColumn, columns, TableColumn.DefaultTextColumns, "text", source);
            labelIndex = TableColumn.Resolve(options.LabelColumn, columns, LabelledDataOptions.DefaultLabelColumns, "label", source);
        }
        else
        {
            textIndex = IndexWithoutHeader(options.TextColumn, 1, "text", source);
            labelIndex = IndexWithoutHeader(options.LabelColumn, 0, "label", source);
        }
        while (reader.Read())
        {
            var line = reader.LineNumber;
            if (options.InvalidBytes == InvalidTextHandling.Throw && (!Utf8.IsValid(reader.GetSpan(textIndex)) || !Utf8.IsValid(reader.GetSpan(labelIndex))))
            {
                throw new CorpusFormatException(source, reader.ByteOffset, $"invalid UTF-8 in the row on line {line}, which starts");
            }
            var example = Checked(reader.FieldCount > textIndex ? reader.GetString(textIndex) : null,
                reader.FieldCount > labelIndex ? reader.GetString(labelIndex) : null, line, source, issues);
            if (example is not null)
            {
                yield return example;
            }
        }
    }

    private static int IndexWithoutHeader(TableColumn? column, int fallback, string role, string source)
    {
        if (column is { Name: not null })
        {
            throw new InvalidDataException($"{source}: the file has no header, so choose the {role} column by 0-based index, not by the name {column}.");
        }
        return column?.Index ?? fallback;
    }

    private static IEnumerable<LabelledExample> ReadLines(LabelledDataFormat format, IEnumerable<string> lines, string source, DataIssues issues, LabelledDataOptions options)
    {
        long number = 0;
        foreach (var line in lines)
        {
            number++;
            if (line.Length == 0 || (number == 1 && line == "\uFEFF"))
            {
                continue;
            }
            var example = format switch
            {
                LabelledDataFormat.LabelSpaceText => SplitLabelFirst(line, number, source, issues),
                LabelledDataFormat.TextTabLabel => SplitLabelLast(line, number, source, issues),
                _ => FromJson(line, number, source, issues, options),
            };
            if (example is not null)
            {
                yield return example;
            }
        }
    }

    private static LabelledExample? SplitLabelFirst(string line, long number, string source, DataIssues issues)
    {
        var space = line.IndexOf(' ');
        return space < 0
            ? Checked(null, line, number, source, issues)
            : Checked(line[(space + 1)..], line[..space], number, source, issues);
    }

    private static LabelledExample? SplitLabelLast(string line, long number, string source, DataIssues issues)
    {
        var tab = line.LastIndexOf('\t');
        return tab < 0
            ? Checked(line, null, number, source, issues)
            : Checked(line[..tab], line[(tab + 1)..], number, source, issues);
    }

    private static LabelledExample? FromJson(string line, long number, string source, DataIssues issues, LabelledDataOptions options)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return null;
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            issues.Add(source, number, $"the line is not valid JSON ({e.Message}) (row skipped)");
            return null;
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                issues.Add(source, number, "the line is not a JSON object (row skipped)");
                return null;
            }
            // A key that an object lacks is a missing value of that row, not an error of the file: objects may differ.
            var properties = document.RootElement.EnumerateObject().ToArray();
            var names = properties.Select(property => property.Name).ToArray();
            var textIndex = options.TextColumn?.FindIn(names) ?? TableColumn.FindFirstNamed(names, TableColumn.DefaultTextColumns);
            var labelIndex = options.LabelColumn?.FindIn(names) ?? TableColumn.FindFirstNamed(names, LabelledDataOptions.DefaultLabelColumns);
            return Checked(textIndex < 0 ? null : JsonValueText(properties[textIndex].Value),
                labelIndex < 0 ? null : JsonValueText(properties[labelIndex].Value), number, source, issues);
        }
    }

    /// <summary>A JSON value as text: a string as itself, null as <c>null</c> (missing), anything else as its JSON.</summary>
    internal static string? JsonValueText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => value.GetRawText(),
    };

    private static LabelledExample? Checked(string? text, string? label, long line, string source, DataIssues issues)
    {
        label = label?.Trim();
        if (string.IsNullOrEmpty(label))
        {
            issues.Add(source, line, "the label is missing (row skipped)");
            return null;
        }
        if (string.IsNullOrWhiteSpace(text))
        {
            issues.Add(source, line, "the text is empty (row skipped)");
            return null;
        }
        return new LabelledExample(text, label, line, source);
    }

    private static IEnumerable<string> LinesOf(TextReader reader)
    {
        while (reader.ReadLine() is { } line)
        {
            yield return line;
        }
    }

    private static bool FirstLineHoldsTab(string path)
    {
        using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        return reader.ReadLine()?.Contains('\t') ?? false;
    }
}
