using System.Globalization;
using LstmText.Layers;
using LstmText.Models;
using LstmText.Tokenizers;

namespace LstmText.Tests.Models;

/// <summary>A model's one-line description reads the same whatever the machine's culture (CA1305).</summary>
public sealed class LanguageModelDescriptionTests
{
    [Fact]
    public void The_description_uses_invariant_numbers_under_a_german_culture()
    {
        var tokenizer = CharTokenizer.Build(["abcdefghij"]);
        var model = LanguageModel.Create(tokenizer, new LanguageModelArchitecture(tokenizer.VocabularySize, 64, 512, 2, Dropout: 0.25, EmbeddingDropout: 0.1));
        var culture = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            var text = model.ToString();
            Assert.Contains("dropout 0.25", text);
            Assert.Contains("embedding dropout 0.1", text);
            Assert.Contains($"; {model.ParameterCount.ToString("N0", CultureInfo.InvariantCulture)} parameters", text);
            Assert.True(model.ParameterCount >= 1000, "the parameter count needs a thousands separator to test");
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }
}
