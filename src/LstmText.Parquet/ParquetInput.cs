using Parquet;

namespace LstmText.Parquet;

/// <summary>An open Parquet file: its stream and reader, disposed together; a file that is not Parquet gets one clear error.</summary>
internal sealed class ParquetInput : IDisposable
{
    private readonly FileStream stream;

    private ParquetInput(string path, FileStream stream, ParquetReader reader)
    {
        Path = path;
        this.stream = stream;
        Reader = reader;
    }

    public string Path { get; }

    public ParquetReader Reader { get; }

    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not Parquet.</exception>
    public static ParquetInput Open(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"The input file {path} does not exist.", path);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        try
        {
            var reader = ParquetReader.CreateAsync(stream, leaveStreamOpen: true).GetAwaiter().GetResult();
            return new ParquetInput(path, stream, reader);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or NotSupportedException or ArgumentException or FormatException)
        {
            stream.Dispose();
            throw new InvalidDataException($"{path}: not a Parquet file Parquet.Net can read ({e.Message})", e);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        stream.Dispose();
    }
}
