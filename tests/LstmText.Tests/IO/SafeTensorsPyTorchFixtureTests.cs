using System.Text.Json;
using LstmText.IO;
using LstmText.Tensors;

namespace LstmText.Tests.IO;

/// <summary>
/// Interop with a file written from a seeded PyTorch model by tools/fixtures/make_safetensors_fixture.py,
/// which follows the reference safetensors layout; its sidecar JSON lists every value independently.
/// </summary>
public sealed class SafeTensorsPyTorchFixtureTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "safetensors");
    private static readonly string FixturePath = Path.Combine(Folder, "tiny_lstm.safetensors");

    private static JsonElement Sidecar()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "tiny_lstm.values.json")));
        return document.RootElement.Clone();
    }

    [Fact]
    public void Every_tensor_and_value_written_by_PyTorch_is_read_exactly()
    {
        var sidecar = Sidecar().GetProperty("tensors");

        var file = SafeTensorsFile.Read(FixturePath);

        Assert.Equal(sidecar.EnumerateObject().Select(p => p.Name).Order(), file.Tensors.Keys.Order());
        foreach (var expected in sidecar.EnumerateObject())
        {
            var tensor = file.Tensors[expected.Name];
            Assert.Equal(expected.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()), tensor.Shape);
            // Python writes float32 values as the shortest double that round-trips, so casting back is exact.
            var values = expected.Value.GetProperty("values").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
            Assert.Equal(values, tensor.ToArray());
        }
    }

    [Fact]
    public void The_fixture_holds_the_PyTorch_names_of_an_embedding_two_layer_LSTM_and_decoder()
    {
        var file = SafeTensorsFile.Read(FixturePath);

        Assert.True(file.Tensors["embedding.weight"].HasShape(7, 5));
        Assert.True(file.Tensors["lstm.weight_ih_l0"].HasShape(16, 5));
        Assert.True(file.Tensors["lstm.weight_hh_l0"].HasShape(16, 4));
        Assert.True(file.Tensors["lstm.weight_ih_l1"].HasShape(16, 4));
        Assert.True(file.Tensors["lstm.bias_hh_l1"].HasShape(16));
        Assert.True(file.Tensors["decoder.weight"].HasShape(7, 4));
        Assert.True(file.Tensors["decoder.bias"].HasShape(7));
    }

    [Fact]
    public void Metadata_written_by_Python_is_read_exactly_including_non_ascii_text()
    {
        var expected = Sidecar().GetProperty("metadata").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);

        var file = SafeTensorsFile.Read(FixturePath);

        Assert.Equal(expected.OrderBy(p => p.Key), file.Metadata.OrderBy(p => p.Key));
        Assert.Contains("—", file.Metadata["note"]);
    }

    [Fact]
    public void Our_writer_reproduces_the_Python_written_file_byte_for_byte()
    {
        // The strongest interop check: same tensors and metadata give the very same bytes, so anything
        // that reads the Python file (safetensors, PyTorch) reads ours.
        var file = SafeTensorsFile.Read(FixturePath);
        var stream = new MemoryStream();

        SafeTensorsFile.Write(stream, file.Tensors, file.Metadata);

        Assert.Equal(File.ReadAllBytes(FixturePath), stream.ToArray());
    }

    [Fact]
    public void The_fixture_is_a_valid_LstmText_model_file()
    {
        var model = ModelFile.Read(FixturePath);

        Assert.Equal("language-model", model.Config.Kind);
        Assert.Equal(7, model.Config.VocabSize);
        Assert.Equal(2, model.Config.NumLayers);
        Assert.Equal("pt", model.OtherMetadata["format"]);
        Assert.Equal(11, model.Tensors.Count);
    }
}
