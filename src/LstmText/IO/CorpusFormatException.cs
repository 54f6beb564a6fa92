namespace LstmText.IO;

/// <summary>A corpus file is not valid text in its encoding; the message names the file and the byte offset.</summary>
public sealed class CorpusFormatException : FormatException
{
    /// <summary>Creates the exception for invalid bytes at <paramref name="byteOffset"/> of <paramref name="filePath"/>.</summary>
    public CorpusFormatException(string filePath, long byteOffset, string problem)
        : base($"{filePath}: {problem} at byte offset {byteOffset}.")
    {
        FilePath = filePath;
        ByteOffset = byteOffset;
    }

    /// <summary>The file that holds the invalid bytes.</summary>
    public string FilePath { get; }

    /// <summary>The offset from the start of the file of the first invalid byte.</summary>
    public long ByteOffset { get; }
}
