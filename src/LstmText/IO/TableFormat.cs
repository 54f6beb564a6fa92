

namespace LstmText.IO;

/// <summary>The layout of a table that <see cref="TableReader"/> reads and the classifier's <c>TableWriter</c> writes.</summary>
public enum TableFormat
{
    /// <summary>Comma-separated values (RFC 4180: quoted fields may hold commas, quotes and line breaks).</summary>
    Csv,

    /// <summary>Tab-separated values, quoted as in <see cref="Csv"/>.</summary>
    Tsv,

    /// <summary>JSON Lines: one JSON object per line; its keys are the columns.</summary>
    JsonLines,
}
