using LstmText.IO;
using LstmText.Layers;
using LstmText.Models;
using LstmText.Tokenizers;
using LstmText.Tests.IO;

namespace LstmText.Tests.Tokenizers;

/// <summary>
/// The seam through which optional assemblies (LstmText.MLTokenizers) add tokenizer kinds: a model whose tokenizer
/// needs an assembly that nobody registered fails with one line that says what to reference and call.
/// </summary>
public sealed class RegisteredTokenizerKindTests
{
    [Fact]
    public void A_model_whose_tokenizer_needs_LstmText_MLTokenizers_says_so_when_it_is_not_registered()
    {
        using var folder = new TemporaryFolder();
        var path = folder.File("lm.safetensors");
        LanguageModel.Configure().CharacterLevel().Embedding(4).Lstm(4, layers: 1)
            .Train("to be or not to be", t => t.MaxSteps(1).BatchSize(1).SequenceLength(4).NoValidation()).Save(path);
        var file = ModelFile.Read(path);
        new ModelFile(file.Config, file.Tensors) { Tokenizer = "{\"type\":\"sentencepiece\",\"files\":{\"model\":\"AAAA\"}}" }.Write(path);

        var error = Assert.Throws<ModelFileFormatException>(() => LanguageModel.Load(path));
        Assert.Contains("the tokenizer is sentencepiece", error.Message, StringComparison.Ordinal);
        Assert.Contains("reference LstmText.MLTokenizers and call LstmText.MLTokenizers.MLTokenizer.Register()", error.Message, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.False(Tokenizer.IsKindKnown("sentencepiece"));
    }

    [Fact]
    public void A_registered_kind_is_read_by_its_reader_and_built_in_kinds_cannot_be_replaced()
    {
        var kind = "test-kind-" + Guid.NewGuid().ToString("N");
        var inner = CharTokenizer.Build(["abc"]);
        Assert.Throws<TokenizerFormatException>(() => Tokenizer.FromJson($"{{\"type\":\"{kind}\"}}"));
        Tokenizer.RegisterKind(kind, json => json.Contains(kind, StringComparison.Ordinal) ? inner : throw new TokenizerFormatException("wrong json"));
        Assert.Same(inner, Tokenizer.FromJson($"{{\"type\":\"{kind}\"}}"));
        Assert.True(Tokenizer.IsKindKnown(kind));
        Assert.Contains(kind, Tokenizer.KnownKinds);
        Assert.Throws<ArgumentException>(() => Tokenizer.RegisterKind("bpe", _ => inner));
    }
}
