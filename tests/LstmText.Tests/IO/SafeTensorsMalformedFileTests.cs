using LstmText.IO;
using LstmText.Tensors;

namespace LstmText.Tests.IO;

/// <summary>Every way a file can lie is refused with a message that names the file and the problem.</summary>
public sealed class SafeTensorsMalformedFileTests
{
    private const string Source = "bad.safetensors";

    private static SafeTensorsFormatException Reading(byte[] file)
    {
        var error = Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsFile.Read(new MemoryStream(file), Source));
        Assert.Equal(Source, error.FilePath);
        Assert.Contains(Source, error.Message);
        return error;
    }

    private static SafeTensorsFormatException ReadingHeader(string header, byte[]? data = null) =>
        Reading(RawSafeTensors.Build(header, data));

    private static string Tensor(string name, string dtype, string shape, long begin, long end) =>
        $$"""{{name}}":{"dtype":"{{dtype}}","shape":{{shape}},"data_offsets":[{{begin}},{{end}}]}""";

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void A_file_shorter_than_the_length_prefix_is_refused(int length)
    {
        Assert.Contains("shorter than the 8-byte header length", Reading(new byte[length]).Problem);
    }

    [Fact]
    public void A_header_length_past_the_end_of_the_file_is_refused()
    {
        Assert.Contains("runs past the end of the file", Reading([.. RawSafeTensors.LengthPrefix(100), .. "{}"u8]).Problem);
    }

    [Fact]
    public void A_header_length_over_100_MB_is_refused_before_reading_it()
    {
        Assert.Contains("exceeds the limit", Reading(RawSafeTensors.LengthPrefix(100_000_001)).Problem);
        Assert.Contains("exceeds the limit", Reading(RawSafeTensors.LengthPrefix(ulong.MaxValue)).Problem);
    }

    [Fact]
    public void A_header_that_is_not_utf8_is_refused()
    {
        Assert.Contains("not valid UTF-8", Reading(RawSafeTensors.Build([(byte)'{', (byte)'"', 0xFF, (byte)'"', (byte)':', (byte)'1', (byte)'}'])).Problem);
    }

    [Theory]
    [InlineData("{")]
    [InlineData("{\"a\":}")]
    [InlineData("")]
    [InlineData("{} trailing")]
    public void A_header_that_is_not_json_is_refused(string header)
    {
        Assert.Contains("not valid JSON", ReadingHeader(header).Problem);
    }

    [Theory]
    [InlineData("[]", "array")]
    [InlineData("42", "number")]
    [InlineData("\"text\"", "string")]
    [InlineData("null", "null")]
    public void A_header_that_is_not_an_object_is_refused(string header, string kind)
    {
        Assert.Contains($"the header is a JSON {kind}, not an object", ReadingHeader(header).Problem);
    }

    [Theory]
    [InlineData("""{"x":{"shape":[1],"data_offsets":[0,4]}}""", "tensor 'x' has no dtype")]
    [InlineData("""{"x":{"dtype":"F32","data_offsets":[0,4]}}""", "tensor 'x' has no shape")]
    [InlineData("""{"x":{"dtype":"F32","shape":[1]}}""", "tensor 'x' has no data_offsets")]
    [InlineData("""{"x":{"dtype":32,"shape":[1],"data_offsets":[0,4]}}""", "dtype that is not a string")]
    [InlineData("""{"x":{"dtype":"F32","shape":1,"data_offsets":[0,4]}}""", "shape that is not an array")]
    [InlineData("""{"x":{"dtype":"F32","shape":["1"],"data_offsets":[0,4]}}""", "dimension 0 of tensor 'x' is not a non-negative integer")]
    [InlineData("""{"x":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}""", "dimension 0 of tensor 'x' is not a non-negative integer")]
    [InlineData("""{"x":{"dtype":"F32","shape":[1],"data_offsets":[0]}}""", "data_offsets that are not an array of two integers")]
    [InlineData("""{"x":{"dtype":"F32","shape":[1],"data_offsets":{"begin":0}}}""", "data_offsets that are not an array of two integers")]
    [InlineData("""{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,"4"]}}""", "end offset of tensor 'x' is not a non-negative integer")]
    [InlineData("""{"x":[0,4]}""", "tensor 'x' is described by a JSON array")]
    [InlineData("""{"x":{"dtype":"F33","shape":[1],"data_offsets":[0,4]}}""", "unknown dtype 'F33'")]
    public void A_tensor_entry_with_missing_or_mistyped_fields_is_refused(string header, string problem)
    {
        Assert.Contains(problem, ReadingHeader(header, new byte[4]).Problem);
    }

    [Fact]
    public void A_negative_dimension_is_refused()
    {
        Assert.Contains("dimension 1 of tensor 'x' is negative (-2)",
            ReadingHeader("{\"" + Tensor("x", "F32", "[2,-2]", 0, 4) + "}", new byte[4]).Problem);
    }

    [Fact]
    public void A_negative_offset_is_refused()
    {
        Assert.Contains("begin offset of tensor 'x' is negative",
            ReadingHeader("{\"" + Tensor("x", "F32", "[1]", -4, 0) + "}", new byte[4]).Problem);
    }

    [Fact]
    public void Offsets_beyond_the_data_section_are_refused()
    {
        Assert.Contains("occupies bytes [0, 400) but the data section holds only 4 bytes",
            ReadingHeader("{\"" + Tensor("x", "F32", "[100]", 0, 400) + "}", new byte[4]).Problem);
    }

    [Fact]
    public void An_end_before_the_begin_is_refused()
    {
        Assert.Contains("ends (offset 0) before it begins (offset 4)",
            ReadingHeader("{\"" + Tensor("x", "F32", "[1]", 4, 0) + "}", new byte[8]).Problem);
    }

    [Fact]
    public void Overlapping_tensors_are_refused()
    {
        string header = "{\"" + Tensor("a", "F32", "[2]", 0, 8) + ",\"" + Tensor("b", "F32", "[2]", 4, 12) + "}";
        Assert.Contains("tensor 'b' [4, 12) overlaps tensor 'a' [0, 8)", ReadingHeader(header, new byte[12]).Problem);
    }

    [Fact]
    public void Two_tensors_on_the_same_bytes_are_refused()
    {
        string header = "{\"" + Tensor("a", "F32", "[1]", 0, 4) + ",\"" + Tensor("b", "F32", "[1]", 0, 4) + "}";
        Assert.Contains("overlaps", ReadingHeader(header, new byte[4]).Problem);
    }

    [Fact]
    public void A_byte_span_that_disagrees_with_the_shape_is_refused()
    {
        Assert.Contains("tensor 'x' spans 8 bytes but shape [3] of F32 needs 12",
            ReadingHeader("{\"" + Tensor("x", "F32", "[3]", 0, 8) + "}", new byte[8]).Problem);
    }

    [Fact]
    public void An_element_count_that_overflows_is_refused()
    {
        string shape = "[4294967296,4294967296,2]";
        Assert.Contains("element count of tensor 'x'", ReadingHeader("{\"" + Tensor("x", "F32", shape, 0, 4) + "}", new byte[4]).Problem);
    }

    [Fact]
    public void A_byte_size_that_overflows_is_refused()
    {
        // The element count fits in 64 bits but times 4 bytes it does not.
        string shape = "[2147483648,2147483648]";
        Assert.Contains("needs more than 2^64", ReadingHeader("{\"" + Tensor("x", "F32", shape, 0, 4) + "}", new byte[4]).Problem);
    }

    [Fact]
    public void A_huge_tensor_claimed_by_a_short_file_is_refused_before_allocating()
    {
        // 2^31 floats would be 8 GiB; the file holds 4 bytes, so the offsets check must fire first.
        string header = "{\"" + Tensor("x", "F32", "[2147483648]", 0, 8589934592) + "}";
        Assert.Contains("data section holds only 4 bytes", ReadingHeader(header, new byte[4]).Problem);
    }

    [Fact]
    public void Duplicate_tensor_names_are_refused()
    {
        string header = "{\"" + Tensor("x", "F32", "[1]", 0, 4) + ",\"" + Tensor("x", "F32", "[1]", 4, 8) + "}";
        Assert.Contains("names 'x' more than once", ReadingHeader(header, new byte[8]).Problem);
    }

    [Fact]
    public void A_duplicate_metadata_entry_is_refused()
    {
        Assert.Contains("names '__metadata__' more than once", ReadingHeader("""{"__metadata__":{},"__metadata__":{}}""").Problem);
    }

    [Theory]
    [InlineData("""{"__metadata__":{"n":1}}""", "value for key 'n' is a JSON number, not a string")]
    [InlineData("""{"__metadata__":{"n":null}}""", "value for key 'n' is a JSON null, not a string")]
    [InlineData("""{"__metadata__":{"n":{"nested":"x"}}}""", "value for key 'n' is a JSON object, not a string")]
    [InlineData("""{"__metadata__":["a"]}""", "__metadata__ is a JSON array")]
    [InlineData("""{"__metadata__":{"k":"a","k":"b"}}""", "names key 'k' more than once")]
    public void Metadata_that_is_not_a_map_of_strings_is_refused(string header, string problem)
    {
        Assert.Contains(problem, ReadingHeader(header).Problem);
    }

    [Fact]
    public void Bytes_after_the_last_tensor_are_refused()
    {
        // The reference implementation requires the tensors to cover the data section exactly.
        Assert.Contains("bytes [4, 6) at the end of the data section belong to no tensor",
            ReadingHeader("{\"" + Tensor("x", "F32", "[1]", 0, 4) + "}", new byte[6]).Problem);
    }

    [Fact]
    public void Data_bytes_with_no_tensor_and_no_tensors_at_all_are_refused()
    {
        Assert.Contains("bytes [0, 3) at the end of the data section belong to no tensor", ReadingHeader("{}", new byte[3]).Problem);
    }

    [Fact]
    public void A_hole_between_tensors_is_refused()
    {
        string header = "{\"" + Tensor("a", "F32", "[1]", 0, 4) + ",\"" + Tensor("b", "F32", "[1]", 8, 12) + "}";
        Assert.Contains("bytes [4, 8) of the data section, before tensor 'b', belong to no tensor", ReadingHeader(header, new byte[12]).Problem);
    }

    [Fact]
    public void A_truncated_file_is_refused()
    {
        var stream = new MemoryStream();
        SafeTensorsFile.Write(stream, [new("a", LstmText.Tensors.Tensor.Zeros(4)), new("b", LstmText.Tensors.Tensor.Zeros(4))]);
        byte[] whole = stream.ToArray();

        for (int length = whole.Length - 1; length >= 0; length -= 5)
            Reading(whole[..length]);
    }

    [Theory]
    [InlineData("I64", 8)]
    [InlineData("I32", 4)]
    [InlineData("BOOL", 1)]
    [InlineData("U8", 1)]
    public void A_dtype_that_cannot_become_float32_is_refused_by_name(string dtype, int size)
    {
        Assert.Contains($"dtype {dtype}, which is not supported",
            ReadingHeader("{\"" + Tensor("steps", dtype, "[2]", 0, 2 * size) + "}", new byte[2 * size]).Problem);
    }

    [Fact]
    public void A_non_seekable_stream_is_refused_because_its_length_is_unknown()
    {
        using var pipe = new System.IO.Pipes.AnonymousPipeServerStream();
        Assert.Throws<ArgumentException>(() => SafeTensorsFile.Read(pipe, "pipe"));
    }

    [Fact]
    public void Reading_a_file_path_names_that_path_in_the_error()
    {
        using var folder = new TemporaryFolder();
        string path = folder.File("broken.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);

        var error = Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsFile.Read(path));

        Assert.Equal(path, error.FilePath);
        Assert.StartsWith($"'{path}' is not a valid safetensors file: it is 3 bytes long", error.Message);
    }
}
