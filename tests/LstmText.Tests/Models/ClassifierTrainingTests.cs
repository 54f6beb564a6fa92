using LstmText.Compute;
using LstmText.Data;
using LstmText.Generation;
using LstmText.Layers;
using LstmText.Models;
using LstmText.Optimizers;
using LstmText.Tensors;
using LstmText.Tokenizers;
using LstmText.Tests.IO;

namespace LstmText.Tests.Models;

/// <summary>End to end: a tiny classifier learns a separable toy set with Adam, then survives a save and a load.</summary>
public sealed class ClassifierTrainingTests
{
    private static readonly (string Text, int Label)[] Examples =
    [
        ("a good film", 1), ("good acting", 1), ("really good", 1), ("the plot was good", 1), ("good fun for all", 1),
        ("so good", 1), ("good", 1), ("a good cast and a good story", 1),
        ("a bad film", 0), ("bad acting", 0), ("really bad", 0), ("the plot was bad", 0), ("bad fun for none", 0),
        ("so bad", 0), ("bad", 0), ("a bad cast and a bad story", 0),
    ];

    [Theory]
    [InlineData(SequencePooling.Max)]
    [InlineData(SequencePooling.Attention)]
    public void A_tiny_classifier_learns_good_from_bad_and_predicts_the_same_after_loading(SequencePooling pooling)
    {
        var tokenizer = WordTokenizer.Build(Examples.Select(e => e.Text));
        var classifier = new TextClassifier(tokenizer, ["negative", "positive"], new TextClassifierArchitecture
        {
            EmbeddingSize = 8, HiddenSize = 8, Bidirectional = true, Pooling = pooling, PoolingDropout = 0.1,
        }, new RandomSource(1));
        var batch = PaddedBatch.FromSequences(Examples.Select(e => classifier.Encode(e.Text)).ToArray(), tokenizer.PaddingId!.Value);
        int[] labels = Examples.Select(e => e.Label).ToArray();
        var optimizer = new Adam(classifier.Parameters, new AdamSettings(0.03f));
        var loss = new CrossEntropyLoss();
        var dropout = new RandomSource(2);
        float first = 0, last = 0;
        for (int step = 0; step < 40; step++)
        {
            optimizer.ZeroGradients();
            last = loss.Forward(classifier.ForwardBatch(batch, dropout), labels);
            if (step == 0) first = last;
            classifier.Backward(loss.Backward());
            optimizer.Step();
        }
        Assert.True(last < first / 4, $"loss fell only from {first} to {last}.");

        var predictions = classifier.PredictBatch(Examples.Select(e => e.Text).ToArray());
        int correct = predictions.Select((p, i) => p.Label == classifier.ClassNames[labels[i]] ? 1 : 0).Sum();
        Assert.True(correct >= 15, $"{correct} of {Examples.Length} right.");
        Assert.Equal("positive", classifier.Predict("good story").Label);
        Assert.Equal("negative", classifier.Predict("bad story").Label);

        using var folder = new TemporaryFolder();
        classifier.Save(folder.File("toy.safetensors"));
        var loaded = TextClassifier.Load(folder.File("toy.safetensors"));
        var reloaded = loaded.PredictBatch(Examples.Select(e => e.Text).ToArray());
        for (int i = 0; i < predictions.Count; i++)
        {
            Assert.Equal(predictions[i].Label, reloaded[i].Label);
            Assert.Equal(predictions[i].Probabilities, reloaded[i].Probabilities);
        }
    }

    [Fact]
    public void Frozen_encoder_parameters_stay_put_while_the_head_learns()
    {
        var tokenizer = WordTokenizer.Build(Examples.Select(e => e.Text));
        var classifier = new TextClassifier(tokenizer, ["negative", "positive"],
            new TextClassifierArchitecture { EmbeddingSize = 4, HiddenSize = 4, Pooling = SequencePooling.Mean }, new RandomSource(1));
        foreach (var p in classifier.EncoderParameters) p.IsTrainable = false;
        var before = classifier.EncoderParameters.Select(p => p.Value.ToArray()).ToArray();
        var head = classifier.NamedParameters.Single(p => p.Name == "head.weight").Parameter.Value.ToArray();
        var batch = PaddedBatch.FromSequences(Examples.Select(e => classifier.Encode(e.Text)).ToArray(), 0);
        var optimizer = new Adam(classifier.Parameters, new AdamSettings(0.01f));
        var loss = new CrossEntropyLoss();
        loss.Forward(classifier.ForwardBatch(batch), Examples.Select(e => e.Label).ToArray());
        classifier.Backward(loss.Backward());
        optimizer.Step();
        for (int i = 0; i < before.Length; i++) Assert.Equal(before[i], classifier.EncoderParameters[i].Value.ToArray());
        Assert.NotEqual(head, classifier.NamedParameters.Single(p => p.Name == "head.weight").Parameter.Value.ToArray());
    }
}
