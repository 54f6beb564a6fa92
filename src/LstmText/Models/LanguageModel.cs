using System.Globalization;
using System.Text;
using LstmText.Compute;
using LstmText.Data;
using LstmText.Generation;
using LstmText.IO;
using LstmText.Layers;
using LstmText.Metrics;
using LstmText.Tensors;
using LstmText.Tokenizers;
using LstmText.Training;

namespace LstmText.Models;

/// <summary>
/// A trained LSTM language model: embedding → stacked LSTM → dropout → linear decoder, with its tokenizer and
/// training record. Immutable once built or loaded, and safe to generate from and evaluate on many threads at once:
/// every call runs on a replica of its own (its own layer buffers over the model's shared, read-only weights), on the
/// backend given when it was created or loaded (default <see cref="CpuBackend.Default"/>).
/// </summary>
/// <example>
/// <code>
/// var model = LanguageModel.Configure().CharacterLevel().Embedding(64).Lstm(256, layers: 2).Dropout(0.2)
///     .Train(text, t =&gt; t.Epochs(5).BatchSize(32).SequenceLength(64));
/// string more = model.Generate("ROMEO:", g =&gt; g.Temperature(0.8).TopP(0.95).MaxTokens(400));
/// </code>
/// </example>
public sealed class LanguageModel
{
    private readonly LanguageModelNetwork _weights;

    internal LanguageModel(LanguageModelNetwork weights, ITokenizer tokenizer, TrainingRecord? training)
    {
        if (tokenizer.VocabularySize != weights.Architecture.VocabularySize)
            throw new ArgumentException(
                $"The tokenizer has {tokenizer.VocabularySize} tokens but the model covers {weights.Architecture.VocabularySize}.");
        _weights = weights;
        Tokenizer = tokenizer;
        Training = training;
    }

    /// <summary>The model's shape.</summary>
    public LanguageModelArchitecture Architecture => _weights.Architecture;

    /// <summary>The tokenizer that turns text into the model's ids.</summary>
    public ITokenizer Tokenizer { get; }

    /// <summary>How the model was trained, or null for an untrained or imported model.</summary>
    public TrainingRecord? Training { get; }

    /// <summary>The number of weights (tied weights counted once).</summary>
    public long ParameterCount => Architecture.ParameterCount;

    /// <summary>Starts a fluent description of a new model, finished by <see cref="LanguageModelBuilder.Train(string, Action{TrainingSettings}?)"/>.</summary>
    public static LanguageModelBuilder Configure() => new();

    /// <summary>An untrained model with PyTorch's initialisation from <paramref name="seed"/>.</summary>
    /// <param name="tokenizer">Turns text into ids; its vocabulary size must be the architecture's.</param>
    /// <param name="architecture">The layer sizes.</param>
    /// <param name="seed">Fixes the initial weights.</param>
    /// <param name="backend">Backend for the math (default: <see cref="CpuBackend.Default"/>).</param>
    /// <exception cref="ArgumentException">The architecture is invalid or does not match the tokenizer's size.</exception>
    public static LanguageModel Create(ITokenizer tokenizer, LanguageModelArchitecture architecture, ulong seed = 0, IBackend? backend = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        architecture.Validate();
        return new LanguageModel(new LanguageModelNetwork(architecture, new RandomSource(seed), backend), tokenizer, null);
    }

    /// <summary>
    /// A replica of the layers for one thread's generation or evaluation: buffers of its own over this model's weights,
    /// which it only reads.
    /// </summary>
    internal LanguageModelNetwork CreateNetwork() => _weights.WithOwnBuffers();

    /// <summary>A copy of the weights in a network of its own, to train without changing this model.</summary>
    internal LanguageModelNetwork CopyNetwork() => _weights.Clone();

    /// <summary>
    /// A network for generation or evaluation on one thread: a replica over the shared float weights, or with
    /// <see cref="UsesInt8Weights"/> over the int8 weights quantized once by <see cref="WithInt8Weights"/>.
    /// </summary>
    internal LanguageModelNetwork CreateInferenceNetwork() => (_int8Weights ?? _weights).WithOwnBuffers();

    /// <summary>The weights with their LSTM and decoder matrices quantized, shared by every inference replica; null for float.</summary>
    private LanguageModelNetwork? _int8Weights;

    /// <summary>Whether generation and evaluation multiply by int8 weights (<see cref="WithInt8Weights"/>, or loaded from an int8 file).</summary>
    public bool UsesInt8Weights => _int8Weights is not null;

    /// <summary>
    /// Whether the model holds its float weights: false for a model loaded from an int8 file (<see cref="SaveInt8"/>,
    /// <c>lstmtext quantize</c>), which generates and evaluates but cannot be fine-tuned, and saves as int8 again.
    /// </summary>
    public bool HasFloatWeights { get; private init; } = true;

    /// <summary>
    /// Writes the model as an int8 file, atomically: every LSTM and decoder matrix as int8 values with per-row scales
    /// (those of <see cref="WithInt8Weights"/>), the rest as in <see cref="Save"/>; about a quarter of the float file for
    /// a model whose matrices dominate. <see cref="Load"/> reads it back as a model that generates exactly as
    /// <see cref="WithInt8Weights"/> on the float model does. docs/model-format.md describes the file.
    /// </summary>
    public void SaveInt8(string path) => ToInt8ModelFile().Write(path);

    private ModelFile ToInt8ModelFile()
    {
        var int8 = _int8Weights ?? WithInt8Weights()._int8Weights!;
        return Int8ModelFile.ToInt8(ToFloatModelFile(null, null), int8.NamedParameters, int8.QuantizableLayers);
    }

    /// <summary>
    /// The same model, generating and evaluating with int8 weights (every LSTM and decoder matrix quantized per row,
    /// activations per row at every step, as PyTorch's dynamic quantization), about a quarter of the weight memory
    /// traffic. Fine-tuning it trains the float weights (and returns a float model). Its file (<see cref="Save"/>) holds the float
    /// weights; <see cref="SaveInt8"/> writes the int8 ones.
    /// </summary>
    public LanguageModel WithInt8Weights()
    {
        if (!HasFloatWeights) return this; // loaded from an int8 file: its int8 weights are the ones to keep
        var quantized = _weights.Clone();
        quantized.Lstm.QuantizeWeights();
        quantized.Decoder.QuantizeWeights();
        return new(_weights, Tokenizer, Training) { _int8Weights = quantized };
    }

    /// <summary>Reads a model file written by <see cref="Save"/> (or by PyTorch with the same metadata).</summary>
    /// <param name="path">The model file.</param>
    /// <param name="backend">Backend for the math (default: <see cref="CpuBackend.Default"/>).</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="SafeTensorsFormatException">The file is not safetensors.</exception>
    /// <exception cref="ModelFileFormatException">The file is not an LstmText language model or is inconsistent; the message says why.</exception>
    public static LanguageModel Load(string path, IBackend? backend = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"The model file {path} does not exist.", path);
        var file = ModelFile.Read(path);
        return FromModelFile(file, path, backend);
    }

    internal static LanguageModel FromModelFile(ModelFile file, string path, IBackend? backend = null)
    {
        LanguageModelArchitecture architecture;
        try
        {
            architecture = LanguageModelArchitecture.FromConfig(file.Config);
        }
        catch (FormatException e)
        {
            throw new ModelFileFormatException(path, e.Message, e);
        }
        if (file.Tokenizer is null)
            throw new ModelFileFormatException(path, $"the model has no tokenizer ({ModelFile.TokenizerKey} metadata)");
        ITokenizer tokenizer;
        try
        {
            tokenizer = Tokenizers.Tokenizer.FromJson(file.Tokenizer);
        }
        catch (FormatException e)
        {
            throw new ModelFileFormatException(path, $"the model's tokenizer is invalid: {e.Message}", e);
        }
        if (tokenizer.VocabularySize != architecture.VocabularySize)
            throw new ModelFileFormatException(path,
                $"the tokenizer has {tokenizer.VocabularySize} tokens but the config says vocab_size {architecture.VocabularySize}");

        // Every tensor is checked against the config before the network is built: the config alone sizes nothing.
        bool int8 = file.IsInt8;
        var shapes = architecture.TensorShapes();
        file.RequireTensors(path, int8 ? Int8ModelFile.Shapes(shapes) : shapes,
            name => name.StartsWith(TrainingCheckpoint.TensorPrefix, StringComparison.Ordinal), "language model");
        var network = new LanguageModelNetwork(architecture, new RandomSource(0), backend);
        if (int8) Int8ModelFile.Load(file, path, network.NamedParameters, network.QuantizableLayers);
        else foreach (var (name, parameter) in network.NamedParameters) parameter.Load(file.Tensors[name]);
        // An int8 file stores the tied decoder as int8 (as --int8 quantizes it) and the embedding as floats.
        if (architecture.TieWeights && !int8)
        {
            var embedding = file.Tensors["embedding.weight"].HostSpan; // the file's tensors are host tensors
            if (!embedding.SequenceEqual(file.Tensors["decoder.weight"].HostSpan))
                throw new ModelFileFormatException(path, "the config ties the weights, but decoder.weight differs from embedding.weight");
        }

        TrainingRecord? training = null;
        if (file.Training is not null)
        {
            try
            {
                training = TrainingRecord.FromJson(file.Training);
            }
            catch (FormatException e)
            {
                throw new ModelFileFormatException(path, $"the training record is invalid: {e.Message}", e);
            }
        }
        return int8
            ? new LanguageModel(network, tokenizer, training) { _int8Weights = network, HasFloatWeights = false }
            : new LanguageModel(network, tokenizer, training);
    }

    /// <summary>
    /// Writes the model to <paramref name="path"/> atomically: readers never see a half-written file. A model loaded from
    /// an int8 file is written as int8 again (see <see cref="HasFloatWeights"/>).
    /// </summary>
    public void Save(string path) => ToModelFile().Write(path);

    /// <summary>The model as a model file: weights under their PyTorch names, config, tokenizer and training record.</summary>
    public ModelFile ToModelFile() => ToModelFile(null, null);

    internal ModelFile ToModelFile(IReadOnlyDictionary<string, Tensor>? extraTensors, IReadOnlyDictionary<string, string>? extraMetadata) =>
        HasFloatWeights ? ToFloatModelFile(extraTensors, extraMetadata) : ToInt8ModelFile();

    private ModelFile ToFloatModelFile(IReadOnlyDictionary<string, Tensor>? extraTensors, IReadOnlyDictionary<string, string>? extraMetadata)
    {
        var tensors = _weights.NamedParameters.ToDictionary(p => p.Name, p => p.Parameter.Value, StringComparer.Ordinal);
        if (extraTensors is not null) foreach (var (k, v) in extraTensors) tensors[k] = v;
        return new ModelFile(Architecture.ToConfig(), tensors)
        {
            Tokenizer = Tokenizer.ToJson(),
            Training = Training?.ToJson(),
            OtherMetadata = extraMetadata ?? new Dictionary<string, string>(),
        };
    }

    /// <summary>
    /// The logits of every position of <paramref name="ids"/> run from a zero state, [ids.Length, V]: row t scores the
    /// token after ids[0..t].
    /// </summary>
    public Tensor ComputeLogits(ReadOnlySpan<int> ids)
    {
        foreach (int id in ids)
            if ((uint)id >= (uint)Architecture.VocabularySize)
                throw new ArgumentOutOfRangeException(nameof(ids), $"Id {id} is outside the vocabulary [0, {Architecture.VocabularySize}).");
        return CreateInferenceNetwork().Forward(ids, ids.Length, 1, null, null).Clone();
    }

    /// <summary>Generates one continuation of <paramref name="prompt"/> (the prompt itself is not included).</summary>
    /// <exception cref="ArgumentException">The settings conflict or the prompt has text the model does not know.</exception>
    public string Generate(string prompt, Action<GenerationSettings>? configure = null) =>
        GenerateAll(prompt, configure)[0].Text;

    /// <summary>
    /// Generates every sample (or, with beam search, the n best beams) of <paramref name="prompt"/>, decoded together as one batch.
    /// </summary>
    public IReadOnlyList<GeneratedText> GenerateAll(string prompt, Action<GenerationSettings>? configure = null)
    {
        var settings = new GenerationSettings();
        configure?.Invoke(settings);
        return new TextGenerator(this, settings).Run(prompt);
    }

    /// <summary>
    /// Generates one continuation and yields it piece by piece as tokens are produced; a piece never ends inside a
    /// character, and text that could begin a stop string is held back until it is known not to.
    /// </summary>
    public IAsyncEnumerable<string> GenerateStreamingAsync(string prompt, Action<GenerationSettings>? configure = null,
        CancellationToken cancellationToken = default)
    {
        var settings = new GenerationSettings();
        configure?.Invoke(settings);
        return new TextGenerator(this, settings).Stream(prompt, cancellationToken);
    }

    /// <summary>
    /// Scores <paramref name="text"/> as one continuous sequence from a zero state: the mean of −log p(xₜ | x₍&lt;ₜ₎)
    /// over positions 2..N. The result does not depend on <paramref name="windowLength"/>.
    /// </summary>
    public Evaluation Evaluate(string text, int windowLength = 256) =>
        Evaluator.Evaluate(this, Encode(text, out int unknown), windowLength) with { UnknownTokens = unknown };

    /// <summary>Scores a corpus (all files, in order, as one sequence); see <see cref="Evaluate(string, int)"/>.</summary>
    public Evaluation Evaluate(TextCorpus corpus, int windowLength = 256) =>
        Evaluator.Evaluate(this, CorpusIds.Encode(Tokenizer, corpus, out int unknown), windowLength) with { UnknownTokens = unknown };

    /// <summary>Continues training on a new corpus and returns the fine-tuned model (this one is unchanged).</summary>
    /// <exception cref="InvalidOperationException">The model was loaded from an int8 file (<see cref="HasFloatWeights"/> is false).</exception>
    public LanguageModel FineTune(string text, Action<TrainingSettings>? configure = null) =>
        FineTune(CorpusSource.FromText(text), configure);

    /// <summary>Continues training on a corpus of files; see <see cref="FineTune(string, Action{TrainingSettings}?)"/>.</summary>
    public LanguageModel FineTune(TextCorpus corpus, Action<TrainingSettings>? configure = null) =>
        FineTune(CorpusSource.FromCorpus(corpus), configure);

    private LanguageModel FineTune(CorpusSource source, Action<TrainingSettings>? configure)
    {
        if (!HasFloatWeights)
            throw new InvalidOperationException("This model was loaded from an int8 file: it has no float weights to train. Fine-tune the float model it was made from.");
        var settings = TrainingSettings.ForFineTuning();
        configure?.Invoke(settings);
        return LanguageModelTrainer.FineTune(this, source, settings);
    }

    internal int[] Encode(string text, out int unknownCount)
    {
        var ids = Tokenizer.Encode(text);
        unknownCount = CorpusIds.CountUnknown(Tokenizer, ids);
        return ids;
    }

    /// <summary>Describes the model in one line.</summary>
    public override string ToString()
    {
        var a = Architecture;
        var text = new StringBuilder($"language model: {Tokenizer.Kind} tokenizer ({a.VocabularySize} tokens), embedding {a.EmbeddingSize}, ");
        text.Append(CultureInfo.InvariantCulture, $"LSTM {a.HiddenSize}×{a.Layers}, dropout {a.Dropout}");
        if (a.EmbeddingDropout > 0) text.Append(CultureInfo.InvariantCulture, $", embedding dropout {a.EmbeddingDropout}");
        if (a.TieWeights) text.Append(", tied weights");
        text.Append(CultureInfo.InvariantCulture, $"; {ParameterCount:N0} parameters");
        return text.ToString();
    }
}
