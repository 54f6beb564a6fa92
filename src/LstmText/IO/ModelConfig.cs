using System.Text.Json;
using System.Text.Json.Serialization;
using LstmText.Layers;

namespace LstmText.IO;

/// <summary>
/// The architecture of an LstmText model, stored as JSON in the <c>lstmtext.config</c> metadata of
/// its model file. Property names are snake_case, as in the file.
/// </summary>
/// <remarks>
/// Properties this version does not know are kept in <see cref="Extras"/> and written back, so a file
/// from a newer version keeps its settings when an older one rewrites it.
/// </remarks>
public sealed class ModelConfig
{
    /// <summary>The names of the properties every config must have.</summary>
    public static readonly IReadOnlyList<string> RequiredProperties =
        ["kind", "vocab_size", "embedding_dim", "hidden_size", "num_layers", "bidirectional", "dropout"];

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        NumberHandling = JsonNumberHandling.Strict,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    };

    /// <summary>What the model does, e.g. <c>language-model</c> or <c>classifier</c>.</summary>
    [JsonPropertyName("kind")]
    public required string Kind { get; init; }

    /// <summary>The number of tokens the embedding and output layers cover.</summary>
    [JsonPropertyName("vocab_size")]
    public required int VocabSize { get; init; }

    /// <summary>The length of each token's embedding vector.</summary>
    [JsonPropertyName("embedding_dim")]
    public required int EmbeddingDim { get; init; }

    /// <summary>The size of each LSTM layer's hidden state (per direction).</summary>
    [JsonPropertyName("hidden_size")]
    public required int HiddenSize { get; init; }

    /// <summary>The number of stacked LSTM layers.</summary>
    [JsonPropertyName("num_layers")]
    public required int NumLayers { get; init; }

    /// <summary>Whether each LSTM layer also runs right to left.</summary>
    [JsonPropertyName("bidirectional")]
    public required bool Bidirectional { get; init; }

    /// <summary>The dropout probability between layers during training, in [0, 1).</summary>
    [JsonPropertyName("dropout")]
    public required double Dropout { get; init; }

    /// <summary>Properties not listed above, kept so they survive a read and a write.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? Extras { get; init; }

    /// <summary>Serializes the config to compact JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Parses and validates a config.</summary>
    /// <exception cref="FormatException">
    /// The JSON is malformed, lacks a required property, has one of the wrong type, or a value is out of range.
    /// The message names the property.
    /// </exception>
    public static ModelConfig FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using (var document = JsonDocument.Parse(json))
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                    throw new FormatException("the model config is not a JSON object");
                foreach (string property in RequiredProperties)
                {
                    if (!document.RootElement.TryGetProperty(property, out _))
                        throw new FormatException($"the model config lacks the required property '{property}'");
                }
            }
            var config = JsonSerializer.Deserialize<ModelConfig>(json, JsonOptions)!;
            config.Validate();
            return config;
        }
        catch (JsonException e)
        {
            string where = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "" : $" at '{e.Path.TrimStart('$', '.')}'";
            throw new FormatException($"the model config is not valid{where}: {e.Message}", e);
        }
    }

    /// <summary>Checks that sizes are positive, the kind is named and the dropout is a probability below 1.</summary>
    /// <exception cref="FormatException">A value is out of range; the message names the property.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Kind))
            throw new FormatException("the model config property 'kind' is empty");
        RequirePositive("vocab_size", VocabSize);
        RequirePositive("embedding_dim", EmbeddingDim);
        RequirePositive("hidden_size", HiddenSize);
        RequirePositive("num_layers", NumLayers);
        if (!(Dropout >= 0 && Dropout < 1))
            throw new FormatException($"the model config property 'dropout' is {Dropout}, outside [0, 1)");
    }

    private static void RequirePositive(string property, int value)
    {
        if (value <= 0)
            throw new FormatException($"the model config property '{property}' is {value}, but must be positive");
    }
}
