using LstmText.Layers;
using LstmText.Models;
using LstmText.Tensors;
using LstmText.Tokenizers;

namespace LstmText.Tests.IO;

/// <summary>
/// The tensor names and shapes a config needs, which a load checks before building a network, stay those of the
/// network itself.
/// </summary>
public sealed class ModelTensorShapesTests
{
    private static readonly CharTokenizer Tokenizer = CharTokenizer.Build(["the quick brown fox jumps over the lazy dog"]);

    public static TheoryData<int, int, int, bool, SequencePooling, int> Architectures => new()
    {
        { 1, 3, 5, false, SequencePooling.LastState, 0 },
        { 3, 4, 2, true, SequencePooling.Concat, 0 },
        { 2, 2, 6, true, SequencePooling.Attention, 3 },
        { 1, 5, 4, false, SequencePooling.Max, 2 },
        { 2, 3, 3, false, SequencePooling.Mean, 0 },
    };

    [Theory]
    [MemberData(nameof(Architectures))]
    public void The_tensors_a_config_needs_are_exactly_the_networks_parameters(int layers, int embedding, int hidden, bool bidirectional,
        SequencePooling pooling, int headHidden)
    {
        var architecture = new TextClassifierArchitecture
        {
            EmbeddingSize = embedding, HiddenSize = hidden, Layers = layers, Bidirectional = bidirectional, Pooling = pooling,
            HeadHiddenSize = headHidden,
        };
        var classifier = new TextClassifier(Tokenizer, ["a", "b", "c"], architecture);
        var lmArchitecture = new LanguageModelArchitecture(Tokenizer.VocabularySize, embedding, hidden, layers);
        var lm = LanguageModel.Create(Tokenizer, lmArchitecture);

        Assert.Equal(
            classifier.NamedParameters.Select(p => (p.Name, string.Join(",", p.Parameter.Value.Shape))),
            architecture.TensorShapes(Tokenizer.VocabularySize, 3).Select(t => (t.Name, string.Join(",", t.Shape))));
        Assert.Equal(
            lm.CreateNetwork().NamedParameters.Select(p => (p.Name, string.Join(",", p.Parameter.Value.Shape))),
            lmArchitecture.TensorShapes().Select(t => (t.Name, string.Join(",", t.Shape))));
    }
}
