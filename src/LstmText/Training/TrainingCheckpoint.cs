using System.Text.Json;
using System.Text.Json.Serialization;
using LstmText.IO;
using LstmText.Tensors;

namespace LstmText.Training;

/// <summary>
/// What a checkpoint holds besides the model: the position in the data, the carried LSTM state, the random
/// state, the optimizer's state and the early-stopping bookkeeping. Stored as metadata key
/// <c>lstmtext.checkpoint</c> (JSON) and tensors named <c>training.*</c> in a model file, so a checkpoint also
/// loads as a model.
/// </summary>
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
    public bool HasState { get; init; }
    public ulong[] Random { get; init; } = [];
    public string Optimizer { get; init; } = "";
    public int[] OptimizerSteps { get; init; } = [];
    public bool[] OptimizerStarted { get; init; } = [];
    public double? BestValidationLoss { get; init; }
    public int ValidationsWithoutImprovement { get; init; }
    public double Seconds { get; init; }
    public int TrainingTokens { get; init; }
    public ulong CorpusFingerprint { get; init; }
    public int BatchSize { get; init; }
    public int SequenceLength { get; init; }
    public double? LastTrainingLoss { get; init; }
    public double? BestValidationScore { get; init; }

    /// <summary>How the tokenizer was made (<see cref="Training.TokenizerRecipe"/>), or null (fine-tuning, older checkpoints).</summary>
    public string? TokenizerRecipe { get; init; }

    [JsonIgnore]
    public IReadOnlyDictionary<string, Tensor> Tensors { get; init; } = new Dictionary<string, Tensor>();

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public static string MomentName(string parameter, string moment) => $"{TensorPrefix}optimizer.{parameter}.{moment}";

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
        return (file, checkpoint with { Tensors = file.Tensors });
    }
}
