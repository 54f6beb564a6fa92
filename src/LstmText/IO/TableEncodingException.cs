namespace LstmText.IO;

/// <summary>
/// A table holds bytes that are not valid UTF-8, its encoding. The table is not read on: a row whose bytes were
/// replaced could not be written back as it was. The message names the file, the line and the byte offset.
/// </summary>
public sealed class TableEncodingException : FormatException
{
    /// <summary>Creates the exception for the first invalid byte, at <paramref name="byteOffset"/> on <paramref name="line"/> of <paramref name="source"/>.</summary>
    /// <param name="source">The file, or a name such as <c>&lt;stdin&gt;</c>.</param>
    /// <param name="line">The 1-based line that holds the byte.</param>
    /// <param name="byteOffset">The offset of the byte from the start of the input, or -1 when it is not known.</param>
    public TableEncodingException(string source, long line, long byteOffset)
        : base(byteOffset >= 0
            ? $"{source}: line {line} is not valid UTF-8 (the first bad byte is at byte offset {byteOffset})."
            : $"{source}: line {line} is not valid UTF-8.")
    {
        Source = source;
        Line = line;
        ByteOffset = byteOffset;
    }

    /// <summary>The file, or a name such as <c>&lt;stdin&gt;</c>.</summary>
    public new string Source { get; }

    /// <summary>The 1-based line that holds the first invalid byte.</summary>
    public long Line { get; }

    /// <summary>The offset of the first invalid byte from the start of the input, or -1 when it is not known.</summary>
    public long ByteOffset { get; }
}
