using LstmText.Compute;
using LstmText.Data;
using LstmText.Generation;
using LstmText.IO;
using LstmText.Layers;
using LstmText.Models;
using LstmText.Tensors;
using LstmText.Tokenizers;
using LstmText.Training;
using LstmText.Tests.IO;
using LstmText.Tests.Parity;

namespace LstmText.Tests.Models;

/// <summary>Inference, mask invariance, thread safety, files and transfer of <see cref="TextClassifier"/>.</summary>
public sealed class TextClassifierTests
{
    private static readonly string[] Texts =
    [
        "a", "bad film", "a good, moving film", "good", "fed a cage", "the plot was bad and the acting was worse",
        "abba", "deed", "a fine film with a good cast", "bland",
    ];

    private static readonly CharTokenizer Tokenizer = CharTokenizer.Build(Texts);

    public static TheoryData<SequencePooling> Poolings => ClassifierPoolingGradientTests.Poolings;

    private static TextClassifier Tiny(SequencePooling pooling, int headHidden = 0, ulong seed = 1, IBackend? backend = null) =>
        new(Tokenizer, ["negative", "neutral", "positive"], new TextClassifierArchitecture
        {
            EmbeddingSize = 5, HiddenSize = 4, Layers = 2, Bidirectional = true, Pooling = pooling, HeadHiddenSize = headHidden,
        }, new RandomSource(seed), backend);

    private static string[] ManyTexts(int count) =>
        Enumerable.Range(0, count).Select(i => Texts[i % Texts.Length] + " " + new string('a', i % 11) + Texts[(i * 7) % Texts.Length]).ToArray();

    [Theory]
    [MemberData(nameof(Poolings))]
    public void A_text_predicts_the_same_alone_and_inside_a_padded_batch(SequencePooling pooling)
    {
        var classifier = Tiny(pooling, headHidden: 3);
        var encoded = Texts.Select(classifier.Encode).ToArray();
        var batch = PaddedBatch.FromSequences(encoded, Tokenizer.PaddingId!.Value);
        var together = classifier.ForwardBatch(batch).Clone();
        for (int i = 0; i < Texts.Length; i++)
        {
            var alone = classifier.ForwardBatch(PaddedBatch.FromSequences([encoded[i]], 0));
            Closeness.AssertClose(alone.HostSpan, together.HostSpan.Slice(i * 3, 3), $"logits of '{Texts[i]}'", 0f, 1e-6f);
        }
        var predictions = classifier.PredictBatch(Texts, batchSize: 4);
        for (int i = 0; i < Texts.Length; i++)
        {
            var single = classifier.Predict(Texts[i]);
            Assert.Equal(single.Label, predictions[i].Label);
            Closeness.AssertClose(single.Probabilities.ToArray(), predictions[i].Probabilities.ToArray(), Texts[i], 0f, 1e-6f);
        }
    }

    [Fact]
    public void A_prediction_names_the_most_probable_class_and_its_probabilities_sum_to_one()
    {
        var prediction = Tiny(SequencePooling.Attention).Predict("a good film");
        Assert.Equal(3, prediction.Probabilities.Count);
        Assert.Equal(1f, prediction.Probabilities.Sum(), 1e-5f);
        Assert.Equal(prediction.Probabilities.Max(), prediction.Confidence);
        string[] classes = ["negative", "neutral", "positive"];
        Assert.Equal(classes[prediction.Probabilities.ToList().IndexOf(prediction.Confidence)], prediction.Label);
    }

    [Fact]
    public void Predictions_on_many_threads_equal_sequential_ones()
    {
        var classifier = Tiny(SequencePooling.Concat, headHidden: 3);
        var texts = Enumerable.Range(0, 120).Select(i => Texts[i % Texts.Length] + new string('a', i % 7)).ToArray();
        var sequential = texts.Select(classifier.Predict).ToArray();
        var parallel = new LstmText.Models.ClassPrediction[texts.Length];
        Parallel.For(0, texts.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            parallel[i] = i % 2 == 0 ? classifier.Predict(texts[i]) : classifier.PredictBatch([texts[i], texts[(i + 3) % texts.Length]])[0];
        });
        for (int i = 0; i < texts.Length; i++)
            Closeness.AssertClose(sequential[i].Probabilities.ToArray(), parallel[i].Probabilities.ToArray(), texts[i], 0f, 1e-6f);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(32)]
    public void Batches_run_concurrently_give_the_predictions_of_one_thread_in_input_order(int batchSize)
    {
        var texts = ManyTexts(100);
        var oneThread = Tiny(SequencePooling.Concat, headHidden: 3, backend: new CpuBackend(1));
        var twoThreads = Tiny(SequencePooling.Concat, headHidden: 3, backend: new CpuBackend(2));
        var expected = texts.Select(oneThread.Predict).ToArray();
        var actual = twoThreads.PredictBatch(texts, batchSize);
        Assert.Equal(texts.Length, actual.Count);
        for (int i = 0; i < texts.Length; i++)
        {
            Assert.Equal(expected[i].Label, actual[i].Label);
            Closeness.AssertClose(expected[i].Probabilities.ToArray(), actual[i].Probabilities.ToArray(), texts[i], 0f, 1e-6f);
        }
    }

    [Fact]
    public void A_loaded_model_used_from_many_threads_gives_the_sequential_predictions()
    {
        using var folder = new TemporaryFolder();
        string path = folder.File("model.safetensors");
        var original = Tiny(SequencePooling.Concat, backend: new CpuBackend(1));
        original.Save(path);
        var texts = ManyTexts(90);
        var expected = texts.Select(original.Predict).ToArray();

        var loaded = TextClassifier.Load(path, new CpuBackend(2));
        var actual = new LstmText.Models.ClassPrediction[texts.Length];
        // Callers mix single texts and batches of 9, so concurrent items, nested direction items and a busy team all occur.
        Parallel.For(0, 10 + texts.Length / 9, new ParallelOptions { MaxDegreeOfParallelism = 6 }, job =>
        {
            if (job < 10)
            {
                for (int i = job; i < texts.Length; i += 10) actual[i] ??= loaded.Predict(texts[i]);
                return;
            }
            int start = (job - 10) * 9;
            var predictions = loaded.PredictBatch(texts[start..(start + 9)], batchSize: 4);
            for (int k = 0; k < 9; k++)
                Closeness.AssertClose(expected[start + k].Probabilities.ToArray(), predictions[k].Probabilities.ToArray(), texts[start + k], 0f, 1e-6f);
        });
        for (int i = 0; i < texts.Length; i++)
            Closeness.AssertClose(expected[i].Probabilities.ToArray(), actual[i].Probabilities.ToArray(), texts[i], 0f, 1e-6f);
    }

    [Fact]
    public void Empty_text_is_refused_with_its_index()
    {
        var classifier = Tiny(SequencePooling.Mean);
        Assert.Throws<ArgumentException>(() => classifier.Predict(""));
        var error = Assert.Throws<ArgumentException>(() => classifier.PredictBatch(["good", "", "bad"]));
        Assert.StartsWith("Text 1:", error.Message);
    }

    [Fact]
    public void Among_many_texts_tokenized_concurrently_the_first_bad_one_is_reported()
    {
        var classifier = Tiny(SequencePooling.Mean, backend: new CpuBackend(2));
        var texts = ManyTexts(600);
        texts[150] = "";
        texts[170] = "";
        texts[590] = "";
        var error = Assert.Throws<ArgumentException>(() => classifier.PredictBatch(texts));
        Assert.StartsWith("Text 150:", error.Message);
    }

    [Theory]
    [MemberData(nameof(Poolings))]
    public void Save_and_load_give_the_same_predictions_and_names(SequencePooling pooling)
    {
        using var folder = new TemporaryFolder();
        var classifier = Tiny(pooling, headHidden: pooling == SequencePooling.Max ? 3 : 0);
        classifier.SetTrainingRecord(new TrainingRecord { Epochs = 1 });
        string path = folder.File("model.safetensors");
        classifier.Save(path);

        var file = ModelFile.Read(path);
        Assert.Equal("classifier", file.Config.Kind);
        Assert.Equal(TextClassifierArchitecture.NameOf(pooling), file.Config.Extras!["pooling"].GetString());
        Assert.Equal(["negative", "neutral", "positive"], file.Config.Extras["class_names"].EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("embedding.weight", file.Tensors.Keys);
        Assert.Contains("lstm.weight_hh_l1_reverse", file.Tensors.Keys);
        Assert.Equal(pooling == SequencePooling.Attention, file.Tensors.ContainsKey("attention.weight"));
        Assert.Contains(pooling == SequencePooling.Max ? "head.2.bias" : "head.bias", file.Tensors.Keys);

        var loaded = TextClassifier.Load(path);
        Assert.Equal(classifier.Architecture, loaded.Architecture);
        Assert.Equal(classifier.ClassNames, loaded.ClassNames);
        Assert.Equal(classifier.Training, loaded.Training);
        Assert.Equal(1, loaded.Training!.Epochs);
        foreach (var text in Texts)
            Assert.Equal(classifier.Predict(text).Probabilities, loaded.Predict(text).Probabilities);
    }

    [Fact]
    public void Loading_a_language_model_as_a_classifier_says_what_it_is()
    {
        using var folder = new TemporaryFolder();
        string path = folder.File("lm.safetensors");
        var config = new ModelConfig
        {
            Kind = "language-model", VocabSize = Tokenizer.VocabularySize, EmbeddingDim = 5, HiddenSize = 4, NumLayers = 1,
            Bidirectional = false, Dropout = 0,
        };
        new ModelFile(config, LanguageModelTensors(new RandomSource(2), layers: 1)) { Tokenizer = Tokenizer.ToJson() }.Write(path);
        var error = Assert.Throws<ModelFileFormatException>(() => TextClassifier.Load(path));
        Assert.Contains("'language-model', not a 'classifier'", error.Message);
    }

    [Fact]
    public void A_classifier_file_with_a_missing_tensor_is_refused_by_name()
    {
        using var folder = new TemporaryFolder();
        var file = Tiny(SequencePooling.Attention).ToModelFile();
        var tensors = file.Tensors.Where(p => p.Key != "attention.weight").ToDictionary(p => p.Key, p => p.Value);
        string path = folder.File("broken.safetensors");
        new ModelFile(file.Config, tensors) { Tokenizer = file.Tokenizer }.Write(path);
        var error = Assert.Throws<ModelFileFormatException>(() => TextClassifier.Load(path));
        Assert.Contains("'attention.weight'", error.Message);
    }

    [Fact]
    public void Transfer_copies_the_language_models_embedding_and_lstm()
    {
        var source = LanguageModelTensors(new RandomSource(9), layers: 2);
        var classifier = TextClassifier.FromLanguageModel(Tokenizer, source, ["no", "yes"],
            new TextClassifierArchitecture { Pooling = SequencePooling.Concat, HeadHiddenSize = 3 }, new RandomSource(4));
        Assert.Equal(new TextClassifierArchitecture
        {
            EmbeddingSize = 5, HiddenSize = 4, Layers = 2, Bidirectional = false, Pooling = SequencePooling.Concat, HeadHiddenSize = 3,
        }, classifier.Architecture);
        var encoder = classifier.NamedParameters.Where(p => p.Name.StartsWith("embedding.", StringComparison.Ordinal) || p.Name.StartsWith("lstm.", StringComparison.Ordinal)).ToList();
        Assert.Equal(9, encoder.Count);
        foreach (var (name, parameter) in encoder) Assert.Equal(source[name].ToArray(), parameter.Value.ToArray());
        Assert.Equal(encoder.Select(p => p.Parameter), classifier.EncoderParameters);
        Assert.DoesNotContain(classifier.NamedParameters, p => p.Name.StartsWith("decoder.", StringComparison.Ordinal));
    }

    [Fact]
    public void A_bidirectional_classifier_takes_the_forward_direction_from_a_one_layer_language_model()
    {
        var source = LanguageModelTensors(new RandomSource(9), layers: 1);
        var asked = new TextClassifierArchitecture { Bidirectional = true, Pooling = SequencePooling.Concat };
        var classifier = TextClassifier.FromLanguageModel(Tokenizer, source, ["no", "yes"], asked, new RandomSource(4));
        Assert.True(classifier.Architecture.Bidirectional);
        var lstm = classifier.NamedParameters.Where(p => p.Name.StartsWith("lstm.", StringComparison.Ordinal)).ToDictionary(p => p.Name, p => p.Parameter.Value.ToArray());
        Assert.Equal(8, lstm.Count);
        foreach (var name in source.Keys.Where(n => n.StartsWith("lstm.", StringComparison.Ordinal)))
        {
            Assert.Equal(source[name].ToArray(), lstm[name]);
            Assert.NotEqual(source[name].ToArray(), lstm[name + "_reverse"]); // the reverse direction starts fresh
        }
        var deeper = Assert.Throws<ArgumentException>(() =>
            TextClassifier.FromLanguageModel(Tokenizer, LanguageModelTensors(new RandomSource(9), layers: 2), ["no", "yes"], asked));
        Assert.Contains("one-layer language model only; this one has 2 layers", deeper.Message);
    }

    [Fact]
    public void Transfer_from_a_language_model_file_takes_its_tokenizer()
    {
        using var folder = new TemporaryFolder();
        string path = folder.File("lm.safetensors");
        var config = new ModelConfig
        {
            Kind = "language-model", VocabSize = Tokenizer.VocabularySize, EmbeddingDim = 5, HiddenSize = 4, NumLayers = 1,
            Bidirectional = false, Dropout = 0,
        };
        var tensors = LanguageModelTensors(new RandomSource(2), layers: 1);
        new ModelFile(config, tensors) { Tokenizer = Tokenizer.ToJson() }.Write(path);
        var classifier = TextClassifier.FromLanguageModel(path, ["no", "yes"]);
        Assert.Equal(Tokenizer.ToJson(), classifier.Tokenizer.ToJson());
        Assert.Equal(tensors["lstm.weight_ih_l0"].ToArray(), classifier.NamedParameters.Single(p => p.Name == "lstm.weight_ih_l0").Parameter.Value.ToArray());
    }

    [Fact]
    public void Transfer_from_a_classifier_file_takes_its_encoder_whole_and_gives_a_fresh_head_for_new_classes()
    {
        using var folder = new TemporaryFolder();
        string path = folder.File("sentiment.safetensors");
        var source = Tiny(SequencePooling.Concat, seed: 6);   // 2 bidirectional layers, three classes
        source.Save(path);

        var stars = TextClassifier.FromLanguageModel(path, ["1", "2", "3", "4", "5"],
            new TextClassifierArchitecture { Pooling = SequencePooling.Mean }, new RandomSource(8));

        Assert.Equal(["1", "2", "3", "4", "5"], stars.ClassNames);
        Assert.Equal(Tokenizer.ToJson(), stars.Tokenizer.ToJson());
        var before = source.NamedParameters.ToDictionary(p => p.Name, p => p.Parameter.Value.ToArray());
        var encoder = stars.NamedParameters.Where(p => !p.Name.StartsWith("head.", StringComparison.Ordinal)).ToArray();
        Assert.Equal(1 + 2 * 2 * 4, encoder.Length);   // the embedding, and 4 tensors per layer and direction
        foreach (var (name, parameter) in encoder) Assert.Equal(before[name], parameter.Value.ToArray());
        Assert.Equal([5, 4 * 2], stars.NamedParameters.Single(p => p.Name == "head.weight").Parameter.Value.Shape.ToArray());
    }

    [Fact]
    public void Config_properties_of_a_newer_version_survive_a_load_and_a_save()
    {
        using var folder = new TemporaryFolder();
        var file = Tiny(SequencePooling.Mean).ToModelFile();
        var extras = new Dictionary<string, System.Text.Json.JsonElement>(file.Config.Extras!)
        {
            ["future_setting"] = System.Text.Json.JsonSerializer.SerializeToElement(42),
        };
        var config = ModelConfig.FromJson(file.Config.ToJson());
        config = new ModelConfig
        {
            Kind = config.Kind, VocabSize = config.VocabSize, EmbeddingDim = config.EmbeddingDim, HiddenSize = config.HiddenSize,
            NumLayers = config.NumLayers, Bidirectional = config.Bidirectional, Dropout = config.Dropout, Extras = extras,
        };
        new ModelFile(config, file.Tensors) { Tokenizer = file.Tokenizer }.Write(folder.File("a.safetensors"));
        TextClassifier.Load(folder.File("a.safetensors")).Save(folder.File("b.safetensors"));
        Assert.Equal(42, ModelFile.Read(folder.File("b.safetensors")).Config.Extras!["future_setting"].GetInt32());
    }

    [Fact]
    public void Class_names_must_be_two_or_more_and_distinct()
    {
        Assert.Throws<ArgumentException>(() => new TextClassifier(Tokenizer, ["only"]));
        Assert.Throws<ArgumentException>(() => new TextClassifier(Tokenizer, ["a", "a"]));
    }

    /// <summary>What a language model's file holds: embedding, LSTM and a decoder the classifier must ignore.</summary>
    private static Dictionary<string, Tensor> LanguageModelTensors(RandomSource random, int layers)
    {
        var embedding = new Embedding(Tokenizer.VocabularySize, 5, random, 0);
        var lstm = new Lstm(5, 4, random, layers);
        var decoder = new Linear(4, Tokenizer.VocabularySize, random);
        var tensors = new Dictionary<string, Tensor> { ["embedding.weight"] = embedding.Weight.Value };
        foreach (var p in lstm.Parameters) tensors["lstm." + p.Name] = p.Value;
        tensors["decoder.weight"] = decoder.Weight.Value;
        tensors["decoder.bias"] = decoder.Bias!.Value;
        return tensors;
    }
}
