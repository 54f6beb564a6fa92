using System.Text.Json.Nodes;
using LstmText.Data;
using LstmText.IO;
using LstmText.Layers;
using LstmText.Models;
using LstmText.Tensors;
using LstmText.Tests.IO;
using LstmText.Tokenizers;

namespace LstmText.Tests.Models;

/// <summary>
/// Int8 model files (<see cref="TextClassifier.SaveInt8"/>, <see cref="LanguageModel.SaveInt8"/>, <c>lstmtext quantize</c>):
/// I8 matrices with F32 per-row scales; loading one predicts exactly as <c>WithInt8Weights</c> on the float model, cannot
/// be trained, and a damaged or lying one is refused with a message naming the tensor, within the loader's memory bound.
/// </summary>
public sealed class Int8ModelFileTests : IDisposable
{
    private static readonly CharTokenizer Tokenizer = CharTokenizer.Build(["the quick brown fox jumps over the lazy dog, 0123456789"]);

    private static readonly string[] Texts = ["the quick fox", "lazy dog", "a", "jumps over the brown fox 42 times", "zzz", "over"];

    private readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static TextClassifier Classifier(int headHidden = 6) =>
        new(Tokenizer, ["negative", "neutral", "positive"], new TextClassifierArchitecture
        {
            EmbeddingSize = 7, HiddenSize = 10, Layers = 2, Bidirectional = true, Pooling = SequencePooling.Concat, HeadHiddenSize = headHidden,
        }, new RandomSource(5));

    private static LanguageModel LanguageModelOf(bool tied) =>
        LanguageModel.Create(Tokenizer, new LanguageModelArchitecture(Tokenizer.VocabularySize, tied ? 12 : 9, 12, 2) { TieWeights = tied }, seed: 4);

    private static float[][] Probabilities(TextClassifier classifier) =>
        classifier.PredictBatch(Texts, batchSize: 4).Select(p => p.Probabilities.ToArray()).ToArray();

    [Theory]
    [InlineData(6)]
    [InlineData(0)]
    public void A_classifiers_int8_file_predicts_exactly_as_int8_on_the_float_file_and_is_smaller(int headHidden)
    {
        var classifier = Classifier(headHidden);
        string floatPath = _folder.File("float.safetensors"), int8Path = _folder.File("int8.safetensors");
        classifier.Save(floatPath);
        classifier.SaveInt8(int8Path);

        var loaded = TextClassifier.Load(int8Path);
        Assert.False(loaded.HasFloatWeights);
        Assert.True(loaded.UsesInt8Weights);
        var expected = Probabilities(TextClassifier.Load(floatPath).WithInt8Weights());
        Assert.Equal(expected, Probabilities(loaded));
        Assert.Equal(expected, Probabilities(loaded.WithInt8Weights()));     // already int8: kept, not quantized again
        Assert.NotEqual(Probabilities(classifier), expected);               // and int8 is not float
        // Single predictions, which run on their own path, agree too.
        Assert.Equal(TextClassifier.Load(floatPath).WithInt8Weights().Predict(Texts[3]).Probabilities.ToArray(), loaded.Predict(Texts[3]).Probabilities.ToArray());

        var file = SafeTensorsFile.Read(int8Path);
        string[] int8Names = [.. file.Int8Tensors.Order(StringComparer.Ordinal)];
        Assert.Contains("lstm.weight_ih_l0", int8Names);
        Assert.Contains("lstm.weight_hh_l1_reverse", int8Names);
        Assert.Contains(headHidden > 0 ? "head.0.weight" : "head.weight", int8Names);
        Assert.DoesNotContain("embedding.weight", int8Names);
        Assert.All(int8Names, name => Assert.Equal([file.Tensors[name].Shape[0]], file.Tensors[name + ".scale"].Shape.Dimensions.ToArray()));
        Assert.Equal(int8Names.Length, 8 + (headHidden > 0 ? 2 : 1));
        Assert.Contains("\"quantization\":\"int8\"", file.Metadata[ModelFile.ConfigKey], StringComparison.Ordinal);

        // Saving the loaded int8 classifier writes the same int8 file again, not its dequantized floats.
        string again = _folder.File("again.safetensors");
        loaded.Save(again);
        Assert.Equal(File.ReadAllBytes(int8Path), File.ReadAllBytes(again));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_language_models_int8_file_scores_exactly_as_int8_on_the_float_file(bool tied)
    {
        var model = LanguageModelOf(tied);
        string floatPath = _folder.File("lm.safetensors"), int8Path = _folder.File("lm-int8.safetensors");
        model.Save(floatPath);
        model.SaveInt8(int8Path);
        int[] ids = Tokenizer.Encode("the lazy dog jumps");

        var loaded = LanguageModel.Load(int8Path);
        Assert.False(loaded.HasFloatWeights);
        Assert.True(loaded.UsesInt8Weights);
        var expected = LanguageModel.Load(floatPath).WithInt8Weights().ComputeLogits(ids).ToArray();
        Assert.Equal(expected, loaded.ComputeLogits(ids).ToArray());
        Assert.Equal(expected, loaded.WithInt8Weights().ComputeLogits(ids).ToArray());
        Assert.NotEqual(model.ComputeLogits(ids).ToArray(), expected);
        Assert.Contains("decoder.weight", SafeTensorsFile.Read(int8Path).Int8Tensors);
        Assert.True(new FileInfo(int8Path).Length < new FileInfo(floatPath).Length);
        string again = _folder.File("lm-again.safetensors");
        loaded.Save(again);
        Assert.Equal(File.ReadAllBytes(int8Path), File.ReadAllBytes(again));
    }

    [Fact]
    public void A_model_from_an_int8_file_cannot_be_trained()
    {
        string classifierPath = _folder.File("c.safetensors"), lmPath = _folder.File("l.safetensors");
        Classifier().SaveInt8(classifierPath);
        LanguageModelOf(false).SaveInt8(lmPath);

        var classifierError = Assert.Throws<InvalidOperationException>(() =>
            TextClassifier.Load(classifierPath).FineTune([new LabelledExample("the fox", "positive", 1, null)]));
        Assert.Contains("int8 file", classifierError.Message, StringComparison.Ordinal);
        var lmError = Assert.Throws<InvalidOperationException>(() => LanguageModel.Load(lmPath).FineTune("the quick brown fox"));
        Assert.Contains("int8 file", lmError.Message, StringComparison.Ordinal);
        var transferError = Assert.Throws<ModelFileFormatException>(() => TextClassifier.FromLanguageModel(lmPath, ["a", "b"]));
        Assert.Contains("int8 weights", transferError.Message, StringComparison.Ordinal);
    }

    /// <summary>Rewrites an int8 file's tensors (and which are I8) or config, keeping the rest.</summary>
    private static void Rewrite(string path, Action<Dictionary<string, Tensor>, HashSet<string>> editTensors, Action<JsonObject>? editConfig = null)
    {
        var file = SafeTensorsFile.Read(path);
        var tensors = file.Tensors.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var int8 = file.Int8Tensors.ToHashSet(StringComparer.Ordinal);
        editTensors(tensors, int8);
        var metadata = file.Metadata.ToDictionary(p => p.Key, p => p.Value);
        if (editConfig is not null)
        {
            var config = JsonNode.Parse(metadata[ModelFile.ConfigKey])!.AsObject();
            editConfig(config);
            metadata[ModelFile.ConfigKey] = config.ToJsonString();
        }
        SafeTensorsFile.Write(path, tensors, metadata, int8);
    }

    public static TheoryData<string, string> Damages() => new()
    {
        { "minus128", "tensor 'lstm.weight_hh_l0': element 3 is -128; an int8 weight must be an integer in [-127, 127]" },
        { "no-scale", "the classifier lacks the tensor 'lstm.weight_ih_l1.scale'" },
        { "scale-shape", "tensor 'head.2.weight.scale' has shape [2], but the config needs [3]" },
        { "negative-scale", "tensor 'lstm.weight_ih_l0_reverse.scale' holds -0.5 at element 1; a scale cannot be negative" },
        { "float-matrix", "tensor 'head.0.weight' must be stored as I8 in an int8 model file" },
        { "int8-scale", "tensor 'lstm.weight_hh_l0.scale' must be stored as floats, not I8" },
        { "unmarked", "tensor 'head.0.weight' is stored as I8, but the config does not say quantization \"int8\"" },
        { "int4", "the config says quantization \"int4\"; this version of LstmText reads \"int8\" only" },
        { "stray-scale", "tensor 'embedding.weight.scale' is not part of a classifier with this config" },
    };

    [Theory]
    [MemberData(nameof(Damages))]
    public void A_damaged_int8_file_is_refused_naming_the_tensor_within_the_memory_bound(string damage, string message)
    {
        string path = _folder.File($"{damage}.safetensors");
        Classifier().SaveInt8(path);
        switch (damage)
        {
            case "minus128": Rewrite(path, (t, _) => t["lstm.weight_hh_l0"].HostSpan[3] = -128f); break;
            case "no-scale": Rewrite(path, (t, _) => t.Remove("lstm.weight_ih_l1.scale")); break;
            case "scale-shape": Rewrite(path, (t, _) => t["head.2.weight.scale"] = Tensor.Zeros(2)); break;
            case "negative-scale": Rewrite(path, (t, _) => t["lstm.weight_ih_l0_reverse.scale"].HostSpan[1] = -0.5f); break;
            case "float-matrix": Rewrite(path, (_, i) => i.Remove("head.0.weight")); break;
            case "int8-scale": Rewrite(path, (t, i) => { t["lstm.weight_hh_l0.scale"].HostSpan.Clear(); i.Add("lstm.weight_hh_l0.scale"); }); break;
            case "unmarked": Rewrite(path, (_, _) => { }, c => c.Remove("quantization")); break;
            case "int4": Rewrite(path, (_, _) => { }, c => c["quantization"] = "int4"); break;
            case "stray-scale": Rewrite(path, (t, _) => t["embedding.weight.scale"] = Tensor.Zeros(Tokenizer.VocabularySize)); break;
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<ModelFileFormatException>(() => TextClassifier.Load(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal($"{message}: {path}", error.Message);
        Assert.True(allocated < 8 * new FileInfo(path).Length + 4_000_000, $"loading allocated {allocated:N0} bytes");
    }

    [Fact]
    public void Corrupted_bytes_of_an_int8_file_load_or_are_refused_as_a_bad_file_never_otherwise()
    {
        string path = _folder.File("model.safetensors"), damaged = _folder.File("damaged.safetensors");
        Classifier().SaveInt8(path);
        byte[] original = File.ReadAllBytes(path);
        var random = new Random(12);
        int refused = 0;
        for (int trial = 0; trial < 300; trial++)
        {
            byte[] bytes = (byte[])original.Clone();
            // Mostly the header (names, dtypes, shapes, offsets), sometimes the data (int8 values and scales).
            for (int flips = random.Next(1, 4); flips > 0; flips--)
            {
                int at = random.Next(2) == 0 ? random.Next(8, Math.Min(bytes.Length, 4096)) : random.Next(bytes.Length);
                bytes[at] = (byte)random.Next(256);
            }
            File.WriteAllBytes(damaged, bytes);
            try
            {
                var classifier = TextClassifier.Load(damaged);
                Assert.True(classifier.UsesInt8Weights || classifier.HasFloatWeights);
            }
            catch (Exception e) when (e is ModelFileFormatException or SafeTensorsFormatException)
            {
                refused++;
                Assert.DoesNotContain("Exception", e.Message, StringComparison.Ordinal);
            }
        }
        Assert.True(refused > 0, "no corruption was noticed");
    }
}
