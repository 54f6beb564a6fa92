using System.Collections.Concurrent;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using LstmText.Compute;
using LstmText.Data;
using LstmText.IO;
using LstmText.Layers;
using LstmText.Tensors;
using LstmText.Tokenizers;

namespace LstmText.Models;

/// <summary>
/// An LSTM text classifier: tokenizer → embedding → LSTM → mask-aware pooling → dropout → head → softmax over the
/// class names, binary or multi-class. Tensor names are PyTorch's (<c>embedding.*</c>, <c>lstm.*</c>,
/// <c>attention.*</c>, <c>head.*</c>); see docs/model-format.md, section Classifier.
/// </summary>
/// <remarks>
/// <para><see cref="Predict"/> and <see cref="PredictBatch"/> may run on many threads at once: each call borrows an
/// inference replica (its own layer buffers over the same, read-only weights) and shares one token table (see
/// <see cref="TokenTableMemoryLimit"/>). Do not train (change the weights) while predictions run; after a change made
/// through <see cref="Parameter.Load"/>, an optimizer step or <see cref="Parameter.MarkChanged"/>, the next prediction
/// uses the new weights.</para>
/// <para>The training surface — <see cref="ForwardBatch(ReadOnlySpan{int}, ReadOnlySpan{int}, RandomSource?)"/>,
/// <see cref="Backward"/>, <see cref="NamedParameters"/>, <see cref="EncoderParameters"/> — is for one trainer
/// thread; a trainer adds the loss (e.g. <see cref="CrossEntropyLoss"/> over the logits) and the optimizer.</para>
/// </remarks>
public sealed class TextClassifier
{
    /// <summary>The <c>kind</c> of a classifier in <c>lstmtext.config</c>.</summary>
    public const string ModelKind = "classifier";

    /// <summary>How many texts <see cref="PredictBatch"/> runs through the network at once by default.</summary>
    public const int DefaultBatchSize = 32;

    /// <summary>
    /// The most tokens of padded batch (rows × the longest row) that <see cref="PredictBatch"/> runs at once by default;
    /// a batch of long texts holds fewer rows. Each concurrent batch's working memory grows with it (about 50 KB a token
    /// for the bundled BiLSTM 192), and above a few thousand tokens a larger batch is no faster.
    /// </summary>
    public const int DefaultBatchTokens = 2048;

    /// <summary>
    /// The <see cref="MaxTokens"/> of a classifier whose file records none, neither in its config nor in its training
    /// record: the trainer's default, <see cref="Training.ClassifierTrainingSettings.DefaultMaxTokens"/>.
    /// </summary>
    public const int DefaultMaxTokens = Training.ClassifierTrainingSettings.DefaultMaxTokens;

    /// <summary>The default <see cref="TokenTableMemoryLimit"/>: 256 MiB.</summary>
    public const long DefaultTokenTableMemoryLimit = 256L * 1024 * 1024;

    private readonly ClassifierNetwork _network;
    private readonly TokenProjectionCache _tokenTable;
    private readonly ConcurrentBag<ClassifierNetwork> _replicas = [];
    private readonly IBackend _backend;
    private readonly int _paddingId;
    private readonly string[] _classNames;
    private Dictionary<string, System.Text.Json.JsonElement> _unknownConfigProperties = [];
    private double _temperature = 1;
    private int _maxTokens = DefaultMaxTokens;

    /// <summary>Creates a classifier with fresh weights (initialised as PyTorch initialises each layer).</summary>
    /// <param name="tokenizer">Turns text into ids; its vocabulary size sizes the embedding.</param>
    /// <param name="classNames">The classes, in the order of the logits (at least two, all different).</param>
    /// <param name="architecture">The layer sizes, pooling and head (default: <see cref="TextClassifierArchitecture"/>'s defaults).</param>
    /// <param name="random">Source of the initial weights (default: seed 0).</param>
    /// <param name="backend">Backend for the math (default: <see cref="CpuBackend.Default"/>).</param>
    public TextClassifier(ITokenizer tokenizer, IReadOnlyList<string> classNames, TextClassifierArchitecture? architecture = null,
        RandomSource? random = null, IBackend? backend = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(classNames);
        architecture ??= new TextClassifierArchitecture();
        architecture.Validate();
        _classNames = RequireClassNames(classNames);
        Tokenizer = tokenizer;
        Architecture = architecture;
        _backend = backend ?? CpuBackend.Default;
        _paddingId = tokenizer.PaddingId ?? 0;
        _network = new ClassifierNetwork(architecture, tokenizer.VocabularySize, _classNames.Length, tokenizer.PaddingId,
            random ?? new RandomSource(0), _backend);
        _tokenTable = new TokenProjectionCache(_network.Embedding, _network.Lstm, DefaultTokenTableMemoryLimit);
        Parameters = _network.NamedParameters.Select(p => p.Parameter).ToArray();
        EncoderParameters = _network.NamedParameters
            .Where(p => p.Name.StartsWith("embedding.", StringComparison.Ordinal) || p.Name.StartsWith("lstm.", StringComparison.Ordinal))
            .Select(p => p.Parameter).ToArray();
    }

    /// <summary>The tokenizer.</summary>
    public ITokenizer Tokenizer { get; }

    /// <summary>The classes, in the order of the logits and of every prediction's probabilities.</summary>
    public IReadOnlyList<string> ClassNames => _classNames;

    /// <summary>The layer sizes, pooling and head.</summary>
    public TextClassifierArchitecture Architecture { get; }

    /// <summary>The config this classifier writes to <c>lstmtext.config</c>.</summary>
    public ModelConfig Config
    {
        get
        {
            var config = Architecture.ToConfig(Tokenizer.VocabularySize, _classNames);
            config.Extras![TemperatureProperty] = System.Text.Json.JsonSerializer.SerializeToElement(_temperature);
            config.Extras[MaxTokensProperty] = System.Text.Json.JsonSerializer.SerializeToElement(_maxTokens);
            // Properties a newer version wrote survive a load and a save.
            foreach (var (key, value) in _unknownConfigProperties) config.Extras!.TryAdd(key, value);
            return config;
        }
    }

    /// <summary>The config property that holds <see cref="Temperature"/>.</summary>
    public const string TemperatureProperty = "temperature";

    /// <summary>The config property that holds <see cref="MaxTokens"/>.</summary>
    public const string MaxTokensProperty = "max_tokens";

    /// <summary>
    /// The temperature T that divides the logits before the softmax (default 1): <see cref="Predict"/>,
    /// <see cref="PredictBatch"/> and <see cref="Evaluate"/> report softmax(logits / T). Training fits it on the validation
    /// split at the end (<see cref="FitTemperature(IEnumerable{LabelledExample}, int, int)"/>), so a confidence of 0.8 is right about 80 % of the time there. It
    /// never changes a predicted label. Stored in the model file (config property <c>temperature</c>; 1 when absent).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive and finite.</exception>
    public double Temperature
    {
        get => _temperature;
        set
        {
            if (!(value > 0 && double.IsFinite(value)))
                throw new ArgumentOutOfRangeException(nameof(value), value, "The temperature must be positive and finite.");
            _temperature = value;
        }
    }

    /// <summary>
    /// The most tokens of a text the classifier reads: the first <see cref="MaxTokens"/>, as in training
    /// (<see cref="Training.ClassifierTrainingSettings.TruncateTo"/>); the rest of a longer text is not even tokenized.
    /// Stored in the model file (config property <c>max_tokens</c>); a file without it takes it from its training record's
    /// <c>max_tokens=</c>, else <see cref="DefaultMaxTokens"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public int MaxTokens
    {
        get => _maxTokens;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _maxTokens = value;
        }
    }

    /// <summary>
    /// The most memory, in bytes, that the token table may take (default <see cref="DefaultTokenTableMemoryLimit"/>;
    /// 0 turns it off). The table holds the first LSTM layer's input projection of every token (vocabulary × 4·hidden
    /// × directions floats), so predictions gather one row per token instead of embedding it and multiplying by the
    /// input weights. It is built once per classifier, shared by every thread, only after predictions have run about
    /// as many tokens as the vocabulary holds, and dropped whenever a weight it depends on changes; predictions with and
    /// without it agree to float rounding. See docs/classification.md, section Speed and memory.
    /// </summary>
    public long TokenTableMemoryLimit
    {
        get => _tokenTable.MemoryLimit;
        set => _tokenTable.MemoryLimit = value;
    }

    /// <summary>The token table's rules and state, for tests.</summary>
    internal TokenProjectionCache TokenTable => _tokenTable;

    /// <summary>The training record (JSON, opaque here) written to <c>lstmtext.training</c>; kept from a loaded file.</summary>
    public string? TrainingRecordJson { get; set; }

    /// <summary>Every parameter under its PyTorch state-dict name: <c>embedding.weight</c>, <c>lstm.*</c>, <c>attention.weight</c>, <c>head.*</c>.</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> NamedParameters => _network.NamedParameters;

    /// <summary>Every parameter, in the order of <see cref="NamedParameters"/> (for an optimizer).</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>
    /// The encoder's parameters (embedding and LSTM): set <see cref="Parameter.IsTrainable"/> to false on these to freeze
    /// the encoder (gradual unfreezing), or give them their own, lower learning rate.
    /// </summary>
    public IReadOnlyList<Parameter> EncoderParameters { get; }

    /// <summary>
    /// Creates a classifier whose embedding and LSTM are copied from a language model's tensors (ULMFiT-style transfer);
    /// the pooling and head are fresh. The encoder's sizes (embedding, hidden, layers, directions) are read from the
    /// tensors and replace those in <paramref name="architecture"/>, with one exception: when the architecture asks for
    /// a bidirectional LSTM and the language model has one forward layer, the forward direction is transferred and the
    /// reverse direction starts fresh, reading the transferred embedding. A trained classifier's tensors serve as well
    /// (its <c>head.*</c> and <c>attention.*</c> are ignored): that reuses a classifier's encoder for new classes.
    /// </summary>
    /// <param name="tokenizer">The language model's tokenizer (its vocabulary must match <c>embedding.weight</c>).</param>
    /// <param name="languageModelTensors">At least <c>embedding.weight</c> and every <c>lstm.*</c> tensor; others (e.g. <c>decoder.*</c>) are ignored.</param>
    /// <param name="classNames">The classes, in order.</param>
    /// <param name="architecture">Pooling, dropout and head settings.</param>
    /// <param name="random">Source of the head's initial weights.</param>
    /// <param name="backend">Backend for the math.</param>
    /// <exception cref="ArgumentException">A tensor is missing or has the wrong shape; the message names it.</exception>
    public static TextClassifier FromLanguageModel(ITokenizer tokenizer, IReadOnlyDictionary<string, Tensor> languageModelTensors,
        IReadOnlyList<string> classNames, TextClassifierArchitecture? architecture = null, RandomSource? random = null,
        IBackend? backend = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(languageModelTensors);
        Tensor Required(string name) => languageModelTensors.TryGetValue(name, out var t)
            ? t
            : throw new ArgumentException($"The language model has no tensor '{name}'.", nameof(languageModelTensors));
        var embedding = Required("embedding.weight");
        var recurrent = Required("lstm.weight_hh_l0");
        if (embedding.Shape.Rank != 2 || recurrent.Shape.Rank != 2)
            throw new ArgumentException("The language model's embedding.weight and lstm.weight_hh_l0 must be matrices.", nameof(languageModelTensors));
        if (embedding.Shape[0] != tokenizer.VocabularySize)
            throw new ArgumentException($"The tokenizer has {tokenizer.VocabularySize} tokens but embedding.weight has {embedding.Shape[0]} rows.", nameof(tokenizer));
        int layers = 0;
        while (languageModelTensors.ContainsKey($"lstm.weight_ih_l{layers}")) layers++;
        bool bidirectionalSource = languageModelTensors.ContainsKey("lstm.weight_ih_l0_reverse");
        bool freshReverse = architecture?.Bidirectional == true && !bidirectionalSource;
        if (freshReverse && layers != 1)
            throw new ArgumentException($"A bidirectional classifier can take its forward direction from a one-layer language model only; this one has {layers} layers.",
                nameof(architecture));
        var encoder = (architecture ?? new TextClassifierArchitecture()) with
        {
            EmbeddingSize = embedding.Shape[1],
            HiddenSize = recurrent.Shape[1],
            Layers = layers,
            Bidirectional = bidirectionalSource || freshReverse,
        };
        var classifier = new TextClassifier(tokenizer, classNames, encoder, random, backend);
        foreach (var (name, parameter) in classifier.NamedParameters)
        {
            if (!name.StartsWith("embedding.", StringComparison.Ordinal) && !name.StartsWith("lstm.", StringComparison.Ordinal)) continue;
            if (freshReverse && name.EndsWith("_reverse", StringComparison.Ordinal)) continue;
            var source = Required(name);
            if (!source.Shape.Equals(parameter.Value.Shape))
                throw new ArgumentException($"The language model's '{name}' has shape {source.Shape}; the classifier needs {parameter.Value.Shape}.", nameof(languageModelTensors));
            parameter.Load(source);
        }
        return classifier;
    }

    /// <summary>
    /// Creates a classifier whose tokenizer, embedding and LSTM come from a language-model file, or from a classifier file (see
    /// <see cref="FromLanguageModel(ITokenizer, IReadOnlyDictionary{string, Tensor}, IReadOnlyList{string}, TextClassifierArchitecture?, RandomSource?, IBackend?)"/>).
    /// </summary>
    /// <exception cref="ModelFileFormatException">The file has no tokenizer or lacks an encoder tensor.</exception>
    public static TextClassifier FromLanguageModel(string languageModelPath, IReadOnlyList<string> classNames,
        TextClassifierArchitecture? architecture = null, RandomSource? random = null, IBackend? backend = null)
    {
        var file = ModelFile.Read(languageModelPath);
        if (file.Tokenizer is null)
            throw new ModelFileFormatException(languageModelPath, $"the model file has no {ModelFile.TokenizerKey} metadata to transfer");
        try
        {
            return FromLanguageModel(Tokenizers.Tokenizer.FromJson(file.Tokenizer), file.Tensors, classNames, architecture, random, backend);
        }
        catch (ArgumentException e)
        {
            throw new ModelFileFormatException(languageModelPath, e.Message, e);
        }
    }

    /// <summary>Reads a classifier from a model file written by <see cref="Save"/> (or by PyTorch under the same names).</summary>
    /// <exception cref="ModelFileFormatException">
    /// The file is not a classifier (e.g. a language model), lacks the tokenizer or class names, or a tensor is missing,
    /// unexpected or of the wrong shape; the message says which.
    /// </exception>
    /// <exception cref="SafeTensorsFormatException">The file is not valid safetensors.</exception>
    public static TextClassifier Load(string path, IBackend? backend = null) => FromModelFile(ModelFile.Read(path), path, backend);

    /// <summary>A classifier from a model file read from <paramref name="path"/>; a checkpoint's <c>training.*</c> tensors are passed over.</summary>
    internal static TextClassifier FromModelFile(ModelFile file, string path, IBackend? backend = null)
    {
        if (file.Config.Kind != ModelKind)
            throw new ModelFileFormatException(path, $"the model is a '{file.Config.Kind}', not a '{ModelKind}'");
        if (file.Tokenizer is null)
            throw new ModelFileFormatException(path, $"the classifier has no {ModelFile.TokenizerKey} metadata");
        TextClassifierArchitecture architecture;
        string[] classNames;
        ITokenizer tokenizer;
        try
        {
            (architecture, classNames) = TextClassifierArchitecture.FromConfig(file.Config);
            tokenizer = Tokenizers.Tokenizer.FromJson(file.Tokenizer);
        }
        catch (Exception e) when (e is FormatException)
        {
            throw new ModelFileFormatException(path, e.Message, e);
        }
        if (tokenizer.VocabularySize != file.Config.VocabSize)
            throw new ModelFileFormatException(path, $"the tokenizer has {tokenizer.VocabularySize} tokens but vocab_size is {file.Config.VocabSize}");
        // Every tensor is checked against the config before the network is built: the config alone sizes nothing.
        bool checkpoint = file.OtherMetadata.ContainsKey(Training.TrainingCheckpoint.MetadataKey);
        file.RequireTensors(path, architecture.TensorShapes(tokenizer.VocabularySize, classNames.Length),
            name => checkpoint && name.StartsWith(Training.TrainingCheckpoint.TensorPrefix, StringComparison.Ordinal), "classifier");
        TextClassifier classifier;
        try
        {
            classifier = new TextClassifier(tokenizer, classNames, architecture, new RandomSource(0), backend);
        }
        catch (ArgumentException e)
        {
            throw new ModelFileFormatException(path, e.Message, e);
        }
        foreach (var (name, parameter) in classifier.NamedParameters) parameter.Load(file.Tensors[name]);
        classifier.TrainingRecordJson = file.Training;
        var extras = file.Config.Extras ?? new Dictionary<string, System.Text.Json.JsonElement>();
        classifier._temperature = ReadTemperature(extras, path);
        classifier._maxTokens = ReadMaxTokens(extras, file.Training, path);
        var known = classifier.Config.Extras!;
        classifier._unknownConfigProperties = extras.Where(p => !known.ContainsKey(p.Key)).ToDictionary(p => p.Key, p => p.Value);
        return classifier;
    }

    private static double ReadTemperature(IDictionary<string, System.Text.Json.JsonElement> extras, string path)
    {
        if (!extras.TryGetValue(TemperatureProperty, out var value)) return 1;
        if (value.ValueKind != System.Text.Json.JsonValueKind.Number || !value.TryGetDouble(out double temperature) || !(temperature > 0 && double.IsFinite(temperature)))
            throw new ModelFileFormatException(path, $"the classifier config property '{TemperatureProperty}' is {value.GetRawText()}; it must be a positive number");
        return temperature;
    }

    private static int ReadMaxTokens(IDictionary<string, System.Text.Json.JsonElement> extras, string? trainingRecord, string path)
    {
        if (extras.TryGetValue(MaxTokensProperty, out var value))
        {
            if (value.ValueKind != System.Text.Json.JsonValueKind.Number || !value.TryGetInt32(out int tokens) || tokens <= 0)
                throw new ModelFileFormatException(path, $"the classifier config property '{MaxTokensProperty}' is {value.GetRawText()}; it must be a positive integer");
            return tokens;
        }
        // Files written before max_tokens was recorded: the trainer wrote it into the record's settings.
        if (trainingRecord is not null)
        {
            try
            {
                var settings = Training.TrainingRecord.FromJson(trainingRecord).Settings ?? "";
                var match = System.Text.RegularExpressions.Regex.Match(settings, @"(?:^|\s)max_tokens=(\d{1,9})(?:\s|$)");
                if (match.Success && int.TryParse(match.Groups[1].Value, out int recorded) && recorded > 0) return recorded;
            }
            catch (FormatException)
            {
                // A record this version cannot read says nothing about the length.
            }
        }
        return DefaultMaxTokens;
    }

    /// <summary>The classifier as a model file: weights, config, tokenizer and training record.</summary>
    public ModelFile ToModelFile() => ToModelFile(null, null);

    /// <summary>The model file with more tensors and metadata beside the classifier's own (a training checkpoint's state).</summary>
    internal ModelFile ToModelFile(IReadOnlyDictionary<string, Tensor>? extraTensors, IReadOnlyDictionary<string, string>? extraMetadata)
    {
        var tensors = NamedParameters.ToDictionary(p => p.Name, p => p.Parameter.Value, StringComparer.Ordinal);
        foreach (var (name, tensor) in extraTensors ?? new Dictionary<string, Tensor>()) tensors.Add(name, tensor);
        return new ModelFile(Config, tensors)
        {
            Tokenizer = Tokenizer.ToJson(),
            Training = TrainingRecordJson,
            OtherMetadata = extraMetadata ?? new Dictionary<string, string>(),
        };
    }

    /// <summary>
    /// Starts a fluent description of a classifier to train:
    /// <c>TextClassifier.Configure().WordLevel().Embedding(100).Lstm(128, bidirectional: true).Pooling(SequencePooling.Concat).Train(examples, t =&gt; t.Epochs(5))</c>.
    /// </summary>
    public static TextClassifierBuilder Configure() => new();

    /// <summary>
    /// Continues training a copy of this classifier on new labelled examples (this one is left as it is): same
    /// tokenizer and classes, the settings of <see cref="Training.ClassifierTrainingSettings"/> with a default learning
    /// rate of 5e-4. Every label must be one of <see cref="ClassNames"/>; a class may be missing from the new data.
    /// </summary>
    /// <exception cref="Training.TrainingException">There are no examples, a label is not a class of this classifier, or a checkpoint does not fit.</exception>
    /// <exception cref="Training.TrainingDivergedException">The loss became NaN or infinite.</exception>
    /// <exception cref="OperationCanceledException">Training was cancelled (a checkpoint was written first).</exception>
    public TextClassifier FineTune(IEnumerable<LabelledExample> examples, Action<Training.ClassifierTrainingSettings>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(examples);
        var settings = Training.ClassifierTrainingSettings.ForFineTuning();
        configure?.Invoke(settings);
        return Training.ClassifierTrainer.FineTune(this, examples, settings);
    }

    /// <summary>A classifier with its own copy of the weights (same tokenizer, classes, backend and training record).</summary>
    internal TextClassifier Copy()
    {
        var copy = FromModelFile(ToModelFile(), "<in memory>", _backend);
        // FromModelFile read the temperature and length from the config, which Config writes.
        copy.TokenTableMemoryLimit = TokenTableMemoryLimit;
        return copy;
    }

    /// <summary>
    /// Labels <paramref name="examples"/> and scores the result against their labels: accuracy, per-class precision,
    /// recall and F1, macro-F1, the confusion matrix and the mean cross-entropy.
    /// </summary>
    /// <exception cref="ArgumentException">An example's label is not one of <see cref="ClassNames"/> (the message gives its line), or a text gives no tokens.</exception>
    /// <remarks>
    /// Texts are read as <see cref="Predict"/> reads them (the first <see cref="MaxTokens"/> tokens) and the probabilities
    /// are tempered by <see cref="Temperature"/>; the report's loss and expected calibration error are those of the
    /// tempered probabilities.
    /// </remarks>
    public Training.ClassificationReport Evaluate(IEnumerable<LabelledExample> examples, int batchSize = DefaultBatchSize, int batchTokens = DefaultBatchTokens)
    {
        ArgumentNullException.ThrowIfNull(examples);
        var list = examples.ToArray();
        var actual = ClassIndicesOf(list);
        var predictions = PredictBatch(list.Select(e => e.Text).ToArray(), batchSize, batchTokens);
        var index = ClassIndex();
        var predicted = new int[list.Length];
        var confidences = new double[list.Length];
        double loss = 0;
        for (int i = 0; i < list.Length; i++)
        {
            predicted[i] = index[predictions[i].Label];
            confidences[i] = Math.Clamp(predictions[i].Confidence, 0, 1);
            loss -= Math.Log(Math.Max(predictions[i].Probabilities[actual[i]], 1e-30f));
        }
        return Training.ClassificationReport.FromPredictions(_classNames, actual, predicted, list.Length == 0 ? null : loss / list.Length, confidences);
    }

    /// <summary>
    /// Fits <see cref="Temperature"/> on labelled examples (held out from training: a validation or calibration set) so
    /// that their negative log-likelihood under softmax(logits / T) is lowest (<see cref="Training.TemperatureScaling.Fit"/>),
    /// and sets it. Labels stay as they were; only confidences change.
    /// </summary>
    /// <exception cref="ArgumentException">There are no examples, an example's label is not one of <see cref="ClassNames"/>
    /// (the message gives its line), or a text gives no tokens.</exception>
    public Training.TemperatureFit FitTemperature(IEnumerable<LabelledExample> examples, int batchSize = DefaultBatchSize, int batchTokens = DefaultBatchTokens)
    {
        ArgumentNullException.ThrowIfNull(examples);
        var list = examples.ToArray();
        if (list.Length == 0) throw new ArgumentException("There are no examples to fit the temperature on.", nameof(examples));
        var labels = ClassIndicesOf(list);
        var logits = Logits(list.Select(e => e.Text).ToArray(), batchSize, batchTokens);
        return FitTemperature(logits, labels);
    }

    /// <summary>Fits and sets <see cref="Temperature"/> from raw logits [examples, classes] and their true classes.</summary>
    internal Training.TemperatureFit FitTemperature(float[] logits, int[] labels)
    {
        double before = Training.TemperatureScaling.NegativeLogLikelihood(logits, _classNames.Length, labels, _temperature);
        double fitted = Training.TemperatureScaling.Fit(logits, _classNames.Length, labels);
        double after = Training.TemperatureScaling.NegativeLogLikelihood(logits, _classNames.Length, labels, fitted);
        Temperature = fitted;
        return new Training.TemperatureFit(fitted, labels.Length, before, after);
    }

    /// <summary>
    /// The raw logits (before the temperature) of many texts, row-major [texts, classes] in input order, read as
    /// <see cref="PredictBatch"/> reads them.
    /// </summary>
    /// <exception cref="ArgumentException">A text is empty or gives no tokens; the message gives its index.</exception>
    public float[] Logits(IReadOnlyList<string> texts, int batchSize = DefaultBatchSize, int batchTokens = DefaultBatchTokens)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var logits = new float[texts.Count * _classNames.Length];
        RunBatches(EncodeAll(texts), batchSize, batchTokens, (rows, batchLogits) =>
        {
            for (int k = 0; k < rows.Length; k++)
                batchLogits.Span.Slice(k * _classNames.Length, _classNames.Length).CopyTo(logits.AsSpan(rows[k] * _classNames.Length, _classNames.Length));
        });
        return logits;
    }

    private Dictionary<string, int> ClassIndex()
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int c = 0; c < _classNames.Length; c++) index[_classNames[c]] = c;
        return index;
    }

    private int[] ClassIndicesOf(LabelledExample[] examples)
    {
        var index = ClassIndex();
        var actual = new int[examples.Length];
        for (int i = 0; i < examples.Length; i++)
        {
            if (!index.TryGetValue(examples[i].Label, out actual[i]))
                throw new ArgumentException(
                    $"the label '{examples[i].Label}' ({examples[i].Location}) is not a class of this classifier ({string.Join(", ", _classNames)})", nameof(examples));
        }
        return actual;
    }

    /// <summary>Writes the classifier to <paramref name="path"/> atomically (an existing file is replaced only when complete).</summary>
    public void Save(string path) => ToModelFile().Write(path);

    /// <summary>
    /// Runs a padded batch for training or evaluation: <paramref name="ids"/> time-major (step t of row b at
    /// t·B + b, B = <paramref name="lengths"/>.Length), each length in [1, T]. Returns the logits [B, classes], a buffer
    /// reused by the next call. Dropout is on when <paramref name="random"/> is given (training).
    /// </summary>
    public Tensor ForwardBatch(ReadOnlySpan<int> ids, ReadOnlySpan<int> lengths, RandomSource? random = null) =>
        _network.Forward(ids, lengths, random);

    /// <summary>Runs a <see cref="PaddedBatch"/>; see <see cref="ForwardBatch(ReadOnlySpan{int}, ReadOnlySpan{int}, RandomSource?)"/>.</summary>
    public Tensor ForwardBatch(PaddedBatch batch, RandomSource? random = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return _network.Forward(batch.Ids, batch.Lengths, random);
    }

    /// <summary>
    /// Back-propagates the gradient of the last <see cref="ForwardBatch(ReadOnlySpan{int}, ReadOnlySpan{int}, RandomSource?)"/>'s
    /// logits ([B, classes]) and adds every parameter's gradient (frozen ones included; the optimizer skips them).
    /// </summary>
    public void Backward(Tensor logitGradient) => _network.Backward(logitGradient);

    /// <summary>Sets every parameter's gradient to zero.</summary>
    public void ZeroGradients()
    {
        foreach (var p in Parameters) p.ZeroGradient();
    }

    /// <summary>
    /// Tokenizes a text for this classifier: its first <see cref="MaxTokens"/> ids, without tokenizing the rest of a
    /// longer text (<see cref="LimitedEncoding.EncodeFirst"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The text is empty or gives no tokens: there is nothing to classify.</exception>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0) throw new ArgumentException("The text is empty; there is nothing to classify.", nameof(text));
        var ids = Tokenizer.EncodeFirst(text, _maxTokens);
        if (ids.Length == 0) throw new ArgumentException("The text gives no tokens; there is nothing to classify.", nameof(text));
        return ids;
    }

    /// <summary>Classifies one text: the most probable class, its probability and every class's probability.</summary>
    /// <exception cref="ArgumentException">The text is empty or gives no tokens.</exception>
    public ClassPrediction Predict(string text) => PredictBatch([text])[0];

    /// <summary>
    /// Classifies many texts, returned in input order. Each text is read up to <see cref="MaxTokens"/> tokens and its
    /// probabilities are softmax(logits / <see cref="Temperature"/>). Texts are sorted by token count and run in padded
    /// batches of similar lengths, each of at most <paramref name="batchSize"/> rows and at most
    /// <paramref name="batchTokens"/> padded tokens (one row at least), so little work is spent on padding and a batch's
    /// memory is bounded; padding never changes a prediction. Safe to call from many threads at once.
    /// </summary>
    /// <exception cref="ArgumentException">A text is empty or gives no tokens; the message gives its index. (The batch
    /// file layer filters these out first and reports them in its error column.)</exception>
    public IReadOnlyList<ClassPrediction> PredictBatch(IReadOnlyList<string> texts, int batchSize = DefaultBatchSize, int batchTokens = DefaultBatchTokens)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var results = new ClassPrediction[texts.Count];
        int classes = _classNames.Length;
        double temperature = _temperature;
        RunBatches(EncodeAll(texts), batchSize, batchTokens, (rows, logits) =>
        {
            // (z − max z) / T: every exponent is at most 0, so a large logit or a small temperature cannot overflow.
            for (int k = 0; k < rows.Length; k++)
            {
                var row = logits.Span.Slice(k * classes, classes);
                TensorPrimitives.Subtract(row, TensorPrimitives.Max(row), row);
                if (temperature != 1) TensorPrimitives.Divide(row, (float)temperature, row);
            }
            var probabilities = Tensor.Zeros(rows.Length, classes);
            _backend.Softmax(logits, rows.Length, classes, probabilities);
            for (int k = 0; k < rows.Length; k++)
                results[rows[k]] = PredictionOf(probabilities.Span.Slice(k * classes, classes));
        });
        return results;
    }

    /// <summary>Encodes every text (concurrently), reporting the first bad one in input order.</summary>
    private int[][] EncodeAll(IReadOnlyList<string> texts)
    {
        var encoded = new int[texts.Count][];
        // Tokenizing runs concurrently too, in runs of at least 64 texts; each run stops at its first bad text, and the
        // first of those in input order is reported, as a sequential loop would.
        int runs = Math.Min(_backend.Concurrency * 4, (texts.Count + 63) / 64);
        var failures = new ArgumentException?[runs];
        _backend.RunConcurrently(runs, run =>
        {
            int end = (int)((long)texts.Count * (run + 1) / runs);
            for (int i = (int)((long)texts.Count * run / runs); i < end; i++)
            {
                try
                {
                    encoded[i] = Encode(texts[i] ?? throw new ArgumentException("The text is null.", nameof(texts)));
                }
                catch (ArgumentException e)
                {
                    failures[run] = new ArgumentException($"Text {i}: {e.Message}", nameof(texts), e);
                    return;
                }
            }
        });
        if (failures.FirstOrDefault(f => f is not null) is { } failure) throw failure;
        return encoded;
    }

    /// <summary>
    /// Runs encoded texts through the network in padded batches of similar lengths (at most <paramref name="batchSize"/>
    /// rows and <paramref name="batchTokens"/> padded tokens each, one row at least) and hands each batch's input
    /// indices and logits [rows, classes] to <paramref name="consume"/>, which may run on several threads at once and
    /// may change the logits (a buffer of the replica).
    /// </summary>
    private void RunBatches(int[][] encoded, int batchSize, int batchTokens, Action<int[], Tensor> consume)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchTokens);
        var order = Enumerable.Range(0, encoded.Length).OrderBy(i => encoded[i].Length).ToArray();
        // Sorted by length, a batch grows while its rows and its padded size (rows × its longest, the last) stay in bounds.
        var batches = new List<(int Start, int Count)>();
        long paddedTokens = 0;
        for (int start = 0; start < order.Length;)
        {
            int count = 1;
            while (count < batchSize && start + count < order.Length
                && (long)(count + 1) * encoded[order[start + count]].Length <= batchTokens) count++;
            batches.Add((start, count));
            paddedTokens += (long)count * encoded[order[start + count - 1]].Length;
            start += count;
        }
        var table = _tokenTable.TableFor(paddedTokens);
        // Padded batches are independent: they run concurrently, each on one thread with a replica of its own, which
        // beats splitting every small per-step GEMM across threads. The longest batches (the last) start first, so
        // the threads finish together. A lone batch (one text) keeps every thread for its own work.
        _backend.RunConcurrently(batches.Count, item =>
        {
            var (start, count) = batches[batches.Count - 1 - item];
            var rows = new int[count];
            var sequences = new int[count][];
            for (int k = 0; k < count; k++) sequences[k] = encoded[rows[k] = order[start + k]];
            var batch = PaddedBatch.FromSequences(sequences, _paddingId);
            var network = RentReplica();
            try
            {
                consume(rows, network.Forward(batch.Ids, batch.Lengths, null, table));
            }
            finally
            {
                _replicas.Add(network);
            }
        });
    }

    /// <summary>
    /// A copy of this classifier that runs inference with int8 weights (every LSTM and head matrix quantized per row,
    /// activations per row at every step, as PyTorch's dynamic quantization), about a quarter of the weight memory
    /// traffic; the token table of the first layer stays float. Inference only: the copy cannot be trained. Its file
    /// (<see cref="Save"/>) holds the float weights.
    /// </summary>
    public TextClassifier WithInt8Weights()
    {
        var copy = FromModelFile(ToModelFile(), "(this classifier)", _backend);
        copy._network.Lstm.QuantizeWeights();
        copy._network.HeadHidden?.QuantizeWeights();
        copy._network.HeadOutput.QuantizeWeights();
        return copy;
    }

    private ClassifierNetwork RentReplica() => _replicas.TryTake(out var network) ? network : _network.WithOwnBuffers();

    private ClassPrediction PredictionOf(ReadOnlySpan<float> probabilities)
    {
        int best = 0;
        for (int c = 1; c < probabilities.Length; c++)
            if (probabilities[c] > probabilities[best]) best = c;
        return new ClassPrediction(_classNames[best], probabilities[best], probabilities.ToArray());
    }

    private static string[] RequireClassNames(IReadOnlyList<string> classNames)
    {
        if (classNames.Count < 2)
            throw new ArgumentException($"A classifier needs at least two classes; got {classNames.Count}.", nameof(classNames));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in classNames)
        {
            if (string.IsNullOrEmpty(name)) throw new ArgumentException("A class name is empty.", nameof(classNames));
            if (!seen.Add(name)) throw new ArgumentException($"The class '{name}' appears twice.", nameof(classNames));
        }
        return classNames.ToArray();
    }
}
