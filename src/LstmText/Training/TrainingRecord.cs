using System.Text.Json;
using System.Text.Json.Serialization;
using LstmText.Optimizers;

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

    /// <summary>Training examples of the last run (classifiers).</summary>
    public int? TrainingExamples { get; init; }

    /// <summary>Validation examples of the last run (classifiers).</summary>
    public int? ValidationExamples { get; init; }

    /// <summary>The last validation accuracy (classifiers).</summary>
    public double? ValidationAccuracy { get; init; }

    /// <summary>The last validation macro-F1 (classifiers).</summary>
    public double? ValidationMacroF1 { get; init; }

    /// <summary>The metric early stopping and the best checkpoint follow (classifiers): <c>macro_f1</c> or <c>accuracy</c>.</summary>
    public string? ValidationMetric { get; init; }

    /// <summary>The best value of <see cref="ValidationMetric"/> seen (classifiers).</summary>
    public double? BestValidationScore { get; init; }

    /// <summary>The weight of each class in the training loss, in class order (classifiers trained with class weights).</summary>
    public IReadOnlyList<float>? ClassWeights { get; init; }

    /// <summary>The language model the encoder was transferred from (classifiers).</summary>
    public string? TransferredFrom { get; init; }

    /// <summary>
    /// Which weights the model holds (classifiers): <c>best</c> (those of the best validation, at step
    /// <see cref="KeptStep"/>) or <c>last</c>.
    /// </summary>
    public string? KeptWeights { get; init; }

    /// <summary>The step whose weights the model holds (classifiers).</summary>
    public int? KeptStep { get; init; }

    /// <summary>The temperature fitted on the validation examples at the end of training (classifiers).</summary>
    public double? Temperature { get; init; }

    /// <summary>The validation loss of the kept weights at <see cref="Temperature"/>, nats per example (classifiers).</summary>
    public double? CalibratedValidationLoss { get; init; }

    /// <summary>The expected calibration error (15 bins) of the kept weights on the validation examples at <see cref="Temperature"/> (classifiers).</summary>
    public double? ValidationEce { get; init; }

    /// <summary>The validation mean absolute error of the kept weights, in the series' units (forecasters).</summary>
    public double? ValidationMae { get; init; }

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
