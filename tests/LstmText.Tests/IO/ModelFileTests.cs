using System.Text.Json;
using LstmText.IO;
using LstmText.Layers;
using LstmText.Tensors;
using LstmText.Tokenizers;

namespace LstmText.Tests.IO;

public sealed class ModelFileTests : IDisposable
{
    private const string ValidConfig =
        """{"kind":"classifier","vocab_size":100,"embedding_dim":16,"hidden_size":32,"num_layers":2,"bidirectional":true,"dropout":0.25}""";

    private readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static ModelConfig Config() => ModelConfig.FromJson(ValidConfig);

    private string WriteRaw(IReadOnlyDictionary<string, string> metadata)
    {
        string path = _folder.File("raw.safetensors");
        SafeTensorsFile.Write(path, [new("w", Tensor.Zeros(1))], metadata);
        return path;
    }

    [Fact]
    public void Config_tensors_tokenizer_training_and_other_metadata_round_trip()
    {
        string path = _folder.File("model.safetensors");
        var tensors = new Dictionary<string, Tensor> { ["decoder.bias"] = Tensor.FromValues([1f, 2f], 2) };
        var model = new ModelFile(Config(), tensors)
        {
            Tokenizer = """{"type":"word","vocab":["<unk>","a"]}""",
            Training = """{"epochs":3}""",
            OtherMetadata = new Dictionary<string, string> { ["format"] = "pt" },
        };

        model.Write(path);
        var read = ModelFile.Read(path);

        Assert.Equal("classifier", read.Config.Kind);
        Assert.Equal((100, 16, 32, 2, true, 0.25),
            (read.Config.VocabSize, read.Config.EmbeddingDim, read.Config.HiddenSize, read.Config.NumLayers, read.Config.Bidirectional, read.Config.Dropout));
        Assert.Equal([1f, 2f], read.Tensors["decoder.bias"].ToArray());
        Assert.Equal(model.Tokenizer, read.Tokenizer);
        Assert.Equal(model.Training, read.Training);
        Assert.Equal(new Dictionary<string, string> { ["format"] = "pt" }, read.OtherMetadata);
        Assert.Equal("1", SafeTensorsFile.Read(path).Metadata[ModelFile.FormatVersionKey]);
    }

    [Fact]
    public void Config_json_uses_the_documented_snake_case_names()
    {
        using var json = JsonDocument.Parse(Config().ToJson());

        Assert.Equal(
            ["kind", "vocab_size", "embedding_dim", "hidden_size", "num_layers", "bidirectional", "dropout"],
            json.RootElement.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void Unknown_config_properties_survive_a_read_and_a_write()
    {
        var config = ModelConfig.FromJson(ValidConfig[..^1] + ""","num_classes":4,"future":{"x":[1,2]}}""");

        using var json = JsonDocument.Parse(config.ToJson());

        Assert.Equal(4, json.RootElement.GetProperty("num_classes").GetInt32());
        Assert.Equal("[1,2]", json.RootElement.GetProperty("future").GetProperty("x").GetRawText());
    }

    [Fact]
    public void A_file_without_a_format_version_is_not_an_LstmText_model_file()
    {
        string path = WriteRaw(new Dictionary<string, string> { ["format"] = "pt" });

        var error = Assert.Throws<ModelFileFormatException>(() => ModelFile.Read(path));

        Assert.Equal($"not an LstmText model file (no lstmtext.format_version metadata): {path}", error.Message);
    }

    [Fact]
    public void An_unknown_format_version_is_refused_naming_it()
    {
        string path = WriteRaw(new Dictionary<string, string> { [ModelFile.FormatVersionKey] = "2", [ModelFile.ConfigKey] = ValidConfig });

        var error = Assert.Throws<ModelFileFormatException>(() => ModelFile.Read(path));

        Assert.Contains("unsupported LstmText model file version '2'", error.Message);
        Assert.EndsWith(path, error.Message);
    }

    [Fact]
    public void A_file_without_a_config_is_refused()
    {
        string path = WriteRaw(new Dictionary<string, string> { [ModelFile.FormatVersionKey] = "1" });

        Assert.Contains("no lstmtext.config metadata", Assert.Throws<ModelFileFormatException>(() => ModelFile.Read(path)).Message);
    }

    [Theory]
    [InlineData("kind")]
    [InlineData("vocab_size")]
    [InlineData("embedding_dim")]
    [InlineData("hidden_size")]
    [InlineData("num_layers")]
    [InlineData("bidirectional")]
    [InlineData("dropout")]
    public void A_config_missing_a_required_property_names_it(string property)
    {
        var json = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(ValidConfig)!;
        json.Remove(property);
        string path = WriteRaw(new Dictionary<string, string>
        {
            [ModelFile.FormatVersionKey] = "1",
            [ModelFile.ConfigKey] = JsonSerializer.Serialize(json),
        });

        var error = Assert.Throws<ModelFileFormatException>(() => ModelFile.Read(path));

        Assert.Contains($"lacks the required property '{property}'", error.Message);
        Assert.EndsWith(path, error.Message);
    }

    [Theory]
    [InlineData("\"vocab_size\":100", "\"vocab_size\":\"100\"", "vocab_size")]
    [InlineData("\"vocab_size\":100", "\"vocab_size\":1.5", "vocab_size")]
    [InlineData("\"bidirectional\":true", "\"bidirectional\":1", "bidirectional")]
    [InlineData("\"vocab_size\":100", "\"vocab_size\":0", "'vocab_size' is 0")]
    [InlineData("\"num_layers\":2", "\"num_layers\":-1", "'num_layers' is -1")]
    [InlineData("\"dropout\":0.25", "\"dropout\":1.0", "'dropout' is 1")]
    [InlineData("\"kind\":\"classifier\"", "\"kind\":\"\"", "'kind' is empty")]
    public void A_config_with_a_wrong_type_or_value_names_the_property(string valid, string invalid, string expected)
    {
        string path = WriteRaw(new Dictionary<string, string>
        {
            [ModelFile.FormatVersionKey] = "1",
            [ModelFile.ConfigKey] = ValidConfig.Replace(valid, invalid),
        });

        var error = Assert.Throws<ModelFileFormatException>(() => ModelFile.Read(path));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void A_config_that_is_not_json_is_refused()
    {
        string path = WriteRaw(new Dictionary<string, string> { [ModelFile.FormatVersionKey] = "1", [ModelFile.ConfigKey] = "{oops" });

        Assert.Contains("invalid lstmtext.config metadata", Assert.Throws<ModelFileFormatException>(() => ModelFile.Read(path)).Message);
    }

    [Fact]
    public void Other_metadata_cannot_override_the_keys_the_model_file_owns()
    {
        var model = new ModelFile(Config(), new Dictionary<string, Tensor>())
        {
            OtherMetadata = new Dictionary<string, string> { [ModelFile.FormatVersionKey] = "0" },
        };

        Assert.Throws<ArgumentException>(() => model.Write(_folder.File("m.safetensors")));
    }
}
