using System.Text.Json;
using LstmText.IO;
using LstmText.Tensors;

namespace LstmText.Tests.Parity;

/// <summary>One fixture written by tools/fixtures/make_layer_fixtures.py with PyTorch.</summary>
internal sealed class PyTorchFixture
{
    private readonly SafeTensorsFile _file;

    private PyTorchFixture(string name)
    {
        Name = name;
        _file = SafeTensorsFile.Read(Path.Combine(AppContext.BaseDirectory, "Fixtures", "pytorch", name + ".safetensors"));
        Case = JsonDocument.Parse(_file.Metadata["case"]).RootElement;
    }

    public string Name { get; }

    /// <summary>The case's settings, as the script recorded them.</summary>
    public JsonElement Case { get; }

    public static PyTorchFixture Load(string name) => new(name);

    public bool Has(string tensor) => _file.Tensors.ContainsKey(tensor);

    public Tensor this[string tensor] => _file.Tensors.TryGetValue(tensor, out var t)
        ? t
        : throw new KeyNotFoundException($"Fixture {Name} has no tensor '{tensor}'.");

    /// <summary>An integer tensor, stored as exact float32 values.</summary>
    public int[] Ints(string tensor) => this[tensor].ToArray().Select(v => (int)v).ToArray();
}
