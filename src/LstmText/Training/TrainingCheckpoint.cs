using System.Text.Json;
using System.Text.Json.Serialization;
using LstmText.IO;
using LstmText.Optimizers;
using LstmText.Tensors;

namespace LstmText.Training;

/// <summary>
/// What a checkpoint holds besides the model: a core that every model kind shares (the position in the data, the random
/// state, the optimizer's state, the early-stopping bookkeeping, the data's fingerprint) and a part of the kind's own
/// (<see cref="Kind"/>, <see cref="KindState"/>: a language model's token count, window and carried LSTM state; a
/// classifier's example count and text length). Stored as metadata key <c>lstmtext.checkpoint</c> (JSON) and tensors
/// named <c>training.*</c> in a model file, so a checkpoint also loads as a model.
/// </summary>
/// <remarks>
/// Checkpoints written before the kind's part existed kept it in core fields named for a language model
/// (<c>training_tokens</c> held a classifier's example count, <c>sequence_length</c> its text length); they are still
/// read (<see cref="PartOf{TPart}"/> falls back to them), and never written again.
/// </remarks>
internal sealed record TrainingCheckpoint
{
    public const string MetadataKey = "lstmtext.checkpoint";
    public const string TensorPrefix = "training.";
    public const string HiddenStateName = TensorPrefix + "state.hidden";
    public const string CellStateName = TensorPrefix + "state.cell";

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public int Step { get; init; }
    public int Epoch { get; init; }
    public int Position { get; init; }
    public ulong[] Random { get; init; } = [];
    public string Optimizer { get; init; } = "";
    public int[] OptimizerSteps { get; init; } = [];
    public bool[] OptimizerStarted { get; init; } = [];
    public double? BestValidationLoss { get; init; }
    public int ValidationsWithoutImprovement { get; init; }
    public double Seconds { get; init; }
    public int BatchSize { get; init; }
    public double? LastTrainingLoss { get; init; }
    public double? BestValidationScore { get; init; }

    /// <summary>A fingerprint of the training data as the trainer reads it (ids, and labels where there are any).</summary>
    public ulong DataFingerprint { get; init; }

    /// <summary>The model kind whose part <see cref="KindState"/> is (<c>language_model</c>, <c>classifier</c>, …).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Kind { get; init; }

    /// <summary>The kind's own part of the checkpoint (read with <see cref="PartOf{TPart}"/>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? KindState { get; init; }

    /// <summary>Old checkpoints: the data fingerprint (now <see cref="DataFingerprint"/>).</summary>
    [JsonPropertyName("corpus_fingerprint"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ulong? LegacyCorpusFingerprint { get; init; }

    /// <summary>Old checkpoints: a language model's training tokens, or a classifier's training examples.</summary>
    [JsonPropertyName("training_tokens"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? LegacyTrainingTokens { get; init; }

    /// <summary>Old checkpoints: a language model's window, or a classifier's text length (max tokens).</summary>
    [JsonPropertyName("sequence_length"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? LegacySequenceLength { get; init; }

    /// <summary>Old checkpoints: whether a language model's carried LSTM state was saved.</summary>
    [JsonPropertyName("has_state"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? LegacyHasState { get; init; }

    /// <summary>How the tokenizer was made (<see cref="Training.TokenizerRecipe"/>), or null (fine-tuning, older checkpoints).</summary>
    public string? TokenizerRecipe { get; init; }

    [JsonIgnore]
    public IReadOnlyDictionary<string, Tensor> Tensors { get; init; } = new Dictionary<string, Tensor>();

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>This checkpoint with <paramref name="part"/> as the part of model kind <paramref name="kind"/>.</summary>
    public TrainingCheckpoint WithPart<TPart>(string kind, TPart part) =>
        this with { Kind = kind, KindState = JsonSerializer.SerializeToElement(part, JsonOptions) };

    /// <summary>
    /// The part of model kind <paramref name="kind"/>; for a checkpoint written before parts existed, the one
    /// <paramref name="legacy"/> makes from the old core fields.
    /// </summary>
    /// <exception cref="ModelFileFormatException">The checkpoint belongs to another kind, or its part is invalid.</exception>
    public TPart PartOf<TPart>(string kind, string path, Func<TrainingCheckpoint, TPart> legacy)
    {
        if (Kind is null || KindState is null) return legacy(this);
        if (Kind != kind) throw new ModelFileFormatException(path, $"the checkpoint is a {Kind.Replace('_', ' ')}'s, not a {kind.Replace('_', ' ')}'s");
        try
        {
            return KindState.Value.Deserialize<TPart>(JsonOptions) ?? throw new ModelFileFormatException(path, $"the checkpoint's {Kind} part is null");
        }
        catch (JsonException e)
        {
            throw new ModelFileFormatException(path, $"the checkpoint's {Kind} part is invalid: {e.Message}", e);
        }
    }

    public static string MomentName(string parameter, string moment) => $"{TensorPrefix}optimizer.{parameter}.{moment}";

    /// <summary>
    /// Reads the training state of a checkpoint written by a model kind whose file is not a <see cref="ModelFile"/> (a
    /// forecaster's), with the file's tensors.
    /// </summary>
    /// <exception cref="ModelFileFormatException">The file holds no training state, or an invalid one.</exception>
    public static TrainingCheckpoint FromSafeTensors(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"The checkpoint {path} does not exist.", path);
        var file = SafeTensorsFile.Read(path);
        if (!file.Metadata.TryGetValue(MetadataKey, out var json))
            throw new ModelFileFormatException(path, $"a model file, but not a training checkpoint (no {MetadataKey} metadata)");
        try
        {
            var checkpoint = JsonSerializer.Deserialize<TrainingCheckpoint>(json, JsonOptions)
                ?? throw new ModelFileFormatException(path, "the checkpoint state is null");
            return checkpoint with { Tensors = file.Tensors };
        }
        catch (JsonException e)
        {
            throw new ModelFileFormatException(path, $"the checkpoint state is invalid: {e.Message}", e);
        }
    }

    /// <summary>Reads a checkpoint's model file and its training state.</summary>
    public static (ModelFile File, TrainingCheckpoint Checkpoint) Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"The checkpoint {path} does not exist.", path);
        var file = ModelFile.Read(path);
        if (!file.OtherMetadata.TryGetValue(MetadataKey, out var json))
            throw new ModelFileFormatException(path, $"a model file, but not a training checkpoint (no {MetadataKey} metadata)");
        TrainingCheckpoint checkpoint;
        try
        {
            checkpoint = JsonSerializer.Deserialize<TrainingCheckpoint>(json, JsonOptions)
                ?? throw new ModelFileFormatException(path, "the checkpoint state is null");
        }
        catch (JsonException e)
        {
            throw new ModelFileFormatException(path, $"the checkpoint state is invalid: {e.Message}", e);
        }
        // Old checkpoints held the fingerprint under its former name.
        if (checkpoint.LegacyCorpusFingerprint is { } fingerprint && checkpoint.DataFingerprint == 0)
            checkpoint = checkpoint with { DataFingerprint = fingerprint };
        return (file, checkpoint with { Tensors = file.Tensors });
    }
}
