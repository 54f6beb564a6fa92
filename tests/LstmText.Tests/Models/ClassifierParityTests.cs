using LstmText.Compute;
using LstmText.Layers;
using LstmText.Models;
using LstmText.Tensors;
using LstmText.Tokenizers;
using LstmText.Tests.Parity;

namespace LstmText.Tests.Models;

/// <summary>
/// The PyTorch twin in tools/fixtures/make_classifier_fixtures.py against <see cref="TextClassifier"/>: logits, loss and
/// every parameter's gradient for a padded batch, for every pooling and for heads with a hidden layer.
/// </summary>
public sealed class ClassifierParityTests
{
    public static TheoryData<string> Cases => new()
    {
        "classifier_last",
        "classifier_mean",
        "classifier_max",
        "classifier_concat",
        "classifier_attention",
        "classifier_concat_hidden_relu",
        "classifier_attention_hidden_tanh",
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Logits_and_gradients_match_pytorch(string name)
    {
        var fixture = PyTorchFixture.Load(name);
        var classifier = Build(fixture);
        int[] ids = fixture.Ints("ids"), lengths = fixture.Ints("lengths"), labels = fixture.Ints("labels");

        var logits = classifier.ForwardBatch(ids, lengths);
        Closeness.AssertClose(fixture["logits"], logits, "logits");
        var loss = new CrossEntropyLoss();
        Assert.Equal(fixture["loss"][0], loss.Forward(logits, labels), 5e-6f);
        classifier.Backward(loss.Backward());

        Assert.Equal(classifier.NamedParameters.Select(p => p.Name).Order(StringComparer.Ordinal),
            classifier.NamedParameters.Select(p => p.Name).Where(n => fixture.Has(n)).Order(StringComparer.Ordinal));
        foreach (var (parameterName, parameter) in classifier.NamedParameters)
            Closeness.AssertClose(fixture["grad." + parameterName], parameter.Gradient, "gradient of " + parameterName);
    }

    internal static TextClassifier Build(PyTorchFixture fixture)
    {
        var c = fixture.Case;
        var tokenizer = CharTokenizer.Build(["abcdefg"]);
        Assert.Equal(c.GetProperty("vocab_size").GetInt32(), tokenizer.VocabularySize);
        Assert.Equal(0, tokenizer.PaddingId);
        var architecture = new TextClassifierArchitecture
        {
            EmbeddingSize = c.GetProperty("embedding_dim").GetInt32(),
            HiddenSize = c.GetProperty("hidden_size").GetInt32(),
            Layers = c.GetProperty("num_layers").GetInt32(),
            Bidirectional = c.GetProperty("bidirectional").GetBoolean(),
            Pooling = TextClassifierArchitecture.ParsePooling(c.GetProperty("pooling").GetString()!),
            HeadHiddenSize = c.GetProperty("head_hidden_size").GetInt32(),
            HeadActivation = c.GetProperty("head_activation").GetString() == "tanh" ? ActivationKind.Tanh : ActivationKind.Relu,
        };
        string[] classes = Enumerable.Range(0, c.GetProperty("classes").GetInt32()).Select(i => "class" + i).ToArray();
        var classifier = new TextClassifier(tokenizer, classes, architecture, new RandomSource(3));
        foreach (var (name, parameter) in classifier.NamedParameters) parameter.Load(fixture[name]);
        return classifier;
    }
}
