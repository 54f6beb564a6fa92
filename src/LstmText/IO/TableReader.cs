using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;
using CsvHelper;

namespace LstmText.IO;

/// <summary>
/// Reads a CSV, TSV or JSON Lines table row by row with every field, for a file, standard input or a text reader.
/// Only one row is in memory at a time. A row that cannot be read whole is still returned, with its
/// <see cref="TableRow.Problem"/>, so that a caller can keep every row in its place.
/// </summary>
public sealed class TableReader : IDisposable
{
    /// <summary>The path that means standard input (or standard output, to a writer).</summary>
    public const string StandardStream = "-";

    private readonly CsvReader? csv;
    private readonly IEnumerator<(long Line, string? Text, long InvalidByte)>? jsonLines;
    private readonly Dictionary<long, CsvMalformedReason> malformedLines;
    private readonly Queue<TableRow> recovered = new();
    private readonly bool checkUtf8;
    private TableRow? pending;
    private bool started;

    private TableReader(string source, TableFormat format, char delimiter, bool hasHeader, CsvReader? csv, IEnumerator<(long, string?, long)>? jsonLines,
        Dictionary<long, CsvMalformedReason>? malformedLines = null, bool checkUtf8 = false)
    {
        this.malformedLines = malformedLines ?? [];
        this.checkUtf8 = checkUtf8;
        Source = source;
        Format = format;
        Delimiter = delimiter;
        HasHeader = hasHeader;
        this.csv = csv;
        this.jsonLines = jsonLines;
        Columns = ReadColumns();
    }

    /// <summary>The file the rows come from, or a name such as <c>&lt;stdin&gt;</c>.</summary>
    public string Source { get; }

    /// <summary>The layout of the table.</summary>
    public TableFormat Format { get; }

    /// <summary>The field separator of CSV and TSV.</summary>
    public char Delimiter { get; }

    /// <summary>Whether the table starts with a header (always for JSON Lines, whose keys name the columns).</summary>
    public bool HasHeader { get; }

    /// <summary>
    /// The column names: the header, the keys of the first JSON object, or <c>0</c>, <c>1</c>, ... for a table
    /// without a header (as many as the first row has fields).
    /// </summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>Opens a file, or standard input for <c>-</c>; the format comes from the options or else the extension.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ArgumentException">The format is not given and the extension does not tell it.</exception>
    public static TableReader Open(string path, TableReadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new TableReadOptions();
        if (path == StandardStream)
        {
            var standardFormat = options.Format ?? throw new ArgumentException("Standard input has no extension: name its format (csv, tsv or jsonl).", nameof(options));
            return Open(Console.OpenStandardInput(), standardFormat, options, "<stdin>");
        }
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The input file {path} does not exist.", path);
        }
        var format = options.Format ?? FormatOf(path);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        try
        {
            return Open(stream, format, options, path);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Reads a table from a byte stream, which the reader disposes; rows and issues name it <paramref name="sourceName"/>.</summary>
    /// <remarks>
    /// Bytes that are not valid UTF-8 (when the encoding is UTF-8, the default) stop the reading with a
    /// <see cref="TableEncodingException"/> that names the line and byte offset: a row is never read with its bytes
    /// replaced, so a table written back from its rows holds every byte as it was.
    /// </remarks>
    public static TableReader Open(Stream stream, TableFormat format, TableReadOptions? options = null, string sourceName = "<stdin>")
    {
        ArgumentNullException.ThrowIfNull(stream);
        options ??= new TableReadOptions();
        var delimiter = DelimiterOf(format, options);
        if (format == TableFormat.JsonLines)
        {
            return new TableReader(sourceName, format, delimiter, true, null, JsonLinesOf(stream, options.Encoding).GetEnumerator());
        }
        var malformed = new Dictionary<long, CsvMalformedReason>();
        var csv = CsvReader.Create(stream, CsvOptions(delimiter, options, record => NoteMalformed(malformed, record)), leaveOpen: false);
        return new TableReader(sourceName, format, delimiter, options.HasHeader, csv, null, malformed, checkUtf8: options.Encoding is null or UTF8Encoding);
    }

    /// <summary>Reads a table from text (standard input, a string); the text reader is not disposed.</summary>
    public static TableReader Open(TextReader reader, TableFormat format, TableReadOptions? options = null, string sourceName = "<stdin>")
    {
        ArgumentNullException.ThrowIfNull(reader);
        options ??= new TableReadOptions();
        var delimiter = DelimiterOf(format, options);
        if (format == TableFormat.JsonLines)
        {
            return new TableReader(sourceName, format, delimiter, true, null, JsonLinesOf(reader).GetEnumerator());
        }
        var malformed = new Dictionary<long, CsvMalformedReason>();
        var csv = CsvReader.Create(reader, CsvOptions(delimiter, options, record => NoteMalformed(malformed, record)), leaveOpen: true);
        return new TableReader(sourceName, format, delimiter, options.HasHeader, csv, null, malformed);
    }

    /// <summary>The format that a file's extension implies.</summary>
    /// <exception cref="ArgumentException">The extension is not <c>.csv</c>, <c>.tsv</c>, <c>.tab</c>, <c>.jsonl</c> or <c>.ndjson</c>.</exception>
    public static TableFormat FormatOf(string path) =>
        TryFormatOf(path, out var format)
            ? format
            : throw new ArgumentException(
                $"{path}: cannot tell the table format from the extension '{Path.GetExtension(path).ToLowerInvariant()}'; name it (csv, tsv or jsonl).", nameof(path));

    /// <summary>The table format of a <c>.csv</c>, <c>.tsv</c>/<c>.tab</c> or <c>.jsonl</c>/<c>.ndjson</c> file; false for other extensions.</summary>
    internal static bool TryFormatOf(string path, out TableFormat format)
    {
        (bool known, format) = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".csv" => (true, TableFormat.Csv),
            ".tsv" or ".tab" => (true, TableFormat.Tsv),
            ".jsonl" or ".ndjson" => (true, TableFormat.JsonLines),
            _ => (false, default),
        };
        return known;
    }

    /// <summary>
    /// The position of the text column: <paramref name="chosen"/> when given, else the first column named text,
    /// review, sentence or message (any case).
    /// </summary>
    /// <exception cref="InvalidDataException">No such column (the message lists the columns), or the table is empty.</exception>
    public int FindTextColumn(TableColumn? chosen)
    {
        if (Columns.Count == 0)
        {
            throw new InvalidDataException($"{Source}: the table is empty: it has no header and no rows.");
        }
        if (chosen is null && !HasHeader)
        {
            throw new InvalidDataException($"{Source}: the table has no header, so choose the text column by 0-based index (it has {Columns.Count} columns).");
        }
        return TableColumn.Resolve(chosen, Columns, TableColumn.DefaultTextColumns, "text", Source);
    }

    /// <summary>The rows after the header, in order. They can be enumerated once.</summary>
    public IEnumerable<TableRow> ReadRows()
    {
        if (started)
        {
            throw new InvalidOperationException("The rows of a table can be read only once.");
        }
        started = true;
        if (pending is not null)
        {
            yield return pending;
            pending = null;
        }
        while (ReadRow() is { } row)
        {
            yield return row;
        }
    }

    /// <summary>Closes the input.</summary>
    public void Dispose()
    {
        csv?.Dispose();
        jsonLines?.Dispose();
    }

    private string[] ReadColumns()
    {
        if (csv is not null && HasHeader)
        {
            string[] headers = [.. csv.Headers];
            if (checkUtf8 && headers.Any(name => name.Contains('\uFFFD')))
            {
                // The header is read before any record, so only its line is known.
                throw new TableEncodingException(Source, 1, -1);
            }
            return headers;
        }
        // Without a header the first row tells how many columns there are, and is kept to be returned first.
        pending = ReadRow(firstRow: true);
        if (pending is null)
        {
            return [];
        }
        if (csv is not null)
        {
            return [.. Enumerable.Range(0, pending.Fields.Count).Select(index => index.ToString(CultureInfo.InvariantCulture))];
        }
        return pending.JsonObject is { } first ? [.. first.Select(property => property.Key)] : [];
    }

    private TableRow? ReadRow(bool firstRow = false)
    {
        // While the constructor reads the first row, Columns is not known yet: the first JSON object sets it.
        return csv is not null ? ReadCsvRow(firstRow) : ReadJsonRow(firstRow ? null : Columns);
    }

    private TableRow? ReadCsvRow(bool firstRow)
    {
        if (recovered.TryDequeue(out var next))
        {
            return next;
        }
        if (!csv!.Read())
        {
            return null;
        }
        var line = csv.LineNumber;
        var raw = csv.RawRecord;
        if (checkUtf8 && !Utf8.IsValid(raw))
        {
            throw new TableEncodingException(Source, line, csv.ByteOffset + FirstInvalidByte(raw));
        }
        var quoting = malformedLines.Remove(line, out var reason);
        if (quoting && raw.IndexOfAny((byte)'\n', (byte)'\r') >= 0)
        {
            // A quote that is never closed (or closed in the wrong place) makes one record of many lines: the rows
            // it swallowed are read again one line each, so that none is lost and only the broken line is flagged.
            foreach (var piece in SplitIntoLines(raw, line, firstRow))
            {
                recovered.Enqueue(piece);
            }
            return recovered.Dequeue();
        }
        var fields = new string[csv.FieldCount];
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = csv.GetString(i) ?? "";
        }
        var problem = quoting ? QuotingProblem(reason) : null;
        if (problem is null && !firstRow && fields.Length != Columns.Count)
        {
            problem = FieldCountProblem(fields.Length);
        }
        return new TableRow(line, fields, problem, null);
    }

    /// <summary>Reads the bytes of a malformed multi-line record again with every line break ending a record.</summary>
    private List<TableRow> SplitIntoLines(ReadOnlySpan<byte> raw, long firstLine, bool firstRow)
    {
        var rows = new List<TableRow>();
        var malformed = new Dictionary<long, CsvMalformedReason>();
        var options = CsvOptions(Delimiter, new TableReadOptions { HasHeader = false }, record => NoteMalformed(malformed, record)) with
        {
            AllowLineBreaksInQuotes = false,
        };
        using var lines = CsvReader.Create(raw.ToArray(), options);
        while (lines.Read())
        {
            var fields = new string[lines.FieldCount];
            for (var i = 0; i < fields.Length; i++)
            {
                fields[i] = lines.GetString(i) ?? "";
            }
            var problem = malformed.Remove(lines.LineNumber, out var reason) && QuotingProblem(reason) is not null ? UnclosedOnItsLine : null;
            if (rows.Count == 0)
            {
                problem = UnclosedOnItsLine + "; the lines after it are read as rows";
            }
            if (problem is null && !(firstRow && rows.Count == 0) && fields.Length != (firstRow ? rows[0].Fields.Count : Columns.Count))
            {
                problem = FieldCountProblem(fields.Length);
            }
            rows.Add(new TableRow(firstLine + lines.LineNumber - 1, fields, problem, null));
        }
        return rows;
    }

    private const string UnclosedOnItsLine = "a quote opened on this line is not closed on it";

    private static string? QuotingProblem(CsvMalformedReason reason) =>
        reason is CsvMalformedReason.UnterminatedQuote or CsvMalformedReason.LineBreakInQuotes ? MalformedMessage(reason) : null;

    private string FieldCountProblem(int count) =>
        $"the row has {count} fields and the {(HasHeader ? "header" : "first row")} {Columns.Count}";

    private static int FirstInvalidByte(ReadOnlySpan<byte> bytes)
    {
        var index = 0;
        while (index < bytes.Length)
        {
            if (Rune.DecodeFromUtf8(bytes[index..], out _, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return index;
            }
            index += consumed;
        }
        return index;
    }

    private TableRow? ReadJsonRow(IReadOnlyList<string>? columns)
    {
        while (jsonLines!.MoveNext())
        {
            var (line, text, invalidByte) = jsonLines.Current;
            if (invalidByte >= 0)
            {
                throw new TableEncodingException(Source, line, invalidByte);
            }
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }
            JsonNode? node;
            try
            {
                // A key given twice would make the object throw when it is first read; it is a line that is not valid here.
                node = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false });
            }
            catch (JsonException e)
            {
                return new TableRow(line, [], $"the line is not valid JSON ({e.Message})", null);
            }
            if (node is not JsonObject obj)
            {
                return new TableRow(line, [], "the line is not a JSON object", null);
            }
            var names = columns ?? [.. obj.Select(property => property.Key)];
            string[] fields;
            try
            {
                fields = [.. names.Select(name => ValueText(obj[name]))];
            }
            catch (InvalidOperationException)
            {
                // A string such as "\ud83d" alone escapes half a character: the line stays as it is, without a text.
                return new TableRow(line, [.. names.Select(_ => "")], "a string holds an unpaired surrogate escape (\\ud800-\\udfff), which is not text", null, text);
            }
            return new TableRow(line, fields, null, obj);
        }
        return null;
    }

    internal static string ValueText(JsonNode? node) => node switch
    {
        null => "",
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        _ => node.ToJsonString(),
    };

    private static void NoteMalformed(Dictionary<long, CsvMalformedReason> malformedLines, CsvMalformedRecord record)
    {
        // A quote inside or after a field is read leniently, as other RFC 4180 readers do, unless the record runs over
        // several lines (then a quote is out of place and the lines are read again); what cannot be read whole is marked.
        if (record.Reason is not CsvMalformedReason.FieldCountMismatch)
        {
            malformedLines.TryAdd(record.LineNumber, record.Reason);
        }
    }

    private static char DelimiterOf(TableFormat format, TableReadOptions options) =>
        options.Delimiter ?? (format == TableFormat.Tsv ? '\t' : ',');

    private static CsvReaderOptions CsvOptions(char delimiter, TableReadOptions options, Action<CsvMalformedRecord> reportMalformed) => new()
    {
        Separator = delimiter,
        HasHeader = options.HasHeader,
        Encoding = options.Encoding,
        TrackLineNumbers = true,
        AllowLineBreaksInQuotes = true,
        SkipEmptyLines = true,
        MalformedData = CsvMalformedDataHandling.Recover,
        FieldCountMismatch = CsvFieldCountHandling.Allow,
        MissingField = CsvMissingFieldHandling.ReturnEmpty,
        OnMalformedRecord = reportMalformed,
    };

    /// <summary>The lines of a byte stream, decoded; <c>InvalidByte</c> is the offset of the first byte that is not valid UTF-8 in a UTF-8 line, else -1.</summary>
    private static IEnumerable<(long Line, string? Text, long InvalidByte)> JsonLinesOf(Stream stream, Encoding? encoding)
    {
        using var input = stream;
        var utf8 = encoding is null or UTF8Encoding;
        var buffer = new byte[1 << 16];
        var line = new MemoryStream();
        long number = 0, lineStart = 0, offset = 0;
        int read;
        while ((read = input.Read(buffer, 0, buffer.Length)) > 0)
        {
            var start = 0;
            int newline;
            while ((newline = Array.IndexOf(buffer, (byte)'\n', start, read - start)) >= 0)
            {
                line.Write(buffer, start, newline - start);
                yield return Decode(line, ++number, utf8 ? null : encoding, lineStart);
                line.SetLength(0);
                lineStart = offset + newline + 1;
                start = newline + 1;
            }
            line.Write(buffer, start, read - start);
            offset += read;
        }
        if (line.Length > 0)
        {
            yield return Decode(line, ++number, utf8 ? null : encoding, lineStart);
        }
    }

    private static (long, string?, long) Decode(MemoryStream line, long number, Encoding? encoding, long lineStart)
    {
        var bytes = line.GetBuffer().AsSpan(0, (int)line.Length);
        var skipped = 0;
        if (lineStart == 0 && bytes.StartsWith("\uFEFF"u8) && encoding is null)
        {
            bytes = bytes[3..];
            skipped = 3;
        }
        if (bytes.EndsWith("\r"u8))
        {
            bytes = bytes[..^1];
        }
        if (encoding is not null)
        {
            return (number, encoding.GetString(bytes), -1);
        }
        return Utf8.IsValid(bytes) ? (number, Encoding.UTF8.GetString(bytes), -1) : (number, null, lineStart + skipped + FirstInvalidByte(bytes));
    }

    private static IEnumerable<(long Line, string? Text, long InvalidByte)> JsonLinesOf(TextReader reader)
    {
        long number = 0;
        while (reader.ReadLine() is { } line)
        {
            yield return (++number, line, -1);
        }
    }

    /// <summary>What a malformed CSV row is, in words.</summary>
    internal static string MalformedMessage(CsvMalformedReason reason) => reason switch
    {
        CsvMalformedReason.FieldCountMismatch => "the row has a different number of fields from the header",
        CsvMalformedReason.UnterminatedQuote => "a quoted field is never closed",
        CsvMalformedReason.StrayQuote => "a quote inside an unquoted field",
        CsvMalformedReason.TextAfterClosingQuote => "text after the closing quote of a field",
        CsvMalformedReason.LineBreakInQuotes => "a line break inside a quoted field",
        _ => $"malformed row ({reason})",
    };
}
