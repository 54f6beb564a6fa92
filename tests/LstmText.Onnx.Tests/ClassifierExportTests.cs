using LstmText.Compute;
using LstmText.Generation;
using LstmText.Layers;
using LstmText.Models;
using LstmText.Tensors;
using LstmText.Tokenizers;
using Xunit.Abstractions;
using System.Text.Json;

namespace LstmText.Onnx.Tests;

/// <summary>Exported classifiers run by ONNX Runtime on the CPU give our logits and probabilities on padded batches.</summary>
public sealed class ClassifierExportTests(ITestOutputHelper log)
{
    private static readonly string[] Texts =
    [
        "a", "bad film", "a good, moving film", "good", "fed a cage", "the plot was bad and the acting was worse",
        "abba", "deed", "a fine film with a good cast", "bland",
    ];

    private static readonly CharTokenizer Tokenizer = CharTokenizer.Build(Texts);

    public static TheoryData<SequencePooling, int, bool, int, ActivationKind> Shapes()
    {
        var data = new TheoryData<SequencePooling, int, bool, int, ActivationKind>();
        foreach (var pooling in Enum.GetValues<SequencePooling>())
        {
            data.Add(pooling, 1, false, 0, ActivationKind.Relu);
            data.Add(pooling, 1, true, 6, ActivationKind.Tanh);
            data.Add(pooling, 2, true, 0, ActivationKind.Relu);
            data.Add(pooling, 3, false, 6, ActivationKind.Relu);
        }
        return data;
    }

    private static TextClassifier Classifier(SequencePooling pooling, int layers, bool bidirectional, int headHidden, ActivationKind activation) =>
        new(Tokenizer, ["negative", "neutral", "positive"], new TextClassifierArchitecture
        {
            EmbeddingSize = 6, HiddenSize = 5, Layers = layers, Bidirectional = bidirectional, Pooling = pooling,
            HeadHiddenSize = headHidden, HeadActivation = activation,
        }, new RandomSource((ulong)(layers * 10 + headHidden)));

    [Theory]
    [MemberData(nameof(Shapes))]
    public void A_padded_batch_gives_our_logits_and_probabilities(SequencePooling pooling, int layers, bool bidirectional, int headHidden,
        ActivationKind activation)
    {
        var classifier = Classifier(pooling, layers, bidirectional, headHidden, activation);
        var rows = Texts.Select(classifier.Encode).ToArray();
        var ours = classifier.Logits(Texts, batchSize: Texts.Length);
        var predictions = classifier.PredictBatch(Texts, batchSize: 4);
        using var run = new OnnxRun(OnnxExport.ToBytes(classifier));
        // Padded with the padding id, and again with an ordinary id: the masks must make them the same.
        foreach (int padding in new[] { Tokenizer.PaddingId!.Value, rows[2][0] })
        {
            var (ids, lengths, steps) = OnnxRun.Pad(rows, padding);
            var outputs = run.Run(new Dictionary<string, (Array, long[])>
            {
                [OnnxTensorNames.InputIds] = (ids, [rows.Length, steps]),
                [OnnxTensorNames.Lengths] = (lengths, [rows.Length]),
            }, OnnxTensorNames.Probabilities, OnnxTensorNames.Logits);
            Assert.Equal([rows.Length, 3L], outputs[OnnxTensorNames.Probabilities].Shape);
            Tolerance.AssertClose(ours, outputs[OnnxTensorNames.Logits].Values, $"logits padded with {padding}");
            var probabilities = outputs[OnnxTensorNames.Probabilities].Values;
            for (int i = 0; i < Texts.Length; i++)
                Tolerance.AssertClose(predictions[i].Probabilities.ToArray(), probabilities.AsSpan(i * 3, 3), $"probabilities of '{Texts[i]}'");
        }
    }

    [Fact]
    public void A_fitted_temperature_divides_the_logits_as_Predict_does()
    {
        var classifier = Classifier(SequencePooling.Max, 1, true, 0, ActivationKind.Relu).WithTemperature(0.25);
        var rows = Texts.Select(classifier.Encode).ToArray();
        var predictions = classifier.PredictBatch(Texts);
        using var run = new OnnxRun(OnnxExport.ToBytes(classifier));
        var (ids, lengths, steps) = OnnxRun.Pad(rows, Tokenizer.PaddingId!.Value);
        var probabilities = run.Run(new Dictionary<string, (Array, long[])>
        {
            [OnnxTensorNames.InputIds] = (ids, [rows.Length, steps]),
            [OnnxTensorNames.Lengths] = (lengths, [rows.Length]),
        }, OnnxTensorNames.Probabilities)[OnnxTensorNames.Probabilities].Values;
        for (int i = 0; i < Texts.Length; i++)
            Tolerance.AssertClose(predictions[i].Probabilities.ToArray(), probabilities.AsSpan(i * 3, 3), $"tempered probabilities of '{Texts[i]}'");
    }

    [Fact]
    public void The_bundled_sentiment_classifier_gives_our_probabilities_on_a_padded_batch()
    {
        var classifier = TextClassifier.Load(RepositoryFiles.PathOf("corpora/sentiment/sentiment.safetensors"));
        var texts = File.ReadLines(RepositoryFiles.PathOf("corpora/sentiment/uci-sentences.tsv")).Skip(1).Take(24)
            .Select(line => line.Split('\t')[0]).ToArray();
        var rows = texts.Select(classifier.Encode).ToArray();
        Assert.True(rows.Select(r => r.Length).Distinct().Count() > 10, "the batch should mix many lengths");
        var predictions = classifier.PredictBatch(texts);
        using var run = new OnnxRun(OnnxExport.ToBytes(classifier));
        var (ids, lengths, steps) = OnnxRun.Pad(rows, classifier.Tokenizer.PaddingId ?? 0);
        var probabilities = run.Run(new Dictionary<string, (Array, long[])>
        {
            [OnnxTensorNames.InputIds] = (ids, [rows.Length, steps]),
            [OnnxTensorNames.Lengths] = (lengths, [rows.Length]),
        }, OnnxTensorNames.Probabilities)[OnnxTensorNames.Probabilities].Values;
        int classes = classifier.ClassNames.Count;
        double worst = 0;
        for (int i = 0; i < texts.Length; i++)
            worst = Math.Max(worst, Tolerance.AssertClose(predictions[i].Probabilities.ToArray(), probabilities.AsSpan(i * classes, classes), $"probabilities of text {i}"));
        log.WriteLine($"sentiment: largest probability difference {worst:E2} over {texts.Length} texts of {rows.Min(r => r.Length)} to {steps} tokens");
    }

    [Fact]
    public void The_metadata_carries_the_tokenizer_class_names_and_config()
    {
        var classifier = Classifier(SequencePooling.Attention, 1, true, 0, ActivationKind.Relu);
        using var run = new OnnxRun(OnnxExport.ToBytes(classifier));
        var metadata = run.Session.ModelMetadata.CustomMetadataMap;
        Assert.Equal(TextClassifier.ModelKind, metadata[OnnxMetadataKeys.Kind]);
        Assert.Equal(["negative", "neutral", "positive"], JsonSerializer.Deserialize<string[]>(metadata[OnnxMetadataKeys.ClassNames])!);
        Assert.Equal(Tokenizer.PaddingId!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), metadata[OnnxMetadataKeys.PaddingId]);
        Assert.Equal(OnnxMetadataKeys.CurrentContractVersion, metadata[OnnxMetadataKeys.ContractVersion]);
        Assert.Equal(classifier.Config.ToJson(), metadata[OnnxMetadataKeys.Config]);
        var tokenizer = LstmText.Tokenizers.Tokenizer.FromJson(metadata[OnnxMetadataKeys.Tokenizer]);
        Assert.Equal(classifier.Encode("a good, moving film"), tokenizer.Encode("a good, moving film"));

        Assert.Equal([OnnxTensorNames.InputIds, OnnxTensorNames.Lengths], run.Session.InputMetadata.Keys.Order());
        Assert.Equal([OnnxTensorNames.Logits, OnnxTensorNames.Probabilities], run.Session.OutputMetadata.Keys.Order());
        Assert.Equal([-1, -1], run.Session.InputMetadata[OnnxTensorNames.InputIds].Dimensions);
        Assert.Equal([-1, 3], run.Session.OutputMetadata[OnnxTensorNames.Probabilities].Dimensions);

        using var without = new OnnxRun(OnnxExport.ToBytes(classifier, new OnnxExportOptions { IncludeTokenizer = false }));
        Assert.False(without.Session.ModelMetadata.CustomMetadataMap.ContainsKey(OnnxMetadataKeys.Tokenizer));
    }

    [Fact]
    public void Writing_to_a_file_replaces_it_whole_and_reads_back()
    {
        var classifier = Classifier(SequencePooling.Mean, 1, false, 0, ActivationKind.Relu);
        var folder = Directory.CreateTempSubdirectory("lstmtext-onnx-").FullName;
        try
        {
            string path = Path.Combine(folder, "sub", "model.onnx");
            File.WriteAllText(Path.Combine(folder, "placeholder"), "");
            OnnxExport.Write(classifier, path);
            Assert.Equal(OnnxExport.ToBytes(classifier), File.ReadAllBytes(path));
            Assert.Equal(["model.onnx"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
