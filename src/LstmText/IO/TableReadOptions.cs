using System.Text;

namespace LstmText.IO;

/// <summary>How <see cref="TableReader"/> reads a table.</summary>
public sealed record TableReadOptions
{
    /// <summary>The layout; <c>null</c> (the default) takes it from the extension (<c>.csv</c>, <c>.tsv</c>, <c>.jsonl</c>, <c>.ndjson</c>).</summary>
    public TableFormat? Format { get; init; }

    /// <summary>The field separator of CSV and TSV; <c>null</c> means a comma for CSV and a tab for TSV.</summary>
    public char? Delimiter { get; init; }

    /// <summary>Whether the first record of a CSV or TSV table names the columns (the default). Without one, columns are named by position: <c>0</c>, <c>1</c>, ...</summary>
    public bool HasHeader { get; init; } = true;

    /// <summary>
    /// The encoding of a file or standard input; <c>null</c> (the default) means UTF-8 with a byte order mark skipped.
    /// <see cref="TextCorpus.EncodingNamed"/> finds Latin-1 and <c>windows-1252</c>. JSON Lines must be UTF-8 or a
    /// one-byte-per-character encoding.
    /// </summary>
    public Encoding? Encoding { get; init; }
}
