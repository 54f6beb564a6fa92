using LstmText.Compute;
using LstmText.Data;
using LstmText.IO;
using LstmText.Layers;
using LstmText.Models;
using LstmText.Tensors;
using LstmText.Tokenizers;

namespace LstmText.Tests.Models;

/// <summary>
/// <see cref="LanguageModel"/> and <see cref="TextClassifier"/> alike where they do alike: an injected backend, inference
/// on replicas over shared weights, immutability, a typed training record, <c>ParameterCount</c> and <c>ToString</c>.
/// </summary>
public sealed class FacadeSymmetryTests : IDisposable
{
    private static readonly string[] Texts = ["a good film", "a bad film", "good", "bad", "a fine cast", "a dull plot"];

    private readonly string _folder = Directory.CreateTempSubdirectory("lstmtext-facades-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static TextClassifier TinyClassifier(IBackend? backend = null) =>
        new(CharTokenizer.Build(Texts), ["negative", "positive"], new TextClassifierArchitecture { EmbeddingSize = 4, HiddenSize = 5 },
            new RandomSource(3), backend);

    [Fact]
    public void A_language_model_runs_on_the_backend_it_was_created_or_loaded_with_over_shared_weights()
    {
        var backend = new CpuBackend(threads: 1);
        var tokenizer = CharTokenizer.Build([LanguageModelTests.Corpus]);
        var model = LanguageModel.Create(tokenizer, new LanguageModelArchitecture(tokenizer.VocabularySize, 6, 7, 2), seed: 4, backend);
        var replica = model.CreateNetwork();
        Assert.Same(backend, replica.Backend);
        // Replicas read the model's own parameters (no copy per call); training works on a copy.
        Assert.Same(model.CreateNetwork().Embedding.Weight, replica.Embedding.Weight);
        Assert.NotSame(model.CopyNetwork().Embedding.Weight, replica.Embedding.Weight);

        string path = Path.Combine(_folder, "lm.safetensors");
        model.Save(path);
        var loaded = LanguageModel.Load(path, backend);
        Assert.Same(backend, loaded.CreateNetwork().Backend);
        Assert.Same(CpuBackend.Default, LanguageModel.Load(path).CreateNetwork().Backend);
        Assert.Equal(model.Generate("the ", g => g.Seed(2).MaxTokens(30)), loaded.Generate("the ", g => g.Seed(2).MaxTokens(30)));
    }

    [Fact]
    public void A_language_model_generates_the_same_on_many_threads_at_once()
    {
        var model = LanguageModelTests.TrainTiny(steps: 2);
        string alone = model.Generate("the ", g => g.Seed(5).MaxTokens(40));
        var together = new string[8];
        Parallel.For(0, together.Length, i => together[i] = model.Generate("the ", g => g.Seed(5).MaxTokens(40)));
        Assert.All(together, text => Assert.Equal(alone, text));
    }

    [Fact]
    public void A_classifier_is_immutable_its_variants_share_the_weights_and_it_describes_itself()
    {
        var classifier = TinyClassifier();
        var warm = classifier.WithTemperature(2.5);
        var short_ = classifier.WithMaxTokens(3);
        Assert.Equal(1, classifier.Temperature);
        Assert.Equal(2.5, warm.Temperature);
        Assert.Equal(TextClassifier.DefaultMaxTokens, classifier.MaxTokens);
        Assert.Equal(3, short_.MaxTokens);
        Assert.Same(classifier.Network, warm.Network);
        Assert.Throws<ArgumentOutOfRangeException>(() => classifier.WithTemperature(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => classifier.WithMaxTokens(0));
        // Same weights, so the same labels; the temperature only flattens the probabilities.
        var plain = classifier.PredictBatch(Texts);
        var tempered = warm.PredictBatch(Texts);
        for (int i = 0; i < Texts.Length; i++)
        {
            Assert.Equal(plain[i].Label, tempered[i].Label);
            Assert.True(tempered[i].Confidence <= plain[i].Confidence + 1e-6f);
        }

        long expected = classifier.NamedParameters.Sum(p => (long)p.Parameter.Value.Length);
        Assert.Equal(expected, classifier.ParameterCount);
        Assert.Equal(
            $"classifier: char tokenizer ({classifier.Tokenizer.VocabularySize} tokens), embedding 4, LSTM 5×1, pooling concat; " +
            $"classes negative, positive; reads {TextClassifier.DefaultMaxTokens} tokens; {expected:N0} parameters",
            classifier.ToString());
        Assert.Contains("temperature 2.5;", warm.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_classifier_takes_its_backend_and_token_table_limit_when_created_or_loaded()
    {
        var backend = new CpuBackend(threads: 1);
        var classifier = TinyClassifier(backend);
        Assert.Same(backend, classifier.Network.Backend);
        string path = Path.Combine(_folder, "classifier.safetensors");
        classifier.Save(path);
        var loaded = TextClassifier.Load(path, backend, tokenTableMemoryLimit: 0);
        Assert.Same(backend, loaded.Network.Backend);
        Assert.Equal(0, loaded.TokenTableMemoryLimit);
        Assert.Equal(TextClassifier.DefaultTokenTableMemoryLimit, TextClassifier.Load(path).TokenTableMemoryLimit);
        Assert.Equal(classifier.Logits(Texts), loaded.Logits(Texts));
    }

    [Fact]
    public void Both_kinds_keep_a_typed_training_record_through_a_save_and_a_load()
    {
        var examples = Texts.Select((t, i) => new LabelledExample(t, t.Contains("good") || t.Contains("fine") ? "positive" : "negative", i + 1));
        var classifier = TextClassifier.Configure().CharacterLevel().Embedding(4).Lstm(5)
            .Train(examples, t => t.MaxSteps(2).BatchSize(2).NoValidation());
        Assert.Equal(2, classifier.Training!.Steps);
        string path = Path.Combine(_folder, "trained.safetensors");
        classifier.Save(path);
        Assert.Equal(classifier.Training, TextClassifier.Load(path).Training);

        var model = LanguageModelTests.TrainTiny(steps: 2);
        Assert.Equal(2, model.Training!.Steps);
    }

    [Fact]
    public void A_classifier_file_whose_training_record_does_not_parse_is_refused_as_a_language_model_file_is()
    {
        var file = TinyClassifier().ToModelFile();
        string path = Path.Combine(_folder, "bad-record.safetensors");
        new ModelFile(file.Config, file.Tensors) { Tokenizer = file.Tokenizer, Training = "{\"steps\": \"many\"" }.Write(path);
        var error = Assert.Throws<ModelFileFormatException>(() => TextClassifier.Load(path));
        Assert.Contains("training record is invalid", error.Message, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Both_builders_train_on_the_backend_they_are_given_and_fine_tuning_keeps_it()
    {
        var backend = new CpuBackend(threads: 1);
        var model = LanguageModel.Configure().Embedding(4).Lstm(6, layers: 1).Backend(backend)
            .Train(LanguageModelTests.Corpus + LanguageModelTests.Corpus, t => t.MaxSteps(1).BatchSize(2).SequenceLength(8).NoValidation());
        Assert.Same(backend, model.CreateNetwork().Backend);
        Assert.Same(backend, model.FineTune(LanguageModelTests.Corpus, t => t.MaxSteps(1).BatchSize(2).SequenceLength(8).NoValidation())
            .CreateNetwork().Backend);

        var examples = Texts.Select((t, i) => new LabelledExample(t, i % 2 == 0 ? "positive" : "negative", i + 1)).ToArray();
        var classifier = TextClassifier.Configure().CharacterLevel().Embedding(4).Lstm(5).Backend(backend)
            .Train(examples, t => t.MaxSteps(1).BatchSize(2).NoValidation());
        Assert.Same(backend, classifier.Network.Backend);
        Assert.Same(backend, classifier.FineTune(examples, t => t.MaxSteps(1).BatchSize(2).NoValidation()).Network.Backend);
    }

    [Fact]
    public void The_language_model_builder_says_how_many_layers()
    {
        Assert.Equal((256, 2), Depth(LanguageModel.Configure()));
        Assert.Equal((512, 2), Depth(LanguageModel.Configure().Lstm(512, layers: 2)));
#pragma warning disable CS0618 // the old one-argument call: still compiles, warns, and keeps its one layer
        Assert.Equal((512, 1), Depth(LanguageModel.Configure().Lstm(512)));
#pragma warning restore CS0618
        var old = typeof(LanguageModelBuilder).GetMethod(nameof(LanguageModelBuilder.Lstm), [typeof(int)])!;
        Assert.NotNull(old.GetCustomAttributes(typeof(ObsoleteAttribute), false).SingleOrDefault());

        static (int Hidden, int Layers) Depth(LanguageModelBuilder builder)
        {
            var architecture = builder.ArchitectureFor(10);
            return (architecture.HiddenSize, architecture.Layers);
        }
    }
}
