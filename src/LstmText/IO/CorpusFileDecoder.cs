using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace LstmText.IO;

/// <summary>
/// Decodes one file into blocks of text as it reads it, so no file is ever held whole in memory. UTF-8 is
/// decoded by hand rather than through a <see cref="StreamReader"/> because only that way can an invalid byte
/// be reported with its exact offset.
/// </summary>
internal static class CorpusFileDecoder
{
    private const int BlockBytes = 1 << 16;

    public static IEnumerable<string> ReadBlocks(string path, CorpusReadOptions options)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BlockBytes, FileOptions.SequentialScan);
        var encoding = options.Encoding ?? DetectUtf16(stream);
        if (encoding is not null && encoding is not UTF8Encoding)
        {
            foreach (var block in ReadWithEncoding(stream, encoding, path, options))
            {
                yield return block;
            }
            yield break;
        }
        foreach (var block in ReadUtf8(stream, path, options.InvalidBytes == InvalidTextHandling.Replace))
        {
            yield return block;
        }
    }

    private static Encoding? DetectUtf16(FileStream stream)
    {
        Span<byte> start = stackalloc byte[2];
        var read = stream.ReadAtLeast(start, 2, throwOnEndOfStream: false);
        stream.Position = 0;
        if (read == 2 && start[0] == 0xFF && start[1] == 0xFE)
        {
            return Encoding.Unicode;
        }
        return read == 2 && start[0] == 0xFE && start[1] == 0xFF ? Encoding.BigEndianUnicode : null;
    }

    private static IEnumerable<string> ReadUtf8(FileStream stream, string path, bool replaceInvalid)
    {
        var bytes = ArrayPool<byte>.Shared.Rent(BlockBytes);
        var chars = ArrayPool<char>.Shared.Rent(BlockBytes);
        try
        {
            var carried = 0;
            long offsetOfBuffer = 0;
            var first = true;
            while (true)
            {
                var read = stream.Read(bytes, carried, BlockBytes - carried);
                var available = carried + read;
                var start = 0;
                if (first && available >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF)
                {
                    start = 3;
                }
                first = false;
                var isFinal = read == 0;
                var status = Utf8.ToUtf16(bytes.AsSpan(start, available - start), chars, out var consumed, out var written,
                    replaceInvalidSequences: replaceInvalid, isFinalBlock: isFinal);
                if (status == System.Buffers.OperationStatus.InvalidData)
                {
                    throw new CorpusFormatException(path, offsetOfBuffer + start + consumed, "invalid UTF-8");
                }
                if (written > 0)
                {
                    yield return new string(chars, 0, written);
                }
                consumed += start;
                carried = available - consumed;
                bytes.AsSpan(consumed, carried).CopyTo(bytes);
                offsetOfBuffer += consumed;
                if (isFinal)
                {
                    yield break;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    private static IEnumerable<string> ReadWithEncoding(FileStream stream, Encoding encoding, string path, CorpusReadOptions options)
    {
        if (options.InvalidBytes == InvalidTextHandling.Throw)
        {
            encoding = (Encoding)encoding.Clone();
            encoding.DecoderFallback = DecoderFallback.ExceptionFallback;
        }
        using var reader = new StreamReader(stream, encoding, detectEncodingFromByteOrderMarks: true, BlockBytes);
        var chars = new char[BlockBytes];
        while (true)
        {
            int read;
            try
            {
                read = reader.Read(chars, 0, chars.Length);
            }
            catch (DecoderFallbackException e)
            {
                // The reader buffers ahead, so only the block is known; the index narrows it within the block.
                throw new CorpusFormatException(path, Math.Max(0, stream.Position - BlockBytes) + Math.Max(0, e.Index),
                    $"bytes that are not valid {encoding.WebName}");
            }
            if (read == 0)
            {
                yield break;
            }
            yield return new string(chars, 0, read);
        }
    }
}
