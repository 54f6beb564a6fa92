namespace LstmText.IO;

/// <summary>
/// A valid safetensors file is not a usable LstmText model file: its <c>lstmtext.*</c> metadata is
/// missing, of an unknown version, or malformed.
/// </summary>
public sealed class ModelFileFormatException : IOException
{
    /// <summary>Creates the exception for the file at <paramref name="filePath"/> and the problem found in it.</summary>
    public ModelFileFormatException(string filePath, string problem, Exception? innerException = null)
        : base($"{problem}: {filePath}", innerException)
    {
        FilePath = filePath;
        Problem = problem;
    }

    /// <summary>The path of the model file that was being read.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong with the file, without the path.</summary>
    public string Problem { get; }
}
