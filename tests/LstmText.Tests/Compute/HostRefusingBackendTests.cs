using LstmText.Compute;
using LstmText.Data;
using LstmText.Generation;
using LstmText.Layers;
using LstmText.Models;
using LstmText.Optimizers;
using LstmText.Tensors;
using LstmText.Tokenizers;
using LstmText.Training;

namespace LstmText.Tests.Compute;

/// <summary>
/// The device seam without a device: both model kinds train a step and generate (or predict) a step on
/// <see cref="HostRefusingBackend"/>, whose tensors refuse host access except through Download/Upload, and land on
/// the CPU backend's numbers. Any code under the networks that reads tensor memory on the host, or makes a tensor
/// without the backend, fails these tests.
/// </summary>
public sealed class HostRefusingBackendTests
{
    private const double Tolerance = 1e-5;

    [Fact]
    public void DeviceTensorsRefuseHostViewsButCopyThroughTheExplicitCalls()
    {
        var backend = new HostRefusingBackend();
        var tensor = Tensor.Zeros(backend, 2, 3);
        Assert.False(tensor.IsOnHost);
        var error = Assert.Throws<InvalidOperationException>(() => tensor.HostSpan.Length);
        Assert.Contains("Download", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => tensor[0]);
        Assert.Throws<InvalidOperationException>(() => CpuBackend.Default.Fill(tensor, 1f));

        tensor.Upload([1, 2, 3, 4, 5, 6]);
        Assert.Equal([1f, 2, 3, 4, 5, 6], tensor.ToArray());
        var clone = tensor.Clone();
        Assert.False(clone.IsOnHost);
        Assert.Same(backend, clone.Storage.Allocator);
        var row = new float[3];
        clone.Rows(1, 1).Download(row);
        Assert.Equal([4f, 5, 6], row);
        var host = Tensor.Zeros(2, 3);
        clone.CopyTo(host);
        Assert.Equal([1f, 2, 3, 4, 5, 6], host.HostSpan.ToArray());
    }

    [Fact]
    public void TheBackendRejectsAHostTensorAsAnOperand()
    {
        var backend = new HostRefusingBackend();
        var error = Assert.Throws<InvalidOperationException>(() => backend.Fill(Tensor.Zeros(4), 1f));
        Assert.Contains("made without the backend", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ALanguageModelTrainsAStepAndGeneratesOnTheRefusingBackendAsOnTheCpu(bool tieWeights)
    {
        var architecture = new LanguageModelArchitecture(VocabularySize: 11, EmbeddingSize: 8, HiddenSize: 8, Layers: 2,
            Dropout: 0.2, EmbeddingDropout: 0.1, TieWeights: tieWeights);
        var cpu = new CpuBackend(1);
        var device = new HostRefusingBackend();
        var onCpu = new LanguageModelNetwork(architecture, new RandomSource(5), cpu);
        var onDevice = new LanguageModelNetwork(architecture, new RandomSource(5), device);
        Assert.All(onDevice.NamedParameters, p => Assert.False(p.Parameter.Value.IsOnHost));

        float cpuLoss = LanguageModelTrainingStep(onCpu, cpu);
        float deviceLoss = LanguageModelTrainingStep(onDevice, device);
        Assert.Equal(cpuLoss, deviceLoss, Tolerance);
        AssertSameParameters(onCpu.NamedParameters, onDevice.NamedParameters);

        var (cpuPrompt, cpuNext) = GenerationStep(onCpu, cpu);
        var (devicePrompt, deviceNext) = GenerationStep(onDevice, device);
        AssertClose(cpuPrompt, devicePrompt);
        AssertClose(cpuNext, deviceNext);
        Assert.True(device.DownloadedElements > 0 && device.UploadedElements > 0);
    }

    [Theory]
    [InlineData(SequencePooling.LastState, false, 0)]
    [InlineData(SequencePooling.Mean, true, 0)]
    [InlineData(SequencePooling.Max, false, 6)]
    [InlineData(SequencePooling.Concat, true, 6)]
    [InlineData(SequencePooling.Attention, true, 6)]
    public void AClassifierTrainsAStepAndPredictsOnTheRefusingBackendAsOnTheCpu(SequencePooling pooling, bool bidirectional, int headHidden)
    {
        var architecture = new TextClassifierArchitecture
        {
            EmbeddingSize = 8, HiddenSize = 8, Layers = 2, Bidirectional = bidirectional, Dropout = 0.2, Pooling = pooling,
            PoolingDropout = 0.1, HeadHiddenSize = headHidden, HeadActivation = ActivationKind.Tanh,
        };
        var cpu = new CpuBackend(1);
        var device = new HostRefusingBackend();
        var onCpu = new ClassifierNetwork(architecture, vocabularySize: 13, classCount: 3, paddingId: 0, new RandomSource(9), cpu);
        var onDevice = new ClassifierNetwork(architecture, vocabularySize: 13, classCount: 3, paddingId: 0, new RandomSource(9), device);

        float cpuLoss = ClassifierTrainingStep(onCpu, cpu);
        float deviceLoss = ClassifierTrainingStep(onDevice, device);
        Assert.Equal(cpuLoss, deviceLoss, Tolerance);
        AssertSameParameters(onCpu.NamedParameters, onDevice.NamedParameters);

        AssertClose(Predict(onCpu, table: null), Predict(onDevice, table: null));
        // Inference from the token projection table (the classifier's cached first-layer input) as well.
        var cpuTable = TokenProjectionTable.Build(onCpu.Embedding, onCpu.Lstm);
        var deviceTable = TokenProjectionTable.Build(onDevice.Embedding, onDevice.Lstm);
        AssertClose(Predict(onCpu, cpuTable), Predict(onDevice, deviceTable));
    }

    private const string Corpus = "the cat sat on the mat. the dog sat on the log. a cat and a dog met on a mat.\n";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ALanguageModelBuiltOnTheRefusingBackendTrainsAndGeneratesThroughItsFacadeAsOnTheCpu(bool tieWeights)
    {
        var device = new HostRefusingBackend();
        var onCpu = TrainLanguageModel(new CpuBackend(1), tieWeights);
        var onDevice = TrainLanguageModel(device, tieWeights);
        Assert.Equal(6, onDevice.Training!.Steps);
        Assert.Equal(onCpu.Training!.TrainingLoss!.Value, onDevice.Training.TrainingLoss!.Value, Tolerance);
        Assert.Equal(onCpu.Training.ValidationLoss!.Value, onDevice.Training.ValidationLoss!.Value, Tolerance);
        AssertSameTensors(onCpu.ToModelFile().Tensors, onDevice.ToModelFile().Tensors);

        int[] ids = onCpu.Tokenizer.Encode("the cat sat");
        AssertClose(onCpu.ComputeLogits(ids).ToArray(), onDevice.ComputeLogits(ids).ToArray(), "logits");
        Assert.False(onDevice.ComputeLogits(ids).IsOnHost);
        Assert.Equal(onCpu.Evaluate(Corpus, windowLength: 16).Loss, onDevice.Evaluate(Corpus, windowLength: 16).Loss, Tolerance);
        // Sampling (temperature, top-k, several rows) and beam search run the text generator's state copies on the backend.
        Assert.Equal(Texts(onCpu.GenerateAll("the ", g => g.MaxTokens(12).Seed(7).Temperature(0.8f).TopK(5).Samples(3))),
            Texts(onDevice.GenerateAll("the ", g => g.MaxTokens(12).Seed(7).Temperature(0.8f).TopK(5).Samples(3))));
        Assert.Equal(Texts(onCpu.GenerateAll("a ", g => g.MaxTokens(10).Beams(3))), Texts(onDevice.GenerateAll("a ", g => g.MaxTokens(10).Beams(3))));
        Assert.True(device.DownloadedElements > 0 && device.UploadedElements > 0);
    }

    [Fact]
    public void AClassifierBuiltOnTheRefusingBackendTrainsAndPredictsThroughItsFacadeAsOnTheCpu()
    {
        var onCpu = TrainClassifier(new CpuBackend(1));
        var onDevice = TrainClassifier(new HostRefusingBackend());
        Assert.True(onDevice.Training!.Steps > 1);
        Assert.Equal(onCpu.Training!.TrainingLoss!.Value, onDevice.Training.TrainingLoss!.Value, Tolerance);
        Assert.Equal(onCpu.Training.ValidationLoss!.Value, onDevice.Training.ValidationLoss!.Value, Tolerance);
        Assert.Equal(onCpu.Temperature, onDevice.Temperature, Tolerance);
        AssertSameTensors(onCpu.ToModelFile().Tensors, onDevice.ToModelFile().Tensors);

        string[] texts = ["a fine warm day", "cold grey rain again", "warm", "the sun is out and it is fine and warm today"];
        AssertClose(onCpu.Logits(texts), onDevice.Logits(texts), "logits");
        // A temperature other than 1, in batches of one and of many rows.
        foreach (int batchSize in new[] { 1, 8 })
        {
            var cpu = onCpu.WithTemperature(0.7).PredictBatch(texts, batchSize);
            var device = onDevice.WithTemperature(0.7).PredictBatch(texts, batchSize);
            for (int i = 0; i < texts.Length; i++)
            {
                Assert.Equal(cpu[i].Label, device[i].Label);
                AssertClose(cpu[i].Probabilities.ToArray(), device[i].Probabilities.ToArray(), $"probabilities of text {i}");
            }
        }
    }

    private static LanguageModel TrainLanguageModel(IBackend backend, bool tieWeights) =>
        LanguageModel.Configure().CharacterLevel().Embedding(8).Lstm(8, layers: 2).Dropout(0.1).TieWeights(tieWeights).Backend(backend)
            .Train(Corpus + Corpus, t => t.MaxSteps(6).BatchSize(2).SequenceLength(8).AdamW().ClipGradients(0.5f).ValidationFraction(0.2).Seed(3));

    private static TextClassifier TrainClassifier(IBackend backend)
    {
        string[] good = ["a fine warm day", "warm sun and a fine sky", "fine and warm", "what a warm fine morning it is"];
        string[] bad = ["cold grey rain", "rain and cold wind again", "grey", "it is cold and it will rain all day"];
        var examples = good.Select((t, i) => new LabelledExample(t, "good", i + 1))
            .Concat(bad.Select((t, i) => new LabelledExample(t, "bad", i + 10))).ToArray();
        return TextClassifier.Configure().CharacterLevel().Embedding(8).Lstm(8, layers: 2, bidirectional: true).Dropout(0.1)
            .Pooling(SequencePooling.Attention).HeadHiddenLayer(6).Backend(backend)
            .Train(examples, t => t.Epochs(3).BatchSize(3).Sgd(momentum: 0.9f).LearningRate(0.1f).ClipGradients(1f)
                .ValidationExamples(examples.Take(2).Concat(examples.Skip(5).Take(2))).Seed(5));
    }

    private static string[] Texts(IReadOnlyList<GeneratedText> generated) => generated.Select(g => g.Text).ToArray();

    private static void AssertSameTensors(IReadOnlyDictionary<string, Tensor> expected, IReadOnlyDictionary<string, Tensor> actual)
    {
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, tensor) in expected) AssertClose(tensor.ToArray(), actual[name].ToArray(), name);
    }

    /// <summary>The trainer's own step (forward with dropout, loss, backward, tied-gradient gathering, clipping, an AdamW step).</summary>
    private static float LanguageModelTrainingStep(LanguageModelNetwork network, IBackend backend)
    {
        const int Steps = 5, Batch = 3;
        var batch = new LanguageModelBatch(Batch, Steps) { Steps = Steps };
        int[] ids = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1, 2, 3, 4, 5];
        int[] targets = [2, 3, 4, 5, 6, 7, 8, 9, 10, 1, 2, 3, 4, 5, 6];
        ids.CopyTo(batch.InputBuffer);
        targets.CopyTo(batch.TargetBuffer);
        var parameters = network.OptimizedParameters.Select(p => p.Parameter).ToArray();
        var optimizer = Adam.AdamW(parameters, learningRate: 0.01f, backend: backend);
        var step = new TrainingStep<LanguageModelBatch>(network,
            new CrossEntropyObjective<LanguageModelBatch>(new CrossEntropyLoss(backend: backend)), optimizer, clipNorm: 0.5f);
        return step.Run(batch, new RandomSource(3));
    }

    /// <summary>A prompt in one pass, then one token per row from the carried state, as the text generator runs.</summary>
    private static (float[] Prompt, float[] Next) GenerationStep(LanguageModelNetwork network, IBackend backend)
    {
        int[] prompt = [3, 1, 4, 1, 5];
        var prompted = network.Forward(prompt, prompt.Length, 1, null, null).ToArray();
        var final = network.Lstm.FinalState;
        var state = LstmState.Zeros(final.Hidden.Shape[0], 1, final.Hidden.Shape[2], backend);
        backend.Copy(final.Hidden, state.Hidden);
        backend.Copy(final.Cell, state.Cell);
        var next = network.Forward([9], 1, 1, state, null).ToArray();
        return (prompted, next);
    }

    /// <summary>The trainer's own step on a classifier batch (class weights, SGD with momentum and weight decay, clipping).</summary>
    private static float ClassifierTrainingStep(ClassifierNetwork network, IBackend backend)
    {
        // Three rows of lengths 4, 2 and 3, padded with id 0.
        var batch = new ClassifierBatch(maxRows: 4, maxSteps: 4);
        batch.Fill([0, 1, 2], [[5, 6, 3, 4], [7, 1], [2, 8, 9]], [2, 0, 1], paddingId: 0);
        var parameters = network.NamedParameters.Select(p => p.Parameter).ToArray();
        var optimizer = new Sgd(parameters, new SgdSettings(0.1f, Momentum: 0.9f, WeightDecay: 0.01f), backend);
        var step = new TrainingStep<ClassifierBatch>(network,
            new CrossEntropyObjective<ClassifierBatch>(new CrossEntropyLoss([1f, 2f, 0.5f], backend: backend)), optimizer, clipNorm: 1f);
        return step.Run(batch, new RandomSource(4));
    }

    private static float[] Predict(ClassifierNetwork network, TokenProjectionTable? table)
    {
        int[] ids = [5, 7, 2, 6, 1, 8, 3, 0, 9, 4, 0, 0];
        return network.Forward(ids, [4, 2, 3], null, table).ToArray();
    }

    private static void AssertSameParameters(IReadOnlyList<(string Name, Parameter Parameter)> expected,
        IReadOnlyList<(string Name, Parameter Parameter)> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Name, actual[i].Name);
            Assert.False(actual[i].Parameter.Value.IsOnHost);
            AssertClose(expected[i].Parameter.Value.ToArray(), actual[i].Parameter.Value.ToArray(), expected[i].Name);
        }
    }

    [Fact]
    public void A_forecaster_trains_and_forecasts_with_quantiles_to_the_cpu_numbers()
    {
        var series = Forecasting.ForecasterEndToEndTests.Synthetic(120);
        LstmText.Forecasting.Forecaster Train(IBackend backend) =>
            LstmText.Forecasting.Forecaster.Configure().Backend(backend).Lookback(12).Lstm(8).Difference(first: true).Quantiles(0.1, 0.5, 0.9)
                .Train([series], t => t.MaxSteps(6).BatchSize(16).ValidateEvery(3).Seed(5).LearningRate(3e-3f));
        var onCpu = Train(new CpuBackend(1));
        var device = new HostRefusingBackend();
        var onDevice = Train(device);
        Assert.Same(device, onDevice.Network.Backend);
        var expected = onCpu.Predict(series, 5).SelectMany(p => p.Quantiles!.Prepend(p.Value)).ToArray();
        var actual = onDevice.Predict(series, 5).SelectMany(p => p.Quantiles!.Prepend(p.Value)).ToArray();
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= Tolerance * Math.Max(1, Math.Abs(expected[i])),
                $"forecast value {i}: {actual[i]} on the refusing backend, {expected[i]} on the CPU");
    }

    private static void AssertClose(float[] expected, float[] actual, string what = "values")
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double bound = Tolerance * Math.Max(1, Math.Abs(expected[i]));
            Assert.True(Math.Abs(expected[i] - actual[i]) <= bound, $"{what}[{i}]: {actual[i]} on the refusing backend, {expected[i]} on the CPU");
        }
    }
}
