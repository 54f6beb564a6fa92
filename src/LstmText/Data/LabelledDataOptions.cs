using System.Text;
using LstmText.IO;

namespace LstmText.Data;

/// <summary>How <see cref="LabelledData"/> reads a file of labelled texts.</summary>
public sealed record LabelledDataOptions
{
    /// <summary>
    /// The layout; <c>null</c> (the default) takes it from the extension: <c>.csv</c>, <c>.tsv</c>,
    /// <c>.jsonl</c>/<c>.ndjson</c>, and for <c>.txt</c> <see cref="LabelledDataFormat.TextTabLabel"/> when the
    /// first line holds a tab, else <see cref="LabelledDataFormat.LabelSpaceText"/>.
    /// </summary>
    public LabelledDataFormat? Format { get; init; }

    /// <summary>The field separator of CSV and TSV; <c>null</c> means a comma for CSV and a tab for TSV.</summary>
    public char? Delimiter { get; init; }

    /// <summary>Whether the first record of a CSV or TSV file names the columns (the default).</summary>
    public bool HasHeader { get; init; } = true;

    /// <summary>
    /// The text column of CSV, TSV and JSON Lines; <c>null</c> means the first column named text, review,
    /// sentence or message (any case), or column 1 in a file without a header.
    /// </summary>
    public TableColumn? TextColumn { get; init; }

    /// <summary>
    /// The label column of CSV, TSV and JSON Lines; <c>null</c> means the first column named label, sentiment,
    /// class, category or target (any case), or column 0 in a file without a header.
    /// </summary>
    public TableColumn? LabelColumn { get; init; }

    /// <summary>
    /// The encoding; <c>null</c> (the default) means UTF-8 with a byte order mark skipped.
    /// <see cref="TextCorpus.EncodingNamed"/> finds Latin-1 (<c>iso-8859-1</c>) and <c>windows-1252</c>.
    /// </summary>
    public Encoding? Encoding { get; init; }

    /// <summary>Whether invalid UTF-8 stops reading with a <see cref="CorpusFormatException"/> (the default) or becomes U+FFFD.</summary>
    public InvalidTextHandling InvalidBytes { get; init; } = InvalidTextHandling.Throw;


    internal static readonly string[] DefaultLabelColumns = ["label", "sentiment", "class", "category", "target"];
}
