using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using LstmText.Tensors;

namespace LstmText.IO;

/// <summary>
/// The tensors and metadata of a safetensors file (the format of Hugging Face's <c>safetensors</c>
/// package), with methods to read and write one.
/// </summary>
/// <remarks>
/// Layout: an 8-byte little-endian header length N, N bytes of UTF-8 JSON naming every tensor's dtype,
/// shape and byte range, then the raw little-endian tensor bytes. See docs/model-format.md.
/// A file is treated as untrusted input: every offset, shape and size is checked against the file's
/// length before any tensor is allocated.
/// </remarks>
public sealed class SafeTensorsFile
{
    private const int LengthPrefixSize = 8;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Holds tensors and metadata (the dictionaries are used as given, not copied).</summary>
    public SafeTensorsFile(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        Tensors = tensors;
        Metadata = metadata;
    }

    /// <summary>The tensors by name, in the order their bytes appear in the file.</summary>
    public IReadOnlyDictionary<string, Tensor> Tensors { get; }

    /// <summary>The <c>__metadata__</c> strings; empty when the file has none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>
    /// The tensors stored as I8 (an int8 model file's quantized weights): read into float32 exactly, and written back as
    /// I8 by <see cref="Write(string, IEnumerable{KeyValuePair{string, Tensor}}, IReadOnlyDictionary{string, string}?, IReadOnlySet{string}?)"/>.
    /// </summary>
    internal IReadOnlySet<string> Int8Tensors { get; init; } = new HashSet<string>();

    /// <summary>Reads a safetensors file, converting F16, BF16 and F64 tensors to float32.</summary>
    /// <exception cref="SafeTensorsFormatException">The file is malformed or holds a dtype that cannot be converted.</exception>
    public static SafeTensorsFile Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        return Read(stream, path);
    }

    /// <summary>
    /// Reads a safetensors file from the current position of <paramref name="stream"/> to its end.
    /// </summary>
    /// <param name="stream">A readable, seekable stream: its length bounds every size the header claims.</param>
    /// <param name="sourceName">The file name to put in error messages.</param>
    /// <exception cref="SafeTensorsFormatException">The data is malformed or holds a dtype that cannot be converted.</exception>
    /// <exception cref="ArgumentException">The stream cannot seek, so its length is unknown.</exception>
    public static SafeTensorsFile Read(Stream stream, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek)
            throw new ArgumentException("The stream must be seekable: its length is needed to check the header before allocating.", nameof(stream));

        long available = stream.Length - stream.Position;
        if (available < LengthPrefixSize)
            throw new SafeTensorsFormatException(
                sourceName, $"it is {available} bytes long, shorter than the 8-byte header length");

        Span<byte> prefix = stackalloc byte[LengthPrefixSize];
        stream.ReadExactly(prefix);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > SafeTensorsHeader.MaxLength)
            throw new SafeTensorsFormatException(
                sourceName, $"the header length {headerLength} exceeds the limit of {SafeTensorsHeader.MaxLength} bytes");
        if (headerLength > (ulong)(available - LengthPrefixSize))
            throw new SafeTensorsFormatException(
                sourceName, $"the header length {headerLength} runs past the end of the file ({available - LengthPrefixSize} bytes follow it)");

        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        ulong dataLength = (ulong)(available - LengthPrefixSize) - headerLength;
        var header = SafeTensorsHeader.Parse(headerBytes, dataLength, sourceName);

        // Check every entry before allocating any tensor, so a bad last entry costs no memory.
        foreach (var entry in header.Entries)
        {
            if (!entry.DType.ConvertsToFloat32 && entry.DType != SafeTensorsDType.I8)
                throw new SafeTensorsFormatException(
                    sourceName, $"tensor '{entry.Name}' has dtype {entry.DType.Name}, which is not supported (only F32, F16, BF16, F64 and I8 are)");
            if (entry.ElementCount > (ulong)Array.MaxLength || entry.Dimensions.Any(d => d > int.MaxValue))
                throw new SafeTensorsFormatException(
                    sourceName, $"tensor '{entry.Name}' has more elements than one tensor can hold");
        }

        var tensors = new Dictionary<string, Tensor>(header.Entries.Count, StringComparer.Ordinal);
        foreach (var entry in header.Entries)
        {
            var tensor = Tensor.Zeros(new Shape(entry.Dimensions.Select(d => (int)d).ToArray()));
            try
            {
                ReadElements(stream, entry.DType, tensor.HostSpan);
            }
            catch (EndOfStreamException e)
            {
                throw new SafeTensorsFormatException(sourceName, $"the file ends inside tensor '{entry.Name}'", e);
            }
            tensors.Add(entry.Name, tensor);
        }
        return new SafeTensorsFile(tensors, header.Metadata)
        {
            Int8Tensors = header.Entries.Where(e => e.DType == SafeTensorsDType.I8).Select(e => e.Name).ToHashSet(StringComparer.Ordinal),
        };
    }

    /// <summary>
    /// Writes float32 tensors and metadata to <paramref name="path"/> atomically (see <see cref="AtomicFile"/>).
    /// </summary>
    /// <remarks>
    /// The layout is deterministic and matches the reference implementation's: tensors in order of their
    /// names' UTF-8 bytes, metadata keys in the same order, the header padded with spaces to a multiple of 8.
    /// </remarks>
    /// <exception cref="ArgumentException">Two tensors share a name, or a name is <c>__metadata__</c> or not valid Unicode.</exception>
    public static void Write(
        string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null) =>
        Write(path, tensors, metadata, null);

    /// <summary>
    /// Writes tensors and metadata to <paramref name="path"/> atomically, the tensors named in <paramref name="int8Tensors"/>
    /// as I8 (their values must be integers in [−128, 127]), after the float32 ones as the reference orders dtypes.
    /// </summary>
    /// <exception cref="ArgumentException">A name is invalid or repeated, or an I8 tensor holds a value that is not an integer in [−128, 127].</exception>
    internal static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata,
        IReadOnlySet<string>? int8Tensors)
    {
        var layout = Plan(tensors, metadata, int8Tensors);
        AtomicFile.Write(path, stream => WriteLayout(stream, layout));
    }

    /// <summary>Writes float32 tensors and metadata to <paramref name="stream"/> in safetensors layout.</summary>
    /// <inheritdoc cref="Write(string, IEnumerable{KeyValuePair{string, Tensor}}, IReadOnlyDictionary{string, string}?)" path="/remarks"/>
    /// <exception cref="ArgumentException">Two tensors share a name, or a name is <c>__metadata__</c> or not valid Unicode.</exception>
    public static void Write(
        Stream stream, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        WriteLayout(stream, Plan(tensors, metadata, null));
    }

    /// <summary>Writes this file's tensors and metadata to <paramref name="path"/> atomically.</summary>
    public void Write(string path) => Write(path, Tensors, Metadata, Int8Tensors);

    private sealed record Layout(
        List<(string Name, Tensor Tensor, bool Int8)> Tensors, byte[] Header);

    private static Layout Plan(IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata,
        IReadOnlySet<string>? int8Tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var ordered = new List<(string Name, byte[] Utf8, Tensor Tensor)>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, tensor) in tensors)
        {
            ArgumentNullException.ThrowIfNull(tensor, name);
            if (name == SafeTensorsHeader.MetadataKey)
                throw new ArgumentException($"'{SafeTensorsHeader.MetadataKey}' is reserved and cannot name a tensor.", nameof(tensors));
            if (!names.Add(name))
                throw new ArgumentException($"Two tensors are named '{name}'.", nameof(tensors));
            ordered.Add((name, Utf8(name, nameof(tensors)), tensor));
        }
        // The reference sorts by dtype, larger first (F32 before I8), then by name; comparing UTF-8 bytes (not UTF-16 code
        // units) matches Rust's and Python's string order.
        bool IsInt8(string name) => int8Tensors?.Contains(name) == true;
        ordered.Sort((a, b) => IsInt8(a.Name) != IsInt8(b.Name) ? (IsInt8(a.Name) ? 1 : -1) : a.Utf8.AsSpan().SequenceCompareTo(b.Utf8));
        foreach (var (name, _, tensor) in ordered)
        {
            if (!IsInt8(name)) continue;
            var values = tensor.IsOnHost ? tensor.HostSpan : tensor.ToArray();
            for (int i = 0; i < values.Length; i++)
                if (!(values[i] >= -128f && values[i] <= 127f) || values[i] != MathF.Round(values[i]))
                    throw new ArgumentException($"Tensor '{name}' is to be written as I8, but element {i} is {values[i]}, not an integer in [-128, 127].", nameof(tensors));
        }

        var sortedMetadata = new List<(byte[] Utf8Key, KeyValuePair<string, string> Pair)>();
        foreach (var pair in metadata ?? new Dictionary<string, string>())
        {
            ArgumentNullException.ThrowIfNull(pair.Value, pair.Key);
            Utf8(pair.Value, nameof(metadata));
            sortedMetadata.Add((Utf8(pair.Key, nameof(metadata)), pair));
        }
        sortedMetadata.Sort((a, b) => a.Utf8Key.AsSpan().SequenceCompareTo(b.Utf8Key));

        var entries = new List<(string, string, Shape, long, long)>(ordered.Count);
        long offset = 0;
        foreach (var (name, _, tensor) in ordered)
        {
            bool int8 = IsInt8(name);
            long length = (long)tensor.Length * (int8 ? sizeof(sbyte) : sizeof(float));
            entries.Add((name, int8 ? SafeTensorsDType.I8.Name : SafeTensorsDType.F32.Name, tensor.Shape, offset, offset + length));
            offset += length;
        }
        var header = SafeTensorsHeaderWriter.Write(entries, sortedMetadata.Select(item => item.Pair).ToList());
        return new Layout(ordered.Select(item => (item.Name, item.Tensor, IsInt8(item.Name))).ToList(), header);
    }

    private static void WriteLayout(Stream stream, Layout layout)
    {
        Span<byte> prefix = stackalloc byte[LengthPrefixSize];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)layout.Header.Length);
        stream.Write(prefix);
        stream.Write(layout.Header);
        foreach (var (_, tensor, int8) in layout.Tensors)
        {
            var values = tensor.IsOnHost ? tensor.HostSpan : tensor.ToArray(); // a device tensor is downloaded
            if (int8) WriteInt8(stream, values);
            else WriteElements(stream, values);
        }
    }

    /// <summary>Writes values checked to be integers in [−128, 127] as signed bytes.</summary>
    private static void WriteInt8(Stream stream, ReadOnlySpan<float> values)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (!values.IsEmpty)
            {
                int count = Math.Min(values.Length, buffer.Length);
                for (int i = 0; i < count; i++) buffer[i] = unchecked((byte)(sbyte)values[i]);
                stream.Write(buffer, 0, count);
                values = values[count..];
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void WriteElements(Stream stream, ReadOnlySpan<float> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(values));
            return;
        }
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (!values.IsEmpty)
            {
                int count = Math.Min(values.Length, buffer.Length / sizeof(float));
                for (int i = 0; i < count; i++)
                    BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(i * sizeof(float)), values[i]);
                stream.Write(buffer, 0, count * sizeof(float));
                values = values[count..];
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads little-endian elements of <paramref name="dtype"/> into <paramref name="destination"/> as float32.</summary>
    private static void ReadElements(Stream stream, SafeTensorsDType dtype, Span<float> destination)
    {
        if (dtype == SafeTensorsDType.F32 && BitConverter.IsLittleEndian)
        {
            stream.ReadExactly(MemoryMarshal.AsBytes(destination));
            return;
        }

        int size = dtype.ByteSize;
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (!destination.IsEmpty)
            {
                int count = Math.Min(destination.Length, buffer.Length / size);
                var bytes = buffer.AsSpan(0, count * size);
                stream.ReadExactly(bytes);
                Convert(dtype, bytes, destination[..count]);
                destination = destination[count..];
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void Convert(SafeTensorsDType dtype, ReadOnlySpan<byte> bytes, Span<float> destination)
    {
        int size = dtype.ByteSize;
        for (int i = 0; i < destination.Length; i++)
        {
            var element = bytes.Slice(i * size, size);
            if (dtype == SafeTensorsDType.F32)
                destination[i] = BinaryPrimitives.ReadSingleLittleEndian(element);
            else if (dtype == SafeTensorsDType.I8)
                destination[i] = unchecked((sbyte)element[0]);
            else if (dtype == SafeTensorsDType.F16)
                destination[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(element);
            else if (dtype == SafeTensorsDType.BF16)
                destination[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(element) << 16); // bfloat16 is the upper half of a float32.
            else
                destination[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(element);
        }
    }

    private static byte[] Utf8(string text, string parameterName)
    {
        try
        {
            return StrictUtf8.GetBytes(text);
        }
        catch (EncoderFallbackException e)
        {
            throw new ArgumentException($"'{text}' is not valid Unicode (it has an unpaired surrogate).", parameterName, e);
        }
    }

}
