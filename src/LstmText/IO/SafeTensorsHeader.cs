using System.Text;
using System.Text.Json;

namespace LstmText.IO;

/// <summary>
/// The parsed and validated JSON header of a safetensors file: the tensor entries in data order and
/// the <c>__metadata__</c> strings.
/// </summary>
internal sealed class SafeTensorsHeader
{
    /// <summary>The reference implementation's limit; a longer header is refused before it is read.</summary>
    public const long MaxLength = 100_000_000;

    public const string MetadataKey = "__metadata__";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private SafeTensorsHeader(IReadOnlyList<SafeTensorsEntry> entries, IReadOnlyDictionary<string, string> metadata)
    {
        Entries = entries;
        Metadata = metadata;
    }

    /// <summary>The tensors ordered by their offset in the data section.</summary>
    public IReadOnlyList<SafeTensorsEntry> Entries { get; }

    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>
    /// Parses <paramref name="json"/> and checks every entry against a data section of
    /// <paramref name="dataLength"/> bytes.
    /// </summary>
    /// <exception cref="SafeTensorsFormatException">The header is malformed or disagrees with the data.</exception>
    public static SafeTensorsHeader Parse(byte[] json, ulong dataLength, string source)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(json);
        }
        catch (DecoderFallbackException e)
        {
            throw new SafeTensorsFormatException(source, "the header is not valid UTF-8", e);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw new SafeTensorsFormatException(source, $"the header is not valid JSON ({e.Message})", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new SafeTensorsFormatException(source, $"the header is a JSON {Describe(root.ValueKind)}, not an object");

            var seen = new HashSet<string>(StringComparer.Ordinal);
            var entries = new List<SafeTensorsEntry>();
            IReadOnlyDictionary<string, string> metadata = new Dictionary<string, string>();
            try
            {
                foreach (var property in root.EnumerateObject())
                {
                    // JsonDocument keeps duplicate keys; a file whose meaning depends on which copy wins is refused.
                    if (!seen.Add(property.Name))
                        throw new SafeTensorsFormatException(source, $"the header names '{property.Name}' more than once");
                    if (property.Name == MetadataKey)
                        metadata = ParseMetadata(property.Value, source);
                    else
                        entries.Add(ParseEntry(property.Name, property.Value, source));
                }
            }
            catch (InvalidOperationException e)
            {
                // Valid JSON can escape half of a surrogate pair (\ud800): such a name or string is not text.
                throw new SafeTensorsFormatException(source, "the header holds a name or string that is not valid Unicode (a lone surrogate escape)", e);
            }

            CheckLayout(entries, dataLength, source);
            return new SafeTensorsHeader(entries, metadata);
        }
    }

    private static Dictionary<string, string> ParseMetadata(JsonElement element, string source)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (element.ValueKind == JsonValueKind.Null)
            return metadata; // The reference treats a null __metadata__ as absent.
        if (element.ValueKind != JsonValueKind.Object)
            throw new SafeTensorsFormatException(source, $"{MetadataKey} is a JSON {Describe(element.ValueKind)}, not an object of strings");
        foreach (var property in element.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String)
                throw new SafeTensorsFormatException(
                    source, $"{MetadataKey} value for key '{property.Name}' is a JSON {Describe(property.Value.ValueKind)}, not a string");
            if (!metadata.TryAdd(property.Name, property.Value.GetString()!))
                throw new SafeTensorsFormatException(source, $"{MetadataKey} names key '{property.Name}' more than once");
        }
        return metadata;
    }

    private static SafeTensorsEntry ParseEntry(string name, JsonElement element, string source)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw new SafeTensorsFormatException(source, $"tensor '{name}' is described by a JSON {Describe(element.ValueKind)}, not an object");

        if (!element.TryGetProperty("dtype", out var dtypeElement))
            throw new SafeTensorsFormatException(source, $"tensor '{name}' has no dtype");
        if (dtypeElement.ValueKind != JsonValueKind.String)
            throw new SafeTensorsFormatException(source, $"tensor '{name}' has a dtype that is not a string");
        string dtypeName = dtypeElement.GetString()!;
        var dtype = SafeTensorsDType.Find(dtypeName)
            ?? throw new SafeTensorsFormatException(source, $"tensor '{name}' has unknown dtype '{dtypeName}'");

        if (!element.TryGetProperty("shape", out var shapeElement))
            throw new SafeTensorsFormatException(source, $"tensor '{name}' has no shape");
        if (shapeElement.ValueKind != JsonValueKind.Array)
            throw new SafeTensorsFormatException(source, $"tensor '{name}' has a shape that is not an array");
        var dimensions = new ulong[shapeElement.GetArrayLength()];
        for (int i = 0; i < dimensions.Length; i++)
            dimensions[i] = ReadUnsigned(shapeElement[i], $"dimension {i} of tensor '{name}'", source);
        ulong elementCount = CountElements(dimensions)
            ?? throw new SafeTensorsFormatException(source, $"the element count of tensor '{name}' (shape {Format(dimensions)}) overflows");

        if (!element.TryGetProperty("data_offsets", out var offsetsElement))
            throw new SafeTensorsFormatException(source, $"tensor '{name}' has no data_offsets");
        if (offsetsElement.ValueKind != JsonValueKind.Array || offsetsElement.GetArrayLength() != 2)
            throw new SafeTensorsFormatException(source, $"tensor '{name}' has data_offsets that are not an array of two integers");
        ulong begin = ReadUnsigned(offsetsElement[0], $"the begin offset of tensor '{name}'", source);
        ulong end = ReadUnsigned(offsetsElement[1], $"the end offset of tensor '{name}'", source);
        if (end < begin)
            throw new SafeTensorsFormatException(source, $"tensor '{name}' ends (offset {end}) before it begins (offset {begin})");

        bool sizeFits = elementCount <= ulong.MaxValue / (ulong)dtype.ByteSize;
        if (!sizeFits || elementCount * (ulong)dtype.ByteSize != end - begin)
        {
            string needed = sizeFits ? $"{elementCount * (ulong)dtype.ByteSize}" : "more than 2^64";
            throw new SafeTensorsFormatException(
                source, $"tensor '{name}' spans {end - begin} bytes but shape {Format(dimensions)} of {dtype.Name} needs {needed}");
        }

        return new SafeTensorsEntry(name, dtype, dimensions, elementCount, begin, end);
    }

    /// <summary>
    /// Requires the tensors to tile the data section exactly: in offset order, each begins where the
    /// previous one ended, the first at 0 and the last at the end of the file. This is the reference
    /// implementation's rule (<c>Metadata::validate</c> plus its <c>MetadataIncompleteBuffer</c> check),
    /// so no byte of the file goes unexplained and no two tensors share bytes.
    /// </summary>
    private static void CheckLayout(List<SafeTensorsEntry> entries, ulong dataLength, string source)
    {
        foreach (var entry in entries)
        {
            if (entry.End > dataLength)
                throw new SafeTensorsFormatException(
                    source, $"tensor '{entry.Name}' occupies bytes [{entry.Begin}, {entry.End}) but the data section holds only {dataLength} bytes");
        }

        entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        ulong expected = 0;
        SafeTensorsEntry? previous = null;
        foreach (var entry in entries)
        {
            if (entry.Begin < expected)
                throw new SafeTensorsFormatException(
                    source, $"tensor '{entry.Name}' [{entry.Begin}, {entry.End}) overlaps tensor '{previous!.Name}' [{previous.Begin}, {previous.End})");
            if (entry.Begin > expected)
                throw new SafeTensorsFormatException(
                    source, $"bytes [{expected}, {entry.Begin}) of the data section, before tensor '{entry.Name}', belong to no tensor");
            expected = entry.End;
            previous = entry;
        }
        if (expected != dataLength)
            throw new SafeTensorsFormatException(
                source, $"bytes [{expected}, {dataLength}) at the end of the data section belong to no tensor");
    }

    /// <summary>The product of the dimensions, or null when it overflows (a zero dimension wins over overflow).</summary>
    private static ulong? CountElements(ulong[] dimensions)
    {
        if (dimensions.Contains(0UL))
            return 0;
        ulong count = 1;
        foreach (ulong dimension in dimensions)
        {
            if (count > ulong.MaxValue / dimension)
                return null;
            count *= dimension;
        }
        return count;
    }

    private static ulong ReadUnsigned(JsonElement element, string what, string source)
    {
        if (element.ValueKind == JsonValueKind.Number)
        {
            if (element.TryGetUInt64(out ulong value))
                return value;
            if (element.TryGetInt64(out long negative) && negative < 0)
                throw new SafeTensorsFormatException(source, $"{what} is negative ({negative})");
        }
        throw new SafeTensorsFormatException(source, $"{what} is not a non-negative integer ({element.GetRawText()})");
    }

    private static string Format(ulong[] dimensions) => "[" + string.Join(", ", dimensions) + "]";

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => "null",
    };
}
