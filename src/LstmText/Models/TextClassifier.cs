using System.Globalization;
using System.Text;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
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
/// An LSTM text classifier: tokenizer → embedding → LSTM → mask-aware pooling → dropout → head → softmax over the
/// class names, binary or multi-class. Tensor names are PyTorch's (<c>embedding.*</c>, <c>lstm.*</c>,
/// <c>attention.*</c>, <c>head.*</c>); see docs/model-format.md, section Classifier.
/// </summary>
/// <remarks>
/// <para>Immutable once built or loaded, like <see cref="LanguageModel"/>: training and fine-tuning return a new
/// classifier, and <see cref="WithTemperature"/> and <see cref="WithMaxTokens"/> return one over the same weights.</para>
/// <para><see cref="Predict"/>, <see cref="PredictBatch"/>, <see cref="Logits"/> and <see cref="Evaluate"/> may run on
/// many threads at once: each batch borrows an inference replica (its own layer buffers over the same, read-only
/// weights) and shares one token table (see <see cref="TokenTableMemoryLimit"/>), on the backend given when it was
/// created or loaded (default <see cref="CpuBackend.Default"/>).</para>
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
    /// record: the trainer's default, <see cref="ClassifierTrainingSettings.DefaultMaxTokens"/>.
    /// </summary>
    public const int DefaultMaxTokens = ClassifierTrainingSettings.DefaultMaxTokens;

    /// <summary>The default <see cref="TokenTableMemoryLimit"/>: 256 MiB.</summary>
    public const long DefaultTokenTableMemoryLimit = 256L * 1024 * 1024;

    private readonly ClassifierNetwork _network;
    private readonly ClassifierInference _inference;
    private readonly IBackend _backend;
    private readonly string[] _classNames;
    private double _temperature = 1;
    private int _maxTokens = DefaultMaxTokens;

    /// <summary>Creates a classifier with fresh weights (initialised as PyTorch initialises each layer).</summary>
    /// <param name="tokenizer">Turns text into ids; its vocabulary size sizes the embedding.</param>
    /// <param name="classNames">The classes, in the order of the logits (at least two, all different).</param>
    /// <param name="architecture">The layer sizes, pooling and head (default: <see cref="TextClassifierArchitecture"/>'s defaults).</param>
    /// <param name="random">Source of the initial weights (default: seed 0).</param>
    /// <param name="backend">Backend for the math (default: <see cref="CpuBackend.Default"/>).</param>
    /// <param name="tokenTableMemoryLimit">The most memory the token table may take (see <see cref="TokenTableMemoryLimit"/>).</param>
    public TextClassifier(ITokenizer tokenizer, IReadOnlyList<string> classNames, TextClassifierArchitecture? architecture = null,
        RandomSource? random = null, IBackend? backend = null, long tokenTableMemoryLimit = DefaultTokenTableMemoryLimit)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(classNames);
        architecture ??= new TextClassifierArchitecture();
        architecture.Validate();
        _classNames = RequireClassNames(classNames);
        Tokenizer = tokenizer;
        Architecture = architecture;
        _backend = backend ?? CpuBackend.Default;
        _network = new ClassifierNetwork(architecture, tokenizer.VocabularySize, _classNames.Length, tokenizer.PaddingId,
            random ?? new RandomSource(0), _backend);
        _inference = new ClassifierInference(_network, tokenizer.PaddingId ?? 0, tokenTableMemoryLimit);
    }

    /// <summary>A classifier over the same weights, replicas and token table as <paramref name="source"/>, with its settings.</summary>
    private TextClassifier(TextClassifier source)
    {
        (_classNames, Tokenizer, Architecture, _backend) = (source._classNames, source.Tokenizer, source.Architecture, source._backend);
        (_network, _inference) = (source._network, source._inference);
        (_temperature, _maxTokens, UnknownConfigProperties) = (source._temperature, source._maxTokens, source.UnknownConfigProperties);
        (Training, TrainingRecordText) = (source.Training, source.TrainingRecordText);
        HasFloatWeights = source.HasFloatWeights;
    }

    /// <summary>Whether inference multiplies by int8 weights (<see cref="WithInt8Weights"/>, or loaded from an int8 file).</summary>
    public bool UsesInt8Weights => _network.Lstm.UsesInt8Weights;

    /// <summary>
    /// Whether the classifier holds its float weights: false for one loaded from an int8 file (<see cref="SaveInt8"/>,
    /// <c>lstmtext quantize</c>), which predicts but cannot be fine-tuned, and saves as int8 again.
    /// </summary>
    public bool HasFloatWeights { get; internal set; } = true;

    /// <summary>
    /// Writes the classifier as an int8 file, atomically: every LSTM and head matrix as int8 values with per-row scales
    /// (those of <see cref="WithInt8Weights"/>), the rest as in <see cref="Save"/>. <see cref="Load(string, IBackend?)"/>
    /// reads it back as a classifier that predicts exactly as <see cref="WithInt8Weights"/> on the float classifier does.
    /// docs/model-format.md describes the file.
    /// </summary>
    public void SaveInt8(string path)
    {
        var source = UsesInt8Weights ? this : WithInt8Weights();
        ClassifierFile.Write(source, null, null, int8: true).Write(path);
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
            foreach (var (key, value) in UnknownConfigProperties) config.Extras!.TryAdd(key, value);
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
    /// split at the end (as <see cref="Calibrate"/> does), so a confidence of 0.8 is right about 80 % of the time there. It
    /// never changes a predicted label. Stored in the model file (config property <c>temperature</c>; 1 when absent).
    /// <see cref="WithTemperature"/> gives a classifier with another.
    /// </summary>
    public double Temperature
    {
        get => _temperature;
        internal set
        {
            if (!(value > 0 && double.IsFinite(value)))
                throw new ArgumentOutOfRangeException(nameof(value), value, "The temperature must be positive and finite.");
            _temperature = value;
        }
    }

    /// <summary>
    /// The most tokens of a text the classifier reads: the first <see cref="MaxTokens"/>, as in training
    /// (<see cref="ClassifierTrainingSettings.TruncateTo"/>); the rest of a longer text is not even tokenized.
    /// Stored in the model file (config property <c>max_tokens</c>); a file without it takes it from its training record's
    /// <c>max_tokens=</c>, else <see cref="DefaultMaxTokens"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public int MaxTokens
    {
        get => _maxTokens;
        internal set
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
    /// without it agree to float rounding. Set when the classifier is created or loaded (<c>tokenTableMemoryLimit</c>).
    /// See docs/classification.md, section Speed and memory.
    /// </summary>
    public long TokenTableMemoryLimit => _inference.TokenTable.MemoryLimit;

    /// <summary>How the classifier was trained, or null for an untrained or imported one; written to <c>lstmtext.training</c>.</summary>
    public TrainingRecord? Training { get; private set; }

    /// <summary>The number of weights.</summary>
    public long ParameterCount => _network.NamedParameters.Sum(p => (long)p.Parameter.Value.Length);

    /// <summary>The training record as it stands in the file (kept as read, so a load and a save change nothing).</summary>
    internal string? TrainingRecordText { get; private set; }

    /// <summary>Config properties of a newer version, kept through a load and a save.</summary>
    internal IReadOnlyDictionary<string, System.Text.Json.JsonElement> UnknownConfigProperties { get; set; } =
        new Dictionary<string, System.Text.Json.JsonElement>();

    /// <summary>The network the trainer trains (its weights are this classifier's).</summary>
    internal ClassifierNetwork Network => _network;

    /// <summary>The token table's rules and state, for tests.</summary>
    internal TokenProjectionCache TokenTable => _inference.TokenTable;

    /// <summary>Every parameter under its PyTorch state-dict name: <c>embedding.weight</c>, <c>lstm.*</c>, <c>attention.weight</c>, <c>head.*</c>.</summary>
    internal IReadOnlyList<(string Name, Parameter Parameter)> NamedParameters => _network.NamedParameters;

    /// <summary>Every parameter, in the order of <see cref="NamedParameters"/>.</summary>
    internal IReadOnlyList<Parameter> Parameters => _network.NamedParameters.Select(p => p.Parameter).ToArray();

    /// <summary>The encoder's parameters (embedding and LSTM).</summary>
    internal IReadOnlyList<Parameter> EncoderParameters => _network.EncoderParameters;

    /// <summary>Sets the training record (the trainer's, or one read from a file as <paramref name="text"/>).</summary>
    internal void SetTrainingRecord(TrainingRecord? record, string? text = null)
    {
        Training = record;
        TrainingRecordText = text ?? record?.ToJson();
    }

    /// <summary>A classifier over the same weights that divides the logits by <paramref name="temperature"/> (see <see cref="Temperature"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The temperature is not positive and finite.</exception>
    public TextClassifier WithTemperature(double temperature) => new(this) { Temperature = temperature };

    /// <summary>A classifier over the same weights that reads the first <paramref name="maxTokens"/> tokens of a text (see <see cref="MaxTokens"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TextClassifier WithMaxTokens(int maxTokens) => new(this) { MaxTokens = maxTokens };

    /// <summary>
    /// A copy of this classifier that runs inference with int8 weights (every LSTM and head matrix quantized per row,
    /// activations per row at every step, as PyTorch's dynamic quantization), about a quarter of the weight memory
    /// traffic; the first layer's token table is int8 rows too. Inference only: the copy cannot be trained. Its file
    /// (<see cref="Save"/>) holds the float weights; <see cref="SaveInt8"/> writes the int8 ones.
    /// </summary>
    public TextClassifier WithInt8Weights()
    {
        var copy = Copy();
        if (copy.UsesInt8Weights) return copy; // loaded from an int8 file: its int8 weights are the ones to keep
        copy._network.Lstm.QuantizeWeights();
        copy._network.HeadHidden?.QuantizeWeights();
        copy._network.HeadOutput.QuantizeWeights();
        return copy;
    }

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
        IBackend? backend = null) => ClassifierTransfer.FromTensors(tokenizer, languageModelTensors, classNames, architecture, random, backend);

    /// <summary>
    /// Creates a classifier whose tokenizer, embedding and LSTM come from a language-model file, or from a classifier file (see
    /// <see cref="FromLanguageModel(ITokenizer, IReadOnlyDictionary{string, Tensor}, IReadOnlyList{string}, TextClassifierArchitecture?, RandomSource?, IBackend?)"/>).
    /// </summary>
    /// <exception cref="ModelFileFormatException">The file has no tokenizer or lacks an encoder tensor.</exception>
    public static TextClassifier FromLanguageModel(string languageModelPath, IReadOnlyList<string> classNames,
        TextClassifierArchitecture? architecture = null, RandomSource? random = null, IBackend? backend = null) =>
        ClassifierTransfer.FromFile(languageModelPath, classNames, architecture, random, backend);

    /// <summary>Reads a classifier from a model file written by <see cref="Save"/> (or by PyTorch under the same names).</summary>
    /// <exception cref="ModelFileFormatException">
    /// The file is not a classifier (e.g. a language model), lacks the tokenizer or class names, or a tensor is missing,
    /// unexpected or of the wrong shape; the message says which.
    /// </exception>
    /// <exception cref="SafeTensorsFormatException">The file is not valid safetensors.</exception>
    public static TextClassifier Load(string path, IBackend? backend = null) => Load(path, backend, DefaultTokenTableMemoryLimit);

    /// <summary>Reads a classifier whose token table may take at most <paramref name="tokenTableMemoryLimit"/> bytes (0: none); see <see cref="Load(string, IBackend?)"/>.</summary>
    /// <exception cref="ModelFileFormatException">The file is not a classifier or is inconsistent; the message says why.</exception>
    /// <exception cref="SafeTensorsFormatException">The file is not valid safetensors.</exception>
    public static TextClassifier Load(string path, IBackend? backend, long tokenTableMemoryLimit) =>
        ClassifierFile.Read(ModelFile.Read(path), path, backend, tokenTableMemoryLimit);

    /// <summary>A classifier from a model file read from <paramref name="path"/>; a checkpoint's <c>training.*</c> tensors are passed over.</summary>
    internal static TextClassifier FromModelFile(ModelFile file, string path, IBackend? backend = null) =>
        ClassifierFile.Read(file, path, backend, DefaultTokenTableMemoryLimit);

    /// <summary>The classifier as a model file: weights, config, tokenizer and training record.</summary>
    public ModelFile ToModelFile() => ToModelFile(null, null);

    /// <summary>The model file with more tensors and metadata beside the classifier's own (a training checkpoint's state).</summary>
    internal ModelFile ToModelFile(IReadOnlyDictionary<string, Tensor>? extraTensors, IReadOnlyDictionary<string, string>? extraMetadata) =>
        ClassifierFile.Write(this, extraTensors, extraMetadata);

    /// <summary>
    /// Starts a fluent description of a classifier to train:
    /// <c>TextClassifier.Configure().WordLevel().Embedding(100).Lstm(128, bidirectional: true).Pooling(SequencePooling.Concat).Train(examples, t =&gt; t.Epochs(5))</c>.
    /// </summary>
    public static TextClassifierBuilder Configure() => new();

    /// <summary>
    /// Continues training a copy of this classifier on new labelled examples (this one is left as it is): same
    /// tokenizer and classes, the settings of <see cref="ClassifierTrainingSettings"/> with a default learning
    /// rate of 5e-4. Every label must be one of <see cref="ClassNames"/>; a class may be missing from the new data.
    /// </summary>
    /// <exception cref="TrainingException">There are no examples, a label is not a class of this classifier, or a checkpoint does not fit.</exception>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    /// <exception cref="OperationCanceledException">Training was cancelled (a checkpoint was written first).</exception>
    public TextClassifier FineTune(IEnumerable<LabelledExample> examples, Action<ClassifierTrainingSettings>? configure = null)
    {
        if (!HasFloatWeights)
            throw new InvalidOperationException("This classifier was loaded from an int8 file: it has no float weights to train. Fine-tune the float model it was made from.");
        ArgumentNullException.ThrowIfNull(examples);
        var settings = ClassifierTrainingSettings.ForFineTuning();
        configure?.Invoke(settings);
        return ClassifierTrainer.FineTune(this, examples, settings);
    }

    /// <summary>A classifier with its own copy of the weights (same tokenizer, classes, backend and training record).</summary>
    internal TextClassifier Copy()
    {
        // Read back from the model file: the temperature and length from the config, which Config writes.
        return ClassifierFile.Read(ToModelFile(), "<in memory>", _backend, TokenTableMemoryLimit);
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
    public ClassificationReport Evaluate(IEnumerable<LabelledExample> examples, int batchSize = DefaultBatchSize, int batchTokens = DefaultBatchTokens)
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
        return ClassificationReport.FromPredictions(_classNames, actual, predicted, list.Length == 0 ? null : loss / list.Length, confidences);
    }

    /// <summary>
    /// Fits the temperature on labelled examples (held out from training: a validation or calibration set) so that their
    /// negative log-likelihood under softmax(logits / T) is lowest (<see cref="TemperatureScaling.Fit"/>), and returns a
    /// classifier over the same weights with that <see cref="Temperature"/>, and the fit. This classifier is unchanged.
    /// Labels stay as they were; only confidences change.
    /// </summary>
    /// <exception cref="ArgumentException">There are no examples, an example's label is not one of <see cref="ClassNames"/>
    /// (the message gives its line), or a text gives no tokens.</exception>
    public (TextClassifier Calibrated, TemperatureFit Fit) Calibrate(IEnumerable<LabelledExample> examples, int batchSize = DefaultBatchSize,
        int batchTokens = DefaultBatchTokens)
    {
        ArgumentNullException.ThrowIfNull(examples);
        var list = examples.ToArray();
        if (list.Length == 0) throw new ArgumentException("There are no examples to fit the temperature on.", nameof(examples));
        var labels = ClassIndicesOf(list);
        var logits = Logits(list.Select(e => e.Text).ToArray(), batchSize, batchTokens);
        var calibrated = new TextClassifier(this);
        return (calibrated, calibrated.FitTemperature(logits, labels));
    }

    /// <summary>Fits and sets <see cref="Temperature"/> from raw logits [examples, classes] and their true classes.</summary>
    internal TemperatureFit FitTemperature(float[] logits, int[] labels)
    {
        double before = TemperatureScaling.NegativeLogLikelihood(logits, _classNames.Length, labels, _temperature);
        double fitted = TemperatureScaling.Fit(logits, _classNames.Length, labels);
        double after = TemperatureScaling.NegativeLogLikelihood(logits, _classNames.Length, labels, fitted);
        Temperature = fitted;
        return new TemperatureFit(fitted, labels.Length, before, after);
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
        _inference.RunBatches(_inference.EncodeAll(texts, Encode), batchSize, batchTokens, (rows, batchLogits) =>
        {
            for (int k = 0; k < rows.Length; k++)
                batchLogits.Slice(k * _classNames.Length, _classNames.Length).Download(logits.AsSpan(rows[k] * _classNames.Length, _classNames.Length));
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

    /// <summary>
    /// Writes the classifier to <paramref name="path"/> atomically (an existing file is replaced only when complete); one
    /// loaded from an int8 file is written as int8 again (see <see cref="HasFloatWeights"/>).
    /// </summary>
    public void Save(string path) => ToModelFile().Write(path);

    /// <summary>
    /// Runs a padded batch on the training network (one thread; tests): <paramref name="ids"/> time-major (step t of row b at
    /// t·B + b, B = <paramref name="lengths"/>.Length), each length in [1, T]. Returns the logits [B, classes], a buffer
    /// reused by the next call. Dropout is on when <paramref name="random"/> is given (training).
    /// </summary>
    internal Tensor ForwardBatch(ReadOnlySpan<int> ids, ReadOnlySpan<int> lengths, RandomSource? random = null) =>
        _network.Forward(ids, lengths, random);

    /// <summary>Runs a <see cref="PaddedBatch"/>; see <see cref="ForwardBatch(ReadOnlySpan{int}, ReadOnlySpan{int}, RandomSource?)"/>.</summary>
    internal Tensor ForwardBatch(PaddedBatch batch, RandomSource? random = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return _network.Forward(batch.Ids, batch.Lengths, random);
    }

    /// <summary>
    /// Back-propagates the gradient of the last <see cref="ForwardBatch(ReadOnlySpan{int}, ReadOnlySpan{int}, RandomSource?)"/>'s
    /// logits ([B, classes]) and adds every parameter's gradient (frozen ones included; the optimizer skips them).
    /// </summary>
    internal void Backward(Tensor logitGradient) => _network.Backward(logitGradient);

    /// <summary>Sets every parameter's gradient to zero.</summary>
    internal void ZeroGradients()
    {
        foreach (var (_, p) in NamedParameters) p.ZeroGradient();
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
        _inference.RunBatches(_inference.EncodeAll(texts, Encode), batchSize, batchTokens, (rows, logits) =>
        {
            // The logits are the caller's result: downloaded once per batch, then softmaxed on the host copy.
            var values = new float[rows.Length * classes];
            logits.Slice(0, values.Length).Download(values);
            var probabilities = new float[classes];
            for (int k = 0; k < rows.Length; k++)
            {
                // (z − max z) / T: every exponent is at most 0, so a large logit or a small temperature cannot overflow.
                var row = values.AsSpan(k * classes, classes);
                TensorPrimitives.Subtract(row, TensorPrimitives.Max(row), row);
                if (temperature != 1) TensorPrimitives.Divide(row, (float)temperature, row);
                TensorPrimitives.SoftMax(row, probabilities);
                results[rows[k]] = PredictionOf(probabilities);
            }
        });
        return results;
    }

    private ClassPrediction PredictionOf(ReadOnlySpan<float> probabilities)
    {
        int best = 0;
        for (int c = 1; c < probabilities.Length; c++)
            if (probabilities[c] > probabilities[best]) best = c;
        return new ClassPrediction(_classNames[best], probabilities[best], probabilities.ToArray());
    }

    /// <summary>Describes the classifier in one line.</summary>
    public override string ToString()
    {
        var a = Architecture;
        var text = new StringBuilder($"classifier: {Tokenizer.Kind} tokenizer ({Tokenizer.VocabularySize} tokens), embedding {a.EmbeddingSize}, ");
        text.Append(CultureInfo.InvariantCulture, $"{(a.Bidirectional ? "BiLSTM" : "LSTM")} {a.HiddenSize}×{a.Layers}, pooling {TextClassifierArchitecture.NameOf(a.Pooling)}");
        if (a.HeadHiddenSize > 0) text.Append(CultureInfo.InvariantCulture, $", head {a.HeadHiddenSize}");
        text.Append(CultureInfo.InvariantCulture, $"; classes {string.Join(", ", _classNames)}; reads {MaxTokens} tokens");
        if (Temperature != 1) text.Append(CultureInfo.InvariantCulture, $", temperature {Temperature:0.####}");
        text.Append(CultureInfo.InvariantCulture, $"; {ParameterCount:N0} parameters");
        return text.ToString();
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
