using System.Text.Json;
using System.Text.Json.Serialization;

namespace LstmText.Training;

/// <summary>How a model was trained; stored as JSON under <c>lstmtext.training</c> in the model file.</summary>
public sealed record TrainingRecord
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Optimizer steps of the last run (a resumed run counts the steps before the checkpoint too).</summary>
    public int Steps { get; init; }

    /// <summary>Epochs begun in the last run.</summary>
    public int Epochs { get; init; }

    /// <summary>Training tokens of the last run.</summary>
    public long TrainingTokens { get; init; }

    /// <summary>Validation tokens of the last run.</summary>
    public long ValidationTokens { get; init; }

    /// <summary>The last training loss (mean of the last steps), nats per token.</summary>
    public double? TrainingLoss { get; init; }

    /// <summary>The last validation loss, nats per token.</summary>
    public double? ValidationLoss { get; init; }

    /// <summary>The best validation loss seen, nats per token.</summary>
    public double? BestValidationLoss { get; init; }

    /// <summary>Optimizer, learning rate, batch size, sequence length and the like, as text.</summary>
    public string? Settings { get; init; }

    /// <summary>Why training stopped: epochs, max-steps, time-budget, early-stopping.</summary>
    public string? StoppedBecause { get; init; }

    /// <summary>Seconds spent training.</summary>
    public double Seconds { get; init; }

    /// <summary>Tokens of the last corpus that the tokenizer mapped to its unknown token (fine-tuning without growth).</summary>
    public int UnknownTokens { get; init; }

    /// <summary>Tokens that fine-tuning added to the vocabulary.</summary>
    public int AddedTokens { get; init; }

    /// <summary>Serializes the record.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Parses a record.</summary>
    /// <exception cref="FormatException">The JSON is malformed.</exception>
    public static TrainingRecord FromJson(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<TrainingRecord>(json, JsonOptions) ?? throw new FormatException("the training record is null");
        }
        catch (JsonException e)
        {
            throw new FormatException(e.Message, e);
        }
    }
}
