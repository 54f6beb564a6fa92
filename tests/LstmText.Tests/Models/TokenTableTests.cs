using LstmText.Compute;
using LstmText.Data;
using LstmText.Generation;
using LstmText.Layers;
using LstmText.Models;
using LstmText.Optimizers;
using LstmText.Tensors;
using LstmText.Tokenizers;
using LstmText.Tests.Parity;

namespace LstmText.Tests.Models;

/// <summary>
/// The classifier's token table (the first LSTM layer's input projection of every token): the same predictions as
/// without it, never stale after a weight change, built by its rules, and shared by threads.
/// </summary>
public sealed class TokenTableTests
{
    private const float Tolerance = 1e-5f;

    private static readonly string[] Texts =
    [
        "a", "bad film", "a good, moving film", "good", "fed a cage", "the plot was bad and the acting was worse",
        "abba", "deed", "a fine film with a good cast", "bland", "not good, not bad: a film", "moving",
    ];

    private static readonly CharTokenizer Tokenizer = CharTokenizer.Build(Texts);

    private static TextClassifier Classifier(int layers = 2, bool bidirectional = true, int hidden = 16, ulong seed = 3) =>
        new(Tokenizer, ["negative", "neutral", "positive"], new TextClassifierArchitecture
        {
            EmbeddingSize = 6, HiddenSize = hidden, Layers = layers, Bidirectional = bidirectional, Pooling = SequencePooling.Concat,
        }, new RandomSource(seed));

    /// <summary>Every text's probabilities, one call per text and in batches of 5, with the table off.</summary>
    private static (float[][] Single, float[][] Batched) WithoutTable(TextClassifier classifier, string[] texts)
    {
        long limit = classifier.TokenTable.MemoryLimit;
        classifier.TokenTable.MemoryLimit = 0;
        try
        {
            var result = Predict(classifier, texts);
            Assert.False(classifier.TokenTable.HasCurrentTable);
            return result;
        }
        finally
        {
            classifier.TokenTable.MemoryLimit = limit;
        }
    }

    private static (float[][] Single, float[][] Batched) Predict(TextClassifier classifier, string[] texts) =>
        (texts.Select(t => classifier.Predict(t).Probabilities.ToArray()).ToArray(),
         classifier.PredictBatch(texts, batchSize: 5).Select(p => p.Probabilities.ToArray()).ToArray());

    private static void AssertSame(float[][] expected, float[][] actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
            Closeness.AssertClose(expected[i], actual[i], $"{what}, text {i}", Tolerance, Tolerance);
    }

    /// <summary>Asserts that predictions made with the table match the classifier's predictions with the table off.</summary>
    private static void AssertSameAsWithoutTable(TextClassifier classifier, float[][] single, float[][] batched, string when = "")
    {
        var (expectedSingle, expectedBatched) = WithoutTable(classifier, Texts);
        AssertSame(expectedSingle, single, "one at a time" + when);
        AssertSame(expectedBatched, batched, "batched" + when);
    }

    private static double LargestDifference(float[][] a, float[][] b) =>
        a.Zip(b).SelectMany(pair => pair.First.Zip(pair.Second, (x, y) => Math.Abs(x - y))).Max();

    /// <summary>One Adam step on every trainable parameter, from a batch of the texts.</summary>
    private static void TrainOneStep(TextClassifier classifier)
    {
        var optimizer = new Adam(classifier.Parameters, new AdamSettings(0.05f));
        var batch = PaddedBatch.FromSequences(Texts.Select(classifier.Encode).ToArray(), Tokenizer.PaddingId!.Value);
        var loss = new CrossEntropyLoss();
        classifier.ZeroGradients();
        loss.Forward(classifier.ForwardBatch(batch), Texts.Select((_, i) => i % 3).ToArray());
        classifier.Backward(loss.Backward());
        optimizer.Step();
    }

    [Theory]
    [InlineData(1, false, 16)]
    [InlineData(1, true, 16)]
    [InlineData(2, false, 16)]
    [InlineData(2, true, 16)]
    [InlineData(2, true, 5)]
    public void Predictions_with_the_table_equal_those_without_it(int layers, bool bidirectional, int hidden)
    {
        var classifier = Classifier(layers, bidirectional, hidden);
        var (single, batched) = WithoutTable(classifier, Texts);
        classifier.TokenTable.BuildAfterTokens = 0;
        var (tableSingle, tableBatched) = Predict(classifier, Texts);
        Assert.True(classifier.TokenTable.HasCurrentTable);
        Assert.Equal(1, classifier.TokenTable.BuildCount);
        AssertSame(single, tableSingle, "one at a time");
        AssertSame(batched, tableBatched, "batched");
    }

    [Fact]
    public void A_prediction_after_a_training_step_uses_the_new_weights()
    {
        var classifier = Classifier();
        classifier.TokenTable.BuildAfterTokens = 0;
        var (before, _) = Predict(classifier, Texts);
        Assert.True(classifier.TokenTable.HasCurrentTable);

        TrainOneStep(classifier);
        Assert.False(classifier.TokenTable.HasCurrentTable);
        var (single, batched) = Predict(classifier, Texts);
        Assert.Equal(2, classifier.TokenTable.BuildCount);
        AssertSameAsWithoutTable(classifier, single, batched, " after a step");
        Assert.True(LargestDifference(before, single) > 1e-3, "the training step should have changed the predictions");
    }

    [Fact]
    public void A_step_with_the_encoder_frozen_keeps_the_table_and_still_uses_the_new_head()
    {
        var classifier = Classifier();
        classifier.TokenTable.BuildAfterTokens = 0;
        var (before, _) = Predict(classifier, Texts);
        foreach (var parameter in classifier.EncoderParameters) parameter.IsTrainable = false;

        TrainOneStep(classifier);
        Assert.True(classifier.TokenTable.HasCurrentTable);
        var (single, batched) = Predict(classifier, Texts);
        Assert.Equal(1, classifier.TokenTable.BuildCount);
        AssertSameAsWithoutTable(classifier, single, batched);
        Assert.True(LargestDifference(before, single) > 1e-3, "the head's step should have changed the predictions");
    }

    [Theory]
    [InlineData("embedding.weight")]
    [InlineData("lstm.weight_ih_l0_reverse")]
    [InlineData("lstm.bias_hh_l0")]
    public void Loading_a_weight_it_depends_on_drops_the_table(string name)
    {
        var classifier = Classifier();
        classifier.TokenTable.BuildAfterTokens = 0;
        var (before, _) = Predict(classifier, Texts);
        var parameter = classifier.NamedParameters.Single(p => p.Name == name).Parameter;
        var values = Tensor.Zeros(parameter.Value.Shape);
        new RandomSource(9).FillUniform(values, -1f, 1f);

        parameter.Load(values);
        Assert.False(classifier.TokenTable.HasCurrentTable);
        var (single, batched) = Predict(classifier, Texts);
        AssertSameAsWithoutTable(classifier, single, batched);
        Assert.True(LargestDifference(before, single) > 1e-3, $"loading {name} should have changed the predictions");
    }

    [Fact]
    public void A_direct_write_marked_changed_drops_the_table()
    {
        var classifier = Classifier();
        classifier.TokenTable.BuildAfterTokens = 0;
        Predict(classifier, Texts);
        var weight = classifier.NamedParameters.Single(p => p.Name == "lstm.weight_ih_l0").Parameter;
        foreach (ref float value in weight.Value.HostSpan) value *= -2f;
        weight.MarkChanged();

        Assert.False(classifier.TokenTable.HasCurrentTable);
        var (single, _) = Predict(classifier, Texts);
        var (expected, _) = WithoutTable(classifier, Texts);
        AssertSame(expected, single, "after a direct write");
    }

    [Fact]
    public void The_table_is_built_once_predictions_have_run_as_many_tokens_as_the_vocabulary_since_the_last_change()
    {
        var classifier = Classifier();
        int vocabulary = Tokenizer.VocabularySize;
        Assert.Equal(vocabulary, classifier.TokenTable.BuildAfterTokens);
        classifier.Predict("a");
        Assert.False(classifier.TokenTable.HasCurrentTable);
        classifier.Predict(new string('a', vocabulary));
        Assert.True(classifier.TokenTable.HasCurrentTable);

        TrainOneStep(classifier);
        classifier.Predict("abba");
        Assert.False(classifier.TokenTable.HasCurrentTable);
        Assert.Equal(1, classifier.TokenTable.BuildCount);
        classifier.PredictBatch([new string('d', vocabulary / 2), new string('e', vocabulary / 2)]);
        Assert.True(classifier.TokenTable.HasCurrentTable);
    }

    [Fact]
    public void A_table_over_the_memory_limit_is_never_built_and_lowering_the_limit_drops_one()
    {
        var classifier = Classifier();
        classifier.TokenTable.BuildAfterTokens = 0;
        long bytes = classifier.TokenTable.TableBytes;
        Assert.Equal(Tokenizer.VocabularySize * 4L * 16 * 2 * sizeof(float), bytes);

        classifier.TokenTable.MemoryLimit = bytes - 1;
        Predict(classifier, Texts);
        Assert.Equal(0, classifier.TokenTable.BuildCount);

        classifier.TokenTable.MemoryLimit = bytes;
        Predict(classifier, Texts);
        Assert.True(classifier.TokenTable.HasCurrentTable);
        classifier.TokenTable.MemoryLimit = 0;
        Assert.False(classifier.TokenTable.HasCurrentTable);
        Assert.Throws<ArgumentOutOfRangeException>(() => classifier.TokenTable.MemoryLimit = -1);
    }

    [Fact]
    public void Threads_share_one_table_and_predict_as_without_it()
    {
        var texts = Enumerable.Range(0, 160).Select(i => Texts[i % Texts.Length] + new string('a', i % 7)).ToArray();
        var (expected, _) = WithoutTable(Classifier(), texts);
        var classifier = Classifier();
        // Built part-way through, while other threads are predicting.
        classifier.TokenTable.BuildAfterTokens = 300;
        var actual = new float[texts.Length][];
        Parallel.For(0, texts.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            actual[i] = (i % 2 == 0 ? classifier.Predict(texts[i]) : classifier.PredictBatch([texts[i], texts[(i + 3) % texts.Length]])[0])
                .Probabilities.ToArray();
        });
        Assert.Equal(1, classifier.TokenTable.BuildCount);
        Assert.True(classifier.TokenTable.HasCurrentTable);
        AssertSame(expected, actual, "on many threads");
    }

    [Fact]
    public void A_forward_pass_from_the_table_serves_inference_only()
    {
        var classifier = Classifier();
        var network = new ClassifierNetwork(classifier.Architecture, Tokenizer.VocabularySize, 3, Tokenizer.PaddingId, new RandomSource(1),
            LstmText.Compute.CpuBackend.Default);
        var table = TokenProjectionTable.Build(network.Embedding, network.Lstm);
        int[] ids = [1, 2, 3, 4];
        Assert.Throws<ArgumentException>(() => network.Forward(ids, [2, 2], new RandomSource(1), table));
        network.Forward(ids, [2, 2], null, table);
        Assert.Throws<InvalidOperationException>(() => network.Lstm.Backward(Tensor.Zeros(2, 2, network.Lstm.OutputSize)));
    }
}
