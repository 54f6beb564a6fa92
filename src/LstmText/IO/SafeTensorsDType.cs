namespace LstmText.IO;

/// <summary>An element type that may appear in a safetensors header, with its size.</summary>
/// <remarks>
/// The list follows the reference implementation, so the reader can check the byte span of any
/// tensor, including ones whose type it cannot convert to float32. Instances are unique per name,
/// so they compare by reference.
/// </remarks>
internal sealed class SafeTensorsDType(string name, int byteSize, bool convertsToFloat32)
{
    public string Name { get; } = name;

    public int ByteSize { get; } = byteSize;

    public bool ConvertsToFloat32 { get; } = convertsToFloat32;

    public static readonly SafeTensorsDType F32 = new("F32", 4, true);
    public static readonly SafeTensorsDType F16 = new("F16", 2, true);
    public static readonly SafeTensorsDType BF16 = new("BF16", 2, true);
    public static readonly SafeTensorsDType F64 = new("F64", 8, true);

    /// <summary>Signed bytes: an int8 model file's quantized weights, read into float32 exactly.</summary>
    public static readonly SafeTensorsDType I8 = new("I8", 1, false);

    private static readonly Dictionary<string, SafeTensorsDType> ByName = new[]
    {
        F32, F16, BF16, F64,
        new SafeTensorsDType("BOOL", 1, false),
        new SafeTensorsDType("U8", 1, false),
        I8,
        new SafeTensorsDType("F8_E5M2", 1, false),
        new SafeTensorsDType("F8_E4M3", 1, false),
        new SafeTensorsDType("I16", 2, false),
        new SafeTensorsDType("U16", 2, false),
        new SafeTensorsDType("I32", 4, false),
        new SafeTensorsDType("U32", 4, false),
        new SafeTensorsDType("I64", 8, false),
        new SafeTensorsDType("U64", 8, false),
    }.ToDictionary(dtype => dtype.Name, StringComparer.Ordinal);

    /// <summary>Finds a dtype by its header name (case-sensitive, as in the reference).</summary>
    public static SafeTensorsDType? Find(string name) => ByName.GetValueOrDefault(name);
}
