using LstmText.Tensors;

namespace LstmText.IO;

/// <summary>
/// An LstmText model file: a safetensors file whose tensors are the model's weights under PyTorch
/// names and whose metadata carries the architecture, tokenizer and training record as JSON.
/// </summary>
/// <remarks>See docs/model-format.md for the contract shared with PyTorch.</remarks>
public sealed class ModelFile
{
    /// <summary>Metadata key for the model-file format version.</summary>
    public const string FormatVersionKey = "lstmtext.format_version";

    /// <summary>Metadata key for the <see cref="ModelConfig"/> JSON.</summary>
    public const string ConfigKey = "lstmtext.config";

    /// <summary>Metadata key for the tokenizer JSON.</summary>
    public const string TokenizerKey = "lstmtext.tokenizer";

    /// <summary>Metadata key for the training record JSON.</summary>
    public const string TrainingKey = "lstmtext.training";

    /// <summary>The format version this library writes and reads.</summary>
    public const string CurrentFormatVersion = "1";

    /// <summary>Creates a model file from its parts.</summary>
    public ModelFile(ModelConfig config, IReadOnlyDictionary<string, Tensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(tensors);
        Config = config;
        Tensors = tensors;
    }

    /// <summary>The model's architecture.</summary>
    public ModelConfig Config { get; }

    /// <summary>The weights by PyTorch state-dict name, e.g. <c>lstm.weight_ih_l0</c>.</summary>
    public IReadOnlyDictionary<string, Tensor> Tensors { get; }

    /// <summary>The tokenizer as JSON, opaque to this type; null when the file has none.</summary>
    public string? Tokenizer { get; init; }

    /// <summary>The training record as JSON, opaque to this type; null when the file has none.</summary>
    public string? Training { get; init; }

    /// <summary>
    /// Metadata entries other than the <c>lstmtext.*</c> keys above (for example PyTorch's
    /// <c>format</c>), kept so they survive a read and a write.
    /// </summary>
    public IReadOnlyDictionary<string, string> OtherMetadata { get; init; } = new Dictionary<string, string>();

    /// <summary>Reads and validates a model file.</summary>
    /// <exception cref="SafeTensorsFormatException">The file is not valid safetensors.</exception>
    /// <exception cref="ModelFileFormatException">The file lacks LstmText metadata, has an unknown version or a malformed config.</exception>
    public static ModelFile Read(string path)
    {
        var file = SafeTensorsFile.Read(path);
        var metadata = file.Metadata;

        if (!metadata.TryGetValue(FormatVersionKey, out string? version))
            throw new ModelFileFormatException(path, $"not an LstmText model file (no {FormatVersionKey} metadata)");
        if (version != CurrentFormatVersion)
            throw new ModelFileFormatException(
                path, $"unsupported LstmText model file version '{version}' (this version of LstmText reads version {CurrentFormatVersion})");
        if (!metadata.TryGetValue(ConfigKey, out string? configJson))
            throw new ModelFileFormatException(path, $"the LstmText model file has no {ConfigKey} metadata");

        ModelConfig config;
        try
        {
            config = ModelConfig.FromJson(configJson);
        }
        catch (FormatException e)
        {
            throw new ModelFileFormatException(path, $"invalid {ConfigKey} metadata: {e.Message}", e);
        }

        return new ModelFile(config, file.Tensors)
        {
            Tokenizer = metadata.GetValueOrDefault(TokenizerKey),
            Training = metadata.GetValueOrDefault(TrainingKey),
            OtherMetadata = metadata
                .Where(pair => !IsOwnKey(pair.Key))
                .ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal),
        };
    }

    /// <summary>Writes the model file to <paramref name="path"/> atomically.</summary>
    /// <exception cref="FormatException">The config is out of range.</exception>
    /// <exception cref="ArgumentException">Other metadata uses an <c>lstmtext.*</c> key this type owns.</exception>
    public void Write(string path)
    {
        Config.Validate();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in OtherMetadata)
        {
            if (IsOwnKey(key))
                throw new ArgumentException($"Metadata key '{key}' is set by {nameof(ModelFile)} itself; use its property instead.");
            metadata[key] = value;
        }
        metadata[FormatVersionKey] = CurrentFormatVersion;
        metadata[ConfigKey] = Config.ToJson();
        if (Tokenizer is not null) metadata[TokenizerKey] = Tokenizer;
        if (Training is not null) metadata[TrainingKey] = Training;
        SafeTensorsFile.Write(path, Tensors, metadata);
    }

    private static bool IsOwnKey(string key) =>
        key is FormatVersionKey or ConfigKey or TokenizerKey or TrainingKey;
}
