using System.Text;
using LstmText.IO;
using LstmText.Tokenizers;
using LstmText.Tests.IO;

namespace LstmText.Tests.Fuzz;

/// <summary>Defects the fuzz properties found, each kept as a plain test so it stays fixed.</summary>
public sealed class FuzzFindingTests
{
    [Fact]
    public void Tokenizer_json_text_with_a_lone_surrogate_is_a_tokenizer_format_exception()
    {
        var error = Assert.Throws<TokenizerFormatException>(() => Tokenizer.FromJson("{\"type\":\"char\",\"tokens\":[\"a\uD800\"]}"));

        Assert.StartsWith("Tokenizer JSON is not valid JSON: ", error.Message);
    }

    [Fact]
    public void Tokenizer_json_with_an_escaped_lone_surrogate_is_a_tokenizer_format_exception_naming_the_field()
    {
        var error = Assert.Throws<TokenizerFormatException>(() => Tokenizer.FromJson("{\"type\":\"word\",\"tokens\":[\"<unk>\",\"a\\ude00\"]}"));

        Assert.Equal("The tokenizer JSON field \"tokens\" item 1 is not valid Unicode text (it holds a lone surrogate escape).", error.Message);
    }

    [Theory]
    [InlineData("{\"__metadata__\":{\"lstmtext.format_version\":\"\\ud800\"},\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}")]
    [InlineData("{\"__metadata__\":{\"\\udc00\":\"1\"},\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}")]
    [InlineData("{\"w\\ud800\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}")]
    [InlineData("{\"w\":{\"dtype\":\"\\ud800\",\"shape\":[1],\"data_offsets\":[0,4]}}")]
    public void A_safetensors_header_with_an_escaped_lone_surrogate_is_a_format_exception(string header)
    {
        using var folder = new TemporaryFolder();
        string path = folder.File("surrogate.safetensors");
        File.WriteAllBytes(path, RawSafeTensors.Build(header, new byte[4]));

        Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsFile.Read(path));
    }

    [Fact]
    public void A_model_config_with_an_escaped_lone_surrogate_is_a_model_file_format_exception()
    {
        using var folder = new TemporaryFolder();
        string path = folder.File("config.safetensors");
        string config = "{\\\"kind\\\":\\\"\\\\ud800\\\",\\\"vocab_size\\\":1,\\\"embedding_dim\\\":1,\\\"hidden_size\\\":1," +
            "\\\"num_layers\\\":1,\\\"bidirectional\\\":false,\\\"dropout\\\":0}";
        string header = "{\"__metadata__\":{\"lstmtext.format_version\":\"1\",\"lstmtext.config\":\"" + config + "\"}," +
            "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        File.WriteAllBytes(path, RawSafeTensors.Build(header, new byte[4]));

        Assert.Throws<ModelFileFormatException>(() => ModelFile.Read(path));
    }
}
