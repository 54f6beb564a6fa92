using LstmText.Models;
using LstmText.Tokenizers;

namespace LstmText.Tests.Parity;

/// <summary>A language model built and initialised in PyTorch loads into LanguageModel and gives PyTorch's logits.</summary>
public sealed class LanguageModelParityTests
{
    [Fact]
    public void A_pytorch_language_model_loads_and_matches_its_logits()
    {
        var model = LanguageModel.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "pytorch", "language_model.safetensors"));
        var fixture = PyTorchFixture.Load("language_model_logits");
        var text = fixture.Case.GetProperty("text").GetString()!;
        var ids = fixture.Ints("ids");
        Assert.Equal(ids, model.Tokenizer.Encode(text));
        Closeness.AssertClose(fixture["logits"], model.ComputeLogits(ids), "logits");
    }
}
