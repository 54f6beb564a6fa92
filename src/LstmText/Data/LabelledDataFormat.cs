namespace LstmText.Data;

/// <summary>The layout of a file of labelled texts.</summary>
public enum LabelledDataFormat
{
    /// <summary>Comma-separated values (RFC 4180: quoted fields may hold commas, quotes and line breaks).</summary>
    Csv,

    /// <summary>Tab-separated values, quoted as in <see cref="Csv"/>.</summary>
    Tsv,

    /// <summary>JSON Lines: one JSON object per line.</summary>
    JsonLines,

    /// <summary>One example per line, the label first and then the text after one space, as SST's <c>1 a moving film</c>.</summary>
    LabelSpaceText,

    /// <summary>One example per line, the text and then the label after the last tab, as the UCI sentiment sentences.</summary>
    TextTabLabel,
}
