using LstmText.Tensors;
using LstmText.Tokenizers;

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
    public const string TokenizerKey = Tokenizers.Tokenizer.ModelMetadataKey;

    /// <summary>Metadata key for the training record JSON.</summary>
    public const string TrainingKey = "lstmtext.training";

    /// <summary>The format version this library writes and reads.</summary>
    public const string CurrentFormatVersion = "1";

    /// <summary>The config property that marks an int8 model file (value <see cref="Int8Quantization"/>): see docs/model-format.md.</summary>
    public const string QuantizationProperty = "quantization";

    /// <summary>The value of <see cref="QuantizationProperty"/> in an int8 model file.</summary>
    public const string Int8Quantization = "int8";

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

    /// <summary>Whether the config marks an int8 model file (<see cref="QuantizationProperty"/> is <see cref="Int8Quantization"/>).</summary>
    public bool IsInt8 => IsInt8Config(Config);

    /// <summary>The tensors stored (or to be stored) as I8: an int8 model file's quantized weights.</summary>
    internal IReadOnlySet<string> Int8Tensors { get; init; } = new HashSet<string>();

    /// <summary>Whether <paramref name="config"/> marks an int8 model file.</summary>
    internal static bool IsInt8Config(ModelConfig config) =>
        config.Extras?.TryGetValue(QuantizationProperty, out var value) == true
        && value.ValueKind == System.Text.Json.JsonValueKind.String && value.GetString() == Int8Quantization;

    /// <summary>Reads and validates a model file.</summary>
    /// <exception cref="SafeTensorsFormatException">The file is not valid safetensors.</exception>
    /// <exception cref="ModelFileFormatException">
    /// The file lacks LstmText metadata, has an unknown version or a malformed config, or a tensor holds a NaN or infinite
    /// value (the message names the tensor).
    /// </exception>
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

        if (config.Extras?.TryGetValue(QuantizationProperty, out var quantization) == true && !IsInt8Config(config))
            throw new ModelFileFormatException(path,
                $"the config says {QuantizationProperty} {quantization.GetRawText()}; this version of LstmText reads \"{Int8Quantization}\" only");
        if (!IsInt8Config(config) && file.Int8Tensors.Order(StringComparer.Ordinal).FirstOrDefault() is { } int8Tensor)
            throw new ModelFileFormatException(path,
                $"tensor '{int8Tensor}' is stored as I8, but the config does not say {QuantizationProperty} \"{Int8Quantization}\"");

        foreach (var (name, tensor) in file.Tensors)
        {
            int index = IndexOfNonFinite(tensor.HostSpan);
            if (index >= 0)
                throw new ModelFileFormatException(path,
                    $"tensor '{name}' holds {Describe(tensor.HostSpan[index])} at element {index}; a model's weights must be finite numbers " +
                    "(the model was saved after training diverged, or the file is damaged)");
        }

        return new ModelFile(config, file.Tensors)
        {
            Tokenizer = metadata.GetValueOrDefault(TokenizerKey),
            Training = metadata.GetValueOrDefault(TrainingKey),
            Int8Tensors = file.Int8Tensors,
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
        SafeTensorsFile.Write(path, Tensors, metadata, Int8Tensors);
    }

    /// <summary>
    /// Checks, before any network is built, that the file holds the tensors a model with this file's config needs, each of
    /// the shape the config gives, and no others; so the memory a load takes is bounded by the file's size, whatever
    /// numbers the config holds. The LSTM's depth and directions are read from the tensors first, so an inflated
    /// <c>num_layers</c> costs nothing.
    /// </summary>
    /// <param name="path">The file's path, for messages.</param>
    /// <param name="expected">The tensors the config needs, with their shapes (enumerated lazily, once the depth matches).</param>
    /// <param name="passedOver">Names of tensors that may be present beside the model's own (a checkpoint's state).</param>
    /// <param name="modelName">What the model is, for messages: "language model", "classifier".</param>
    /// <exception cref="ModelFileFormatException">A tensor is missing, of another shape, or not part of the model; the message names it.</exception>
    internal void RequireTensors(string path, IEnumerable<(string Name, long[] Shape)> expected, Func<string, bool> passedOver, string modelName)
    {
        int layers = 0;
        while (Tensors.ContainsKey($"lstm.weight_ih_l{layers}")) layers++;
        if (layers != Config.NumLayers)
            throw new ModelFileFormatException(path,
                $"the config says num_layers {Config.NumLayers}, but the file holds LSTM weights for {layers} layer(s)");
        bool reverse = Tensors.ContainsKey("lstm.weight_ih_l0_reverse");
        if (reverse != Config.Bidirectional)
            throw new ModelFileFormatException(path, Config.Bidirectional
                ? "the config says bidirectional, but the file holds no reverse-direction LSTM weights (lstm.weight_ih_l0_reverse)"
                : "the config says unidirectional, but the file holds reverse-direction LSTM weights (lstm.weight_ih_l0_reverse)");

        var needed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, shape) in expected)
        {
            needed.Add(name);
            if (needed.Count > Tensors.Count)
                throw new ModelFileFormatException(path, $"the config needs more tensors than the {Tensors.Count} the file holds");
            if (!Tensors.TryGetValue(name, out var tensor))
                throw new ModelFileFormatException(path, $"the {modelName} lacks the tensor '{name}'");
            if (!SameShape(tensor.Shape, shape))
                throw new ModelFileFormatException(path,
                    $"tensor '{name}' has shape {tensor.Shape}, but the config needs [{string.Join(", ", shape)}]");
        }
        var unexpected = Tensors.Keys.Where(name => !needed.Contains(name) && !passedOver(name)).Order(StringComparer.Ordinal).FirstOrDefault();
        if (unexpected is not null)
            throw new ModelFileFormatException(path, $"tensor '{unexpected}' is not part of a {modelName} with this config");
    }

    private static bool SameShape(Shape actual, long[] expected)
    {
        if (actual.Rank != expected.Length) return false;
        for (int i = 0; i < expected.Length; i++)
            if (actual[i] != expected[i]) return false;
        return true;
    }

    private static string Describe(float value) => float.IsNaN(value) ? "NaN" : value > 0 ? "+infinity" : "-infinity";

    private static int IndexOfNonFinite(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i])) return i;
        return -1;
    }

    private static bool IsOwnKey(string key) =>
        key is FormatVersionKey or ConfigKey or TokenizerKey or TrainingKey;
}
