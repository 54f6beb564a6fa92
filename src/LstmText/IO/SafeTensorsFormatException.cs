namespace LstmText.IO;

/// <summary>
/// A file or stream is not a valid safetensors file: its header is malformed, or its offsets, shapes
/// and sizes disagree with each other or with the length of the data.
/// It is an <see cref="IOException"/> so one handler covers a model file that is missing, unreadable or corrupt.
/// </summary>
public sealed class SafeTensorsFormatException : IOException
{
    /// <summary>Creates the exception for the file at <paramref name="filePath"/> and the problem found in it.</summary>
    public SafeTensorsFormatException(string filePath, string problem, Exception? innerException = null)
        : base($"'{filePath}' is not a valid safetensors file: {problem}", innerException)
    {
        FilePath = filePath;
        Problem = problem;
    }

    /// <summary>The path of the file (or the name given for a stream) that was being read.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong with the file, without the path.</summary>
    public string Problem { get; }
}
