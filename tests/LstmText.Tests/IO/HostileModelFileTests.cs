using System.Text.Json;
using System.Text.Json.Nodes;
using LstmText.IO;
using LstmText.Layers;
using LstmText.Models;
using LstmText.Tensors;
using LstmText.Tokenizers;

namespace LstmText.Tests.IO;

/// <summary>
/// Model files whose config lies about the tensors (issue 11, item 1) or whose weights are not finite (item 8): each is
/// refused with a message naming the value or tensor, and the memory a load takes stays bounded by the file's size.
/// </summary>
public sealed class HostileModelFileTests : IDisposable
{
    private static readonly CharTokenizer Tokenizer = CharTokenizer.Build(["the quick brown fox jumps over the lazy dog"]);

    private readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string LanguageModelFile(string name = "lm.safetensors")
    {
        string path = _folder.File(name);
        LanguageModel.Create(Tokenizer, new LanguageModelArchitecture(Tokenizer.VocabularySize, 8, 8, 1), seed: 3).Save(path);
        return path;
    }

    private string ClassifierFile(string name = "classifier.safetensors")
    {
        string path = _folder.File(name);
        new TextClassifier(Tokenizer, ["negative", "positive"], new TextClassifierArchitecture
        {
            EmbeddingSize = 8, HiddenSize = 8, Layers = 1, Pooling = SequencePooling.Concat,
        }, new RandomSource(3)).Save(path);
        return path;
    }

    /// <summary>Rewrites the file's config with <paramref name="edit"/> applied to its JSON, tensors unchanged.</summary>
    private static void EditConfig(string path, Action<JsonObject> edit)
    {
        var file = SafeTensorsFile.Read(path);
        var metadata = file.Metadata.ToDictionary(p => p.Key, p => p.Value);
        var config = JsonNode.Parse(metadata[ModelFile.ConfigKey])!.AsObject();
        edit(config);
        metadata[ModelFile.ConfigKey] = config.ToJsonString();
        SafeTensorsFile.Write(path, file.Tensors, metadata);
    }

    /// <summary>Runs <paramref name="load"/> and returns its exception and the bytes this thread allocated meanwhile.</summary>
    private static (Exception? Error, long Allocated) Measure(Action load)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        Exception? error = null;
        try
        {
            load();
        }
        catch (Exception e)
        {
            error = e;
        }
        return (error, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>A load may take a small multiple of the file (its bytes, the weights, their gradients) plus a fixed allowance.</summary>
    private static long Bound(string path) => 8 * new FileInfo(path).Length + 4_000_000;

    [Fact]
    public void A_language_model_whose_config_claims_a_million_layers_is_refused_without_building_them()
    {
        string path = LanguageModelFile();
        EditConfig(path, c => c["num_layers"] = 1_000_000);

        var (error, allocated) = Measure(() => LanguageModel.Load(path));

        var refused = Assert.IsType<ModelFileFormatException>(error);
        Assert.Equal($"the config says num_layers 1000000, but the file holds LSTM weights for 1 layer(s): {path}", refused.Message);
        Assert.True(allocated < Bound(path), $"loading allocated {allocated:N0} bytes for a {new FileInfo(path).Length:N0}-byte file");
    }

    [Fact]
    public void A_classifier_whose_config_claims_a_million_layers_is_refused_without_building_them()
    {
        string path = ClassifierFile();
        EditConfig(path, c => c["num_layers"] = 1_000_000);

        var (error, allocated) = Measure(() => TextClassifier.Load(path));

        Assert.Contains("the config says num_layers 1000000, but the file holds LSTM weights for 1 layer(s)", Assert.IsType<ModelFileFormatException>(error).Message);
        Assert.True(allocated < Bound(path), $"loading allocated {allocated:N0} bytes for a {new FileInfo(path).Length:N0}-byte file");
    }

    public static TheoryData<string, string, string> InflatedConfigs => new()
    {
        // model, property = value, what the message says
        { "lm", "num_layers=3000", "num_layers 3000, but the file holds LSTM weights for 1 layer(s)" },
        { "lm", "hidden_size=1000000", "tensor 'lstm.weight_ih_l0' has shape [32, 8], but the config needs [4000000, 8]" },
        { "lm", "embedding_dim=100000000", ", 8], but the config needs [" },
        { "lm", "vocab_size=2000000000", "tokens but the config says vocab_size 2000000000" },
        { "classifier", "num_layers=3000", "num_layers 3000, but the file holds LSTM weights for 1 layer(s)" },
        { "classifier", "hidden_size=1000000", "tensor 'lstm.weight_ih_l0' has shape [32, 8], but the config needs [4000000, 8]" },
        { "classifier", "embedding_dim=50000000", ", 50000000]" },
        { "classifier", "bidirectional=true", "the config says bidirectional, but the file holds no reverse-direction LSTM weights" },
        { "classifier", "head_hidden_size=100000000", "the classifier lacks the tensor 'head.0.weight'" },
        { "classifier", "pooling=\"attention\"", "the classifier lacks the tensor 'attention.weight'" },
        { "classifier", "class_names=" + JsonSerializer.Serialize(Enumerable.Range(0, 5000).Select(i => $"c{i}")),
            "tensor 'head.weight' has shape [2, 24], but the config needs [5000, 24]" },
    };

    [Theory]
    [MemberData(nameof(InflatedConfigs))]
    public void An_inflated_config_value_is_refused_within_a_memory_bound(string model, string assignment, string message)
    {
        string path = model == "lm" ? LanguageModelFile() : ClassifierFile();
        string property = assignment[..assignment.IndexOf('=')];
        var value = JsonNode.Parse(assignment[(assignment.IndexOf('=') + 1)..]);
        EditConfig(path, c => c[property] = value);

        var (error, allocated) = Measure(() =>
        {
            if (model == "lm") LanguageModel.Load(path); else TextClassifier.Load(path);
        });

        Assert.Contains(message, Assert.IsType<ModelFileFormatException>(error).Message);
        Assert.True(allocated < Bound(path), $"refusing {assignment} allocated {allocated:N0} bytes for a {new FileInfo(path).Length:N0}-byte file");
    }

    [Fact]
    public void A_valid_model_loads_within_the_same_memory_bound()
    {
        string lm = LanguageModelFile(), classifier = ClassifierFile();

        var (lmError, lmAllocated) = Measure(() => LanguageModel.Load(lm));
        var (classifierError, classifierAllocated) = Measure(() => TextClassifier.Load(classifier));

        Assert.Null(lmError);
        Assert.Null(classifierError);
        Assert.True(lmAllocated < Bound(lm), $"{lmAllocated:N0} bytes");
        Assert.True(classifierAllocated < Bound(classifier), $"{classifierAllocated:N0} bytes");
    }

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "+infinity")]
    [InlineData(float.NegativeInfinity, "-infinity")]
    public void A_weight_that_is_not_finite_is_refused_at_load_naming_the_tensor(float value, string shown)
    {
        string lm = LanguageModelFile(), classifier = ClassifierFile();
        foreach (var (path, tensor) in new[] { (lm, "decoder.bias"), (classifier, "lstm.weight_hh_l0") })
        {
            var file = SafeTensorsFile.Read(path);
            file.Tensors[tensor].HostSpan[5] = value;
            file.Write(path);
        }

        var lmError = Assert.Throws<ModelFileFormatException>(() => LanguageModel.Load(lm));
        var classifierError = Assert.Throws<ModelFileFormatException>(() => TextClassifier.Load(classifier));

        Assert.StartsWith($"tensor 'decoder.bias' holds {shown} at element 5; a model's weights must be finite numbers", lmError.Message);
        Assert.StartsWith($"tensor 'lstm.weight_hh_l0' holds {shown} at element 5;", classifierError.Message);
    }
}
