using System.Buffers.Binary;
using System.Text;
using LstmText.IO;
using LstmText.Tensors;

namespace LstmText.Tests.IO;

public sealed class SafeTensorsRoundTripTests : IDisposable
{
    private readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Tensors_of_every_rank_come_back_with_the_same_shapes_and_values()
    {
        var tensors = new Dictionary<string, Tensor>
        {
            ["scalar"] = Tensor.FromValues([3.5f]),
            ["vector"] = Tensor.FromValues([1f, -2f, float.Epsilon, float.MaxValue], 4),
            ["matrix"] = Tensor.FromValues([1, 2, 3, 4, 5, 6], 2, 3),
            ["cube"] = Tensor.FromValues(Enumerable.Range(0, 24).Select(i => i * 0.25f).ToArray(), 2, 3, 4),
            ["empty"] = Tensor.Zeros(0, 3),
            ["special"] = Tensor.FromValues([float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0f], 4),
        };
        string path = _folder.File("model.safetensors");

        SafeTensorsFile.Write(path, tensors);
        var read = SafeTensorsFile.Read(path);

        Assert.Equal(tensors.Keys.Order(), read.Tensors.Keys.Order());
        foreach (var (name, expected) in tensors)
        {
            Assert.Equal(expected.Shape, read.Tensors[name].Shape);
            // Compare bits so NaN and -0 must survive exactly.
            Assert.Equal(
                expected.ToArray().Select(BitConverter.SingleToInt32Bits),
                read.Tensors[name].ToArray().Select(BitConverter.SingleToInt32Bits));
        }
    }

    [Fact]
    public void Metadata_comes_back_including_unicode_and_characters_json_must_escape()
    {
        var metadata = new Dictionary<string, string>
        {
            ["plain"] = "value",
            ["unicode ✓ ключ"] = "значение 🚀",
            ["escapes"] = "quote \" backslash \\ newline \n tab \t bell \u0007",
            ["empty"] = "",
        };
        string path = _folder.File("meta.safetensors");

        SafeTensorsFile.Write(path, [new("x", Tensor.Zeros(1))], metadata);

        Assert.Equal(metadata.OrderBy(p => p.Key), SafeTensorsFile.Read(path).Metadata.OrderBy(p => p.Key));
    }

    [Fact]
    public void Unicode_tensor_names_come_back()
    {
        string path = _folder.File("names.safetensors");
        string[] names = ["ё.weight", "层.bias", "emoji🙂", "a\"quoted\\name"];

        SafeTensorsFile.Write(path, names.Select((n, i) => KeyValuePair.Create(n, Tensor.Filled(i, 2))));
        var read = SafeTensorsFile.Read(path);

        foreach (var (name, i) in names.Select((n, i) => (n, i)))
            Assert.Equal([i, i], read.Tensors[name].ToArray());
    }

    [Fact]
    public void A_file_without_tensors_or_metadata_round_trips()
    {
        string path = _folder.File("nothing.safetensors");

        SafeTensorsFile.Write(path, []);
        var read = SafeTensorsFile.Read(path);

        Assert.Empty(read.Tensors);
        Assert.Empty(read.Metadata);
        Assert.Equal(RawSafeTensors.Build("{}      "), File.ReadAllBytes(path));
    }

    [Fact]
    public void Written_layout_sorts_tensors_by_name_pads_the_header_with_spaces_and_starts_data_aligned()
    {
        var stream = new MemoryStream();

        SafeTensorsFile.Write(stream, [new("b", Tensor.FromValues([2f], 1)), new("a", Tensor.FromValues([1f, 1.5f], 2))],
            new Dictionary<string, string> { ["k"] = "v" });

        byte[] bytes = stream.ToArray();
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        string header = Encoding.UTF8.GetString(bytes, 8, (int)headerLength);
        const string expectedJson =
            """{"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}""";
        Assert.Equal(0UL, headerLength % 8);
        Assert.Equal(expectedJson, header.TrimEnd(' '));
        Assert.Equal(new string(' ', (int)headerLength - expectedJson.Length), header[expectedJson.Length..]);
        Assert.Equal(RawSafeTensors.Floats(1f, 1.5f, 2f), bytes[(8 + (int)headerLength)..]);
    }

    [Fact]
    public void Names_are_ordered_by_utf8_bytes_not_utf16_code_units()
    {
        // In UTF-16 U+1F600 (surrogate 0xD83D) sorts before U+FF21; by code point and UTF-8 bytes (as Rust and Python sort) it comes after.
        var stream = new MemoryStream();

        SafeTensorsFile.Write(stream, [new("\uFF21", Tensor.Zeros(1)), new("\U0001F600", Tensor.Zeros(1))]);

        string header = Encoding.UTF8.GetString(stream.ToArray()[8..]);
        Assert.True(header.IndexOf('\uFF21') < header.IndexOf("\U0001F600", StringComparison.Ordinal));
    }

    [Fact]
    public void Reading_from_a_stream_starts_at_its_current_position()
    {
        var stream = new MemoryStream();
        stream.Write([1, 2, 3]);
        SafeTensorsFile.Write(stream, [new("x", Tensor.FromValues([7f], 1))]);
        stream.Position = 3;

        var read = SafeTensorsFile.Read(stream, "in-memory");

        Assert.Equal([7f], read.Tensors["x"].ToArray());
    }

    [Fact]
    public void Writing_two_tensors_with_the_same_name_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            SafeTensorsFile.Write(new MemoryStream(), [new("x", Tensor.Zeros(1)), new("x", Tensor.Zeros(2))]));
        Assert.Contains("'x'", error.Message);
    }

    [Fact]
    public void A_tensor_cannot_be_named_like_the_metadata_entry()
    {
        Assert.Throws<ArgumentException>(() =>
            SafeTensorsFile.Write(new MemoryStream(), [new("__metadata__", Tensor.Zeros(1))]));
    }

    [Fact]
    public void Half_bfloat16_and_double_tensors_are_read_as_float32()
    {
        byte[] half = new byte[4];
        BinaryPrimitives.WriteHalfLittleEndian(half, (Half)1.5f);
        BinaryPrimitives.WriteHalfLittleEndian(half.AsSpan(2), (Half)(-0.25f));
        byte[] bfloat = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(bfloat, (ushort)(BitConverter.SingleToInt32Bits(3.0f) >> 16));
        byte[] dbl = new byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(dbl, 0.1);
        var header = """{"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"BF16","shape":[],"data_offsets":[4,6]},"d":{"dtype":"F64","shape":[1],"data_offsets":[6,14]}}""";

        var read = SafeTensorsFile.Read(new MemoryStream(RawSafeTensors.Build(header, [.. half, .. bfloat, .. dbl])), "mixed");

        Assert.Equal([1.5f, -0.25f], read.Tensors["h"].ToArray());
        Assert.Equal([3.0f], read.Tensors["b"].ToArray());
        Assert.Equal(0, read.Tensors["b"].Shape.Rank);
        Assert.Equal([0.1f], read.Tensors["d"].ToArray());
    }
}
