using System.Text.Json;
using LstmText.IO;
using LstmText.Layers;
using LstmText.Tensors;

namespace LstmText.Models;

/// <summary>The shape of a language model: sizes, depth, dropout and weight tying.</summary>
/// <param name="VocabularySize">Tokens covered by the embedding and the decoder (the tokenizer's size).</param>
/// <param name="EmbeddingSize">Length of each token's embedding vector.</param>
/// <param name="HiddenSize">Hidden state size of each LSTM layer.</param>
/// <param name="Layers">Number of stacked LSTM layers.</param>
/// <param name="Dropout">Dropout between LSTM layers and on the last layer's output, while training.</param>
/// <param name="EmbeddingDropout">Dropout on the embedded tokens, while training.</param>
/// <param name="TieWeights">The decoder shares the embedding's weight (needs embedding size = hidden size).</param>
public sealed record LanguageModelArchitecture(
    int VocabularySize, int EmbeddingSize, int HiddenSize, int Layers,
    double Dropout = 0, double EmbeddingDropout = 0, bool TieWeights = false)
{
    /// <summary>The <c>kind</c> that a language model's <c>lstmtext.config</c> holds.</summary>
    public const string Kind = "language-model";

    /// <summary>The number of weights, counting tied weights once.</summary>
    public long ParameterCount
    {
        get
        {
            long v = VocabularySize, e = EmbeddingSize, h = HiddenSize;
            long lstm = 0;
            for (int layer = 0; layer < Layers; layer++) lstm += 4 * h * ((layer == 0 ? e : h) + h + 2);
            return v * e + lstm + (TieWeights ? 0 : v * h) + v;
        }
    }

    /// <summary>
    /// The tensors a model of this shape is made of, by PyTorch name, with their shapes (as long, so an inflated config
    /// cannot overflow them); the same names and shapes as the network's parameters.
    /// </summary>
    internal IEnumerable<(string Name, long[] Shape)> TensorShapes()
    {
        long v = VocabularySize, e = EmbeddingSize, h = HiddenSize;
        yield return ("embedding.weight", [v, e]);
        for (int layer = 0; layer < Layers; layer++)
        {
            yield return ($"lstm.weight_ih_l{layer}", [4 * h, layer == 0 ? e : h]);
            yield return ($"lstm.weight_hh_l{layer}", [4 * h, h]);
            yield return ($"lstm.bias_ih_l{layer}", [4 * h]);
            yield return ($"lstm.bias_hh_l{layer}", [4 * h]);
        }
        yield return ("decoder.weight", [v, h]);
        yield return ("decoder.bias", [v]);
    }

    /// <summary>Checks every size and probability.</summary>
    /// <exception cref="ArgumentException">A value is out of range or tying is asked with different sizes; the message says which.</exception>
    public void Validate()
    {
        if (VocabularySize <= 0) throw new ArgumentException($"The vocabulary size is {VocabularySize}; it must be positive.");
        if (EmbeddingSize <= 0) throw new ArgumentException($"The embedding size is {EmbeddingSize}; it must be positive.", nameof(EmbeddingSize));
        if (HiddenSize <= 0) throw new ArgumentException($"The LSTM hidden size is {HiddenSize}; it must be positive.", nameof(HiddenSize));
        if (Layers <= 0) throw new ArgumentException($"The LSTM has {Layers} layers; it needs at least one.", nameof(Layers));
        if (!(Dropout is >= 0 and < 1)) throw new ArgumentException($"Dropout {Dropout} is not in [0, 1).", nameof(Dropout));
        if (!(EmbeddingDropout is >= 0 and < 1)) throw new ArgumentException($"Embedding dropout {EmbeddingDropout} is not in [0, 1).", nameof(EmbeddingDropout));
        if (TieWeights && EmbeddingSize != HiddenSize)
            throw new ArgumentException(
                $"Weight tying needs the embedding size to equal the LSTM hidden size, but they are {EmbeddingSize} and {HiddenSize}.");
    }

    /// <summary>The architecture as the model file's config.</summary>
    public ModelConfig ToConfig() => new()
    {
        Kind = Kind,
        VocabSize = VocabularySize,
        EmbeddingDim = EmbeddingSize,
        HiddenSize = HiddenSize,
        NumLayers = Layers,
        Bidirectional = false,
        Dropout = Dropout,
        Extras = new Dictionary<string, JsonElement>
        {
            ["tie_weights"] = JsonSerializer.SerializeToElement(TieWeights),
            ["embedding_dropout"] = JsonSerializer.SerializeToElement(EmbeddingDropout),
        },
    };

    /// <summary>Reads the architecture from a model file's config.</summary>
    /// <exception cref="FormatException">The config is not a unidirectional language model's, or its extras are malformed.</exception>
    public static LanguageModelArchitecture FromConfig(ModelConfig config)
    {
        if (config.Kind != Kind)
            throw new FormatException($"the model is a '{config.Kind}', not a {Kind}");
        if (config.Bidirectional)
            throw new FormatException("a language model's LSTM cannot be bidirectional");
        bool tie = false;
        double embeddingDropout = 0;
        try
        {
            if (config.Extras?.TryGetValue("tie_weights", out var t) == true) tie = t.GetBoolean();
            if (config.Extras?.TryGetValue("embedding_dropout", out var d) == true) embeddingDropout = d.GetDouble();
        }
        catch (InvalidOperationException e)
        {
            throw new FormatException($"the model config's tie_weights or embedding_dropout has the wrong type: {e.Message}", e);
        }
        var architecture = new LanguageModelArchitecture(config.VocabSize, config.EmbeddingDim, config.HiddenSize,
            config.NumLayers, config.Dropout, embeddingDropout, tie);
        try
        {
            architecture.Validate();
        }
        catch (ArgumentException e)
        {
            throw new FormatException(e.Message, e);
        }
        return architecture;
    }
}
