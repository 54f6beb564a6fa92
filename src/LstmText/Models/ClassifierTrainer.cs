using LstmText.Compute;
using LstmText.Data;
using LstmText.Layers;
using LstmText.Metrics;
using LstmText.Optimizers;
using LstmText.Tensors;
using LstmText.Tokenizers;
using LstmText.Training;

namespace LstmText.Models;

/// <summary>
/// The classifier kind of the trainer: labelled examples in length-bucketed, padded batches
/// (<see cref="ClassifierBatches"/>), (class-weighted) cross-entropy, validation on a held-out set (macro-F1 or
/// accuracy), the best weights kept and the temperature fitted at the end. The step and the loop itself — freezing,
/// stop rules, schedule, checkpoints with the optimizer and random state, exact resume, cancellation, the JSONL log, the
/// learning curve and progress — are the shared <see cref="TrainingLoop{TSettings, TBatch}"/> that language models use too.
/// </summary>
internal sealed class ClassifierTrainer : TrainingLoop<ClassifierTrainingSettings, ClassifierBatch>
{
    /// <summary>The kind's name in a checkpoint (<see cref="TrainingCheckpoint.Kind"/>).</summary>
    public const string CheckpointKind = "classifier";

    private const int ValidationBatchSize = 64;

    private readonly TextClassifier _classifier;
    private readonly ClassifierNetwork _network;
    private readonly int[][] _trainIds;
    private readonly int[] _trainLabels;
    private readonly int[][] _validationIds;
    private readonly int[] _validationLabels;
    private readonly float[]? _classWeights;
    private readonly CrossEntropyObjective<ClassifierBatch> _loss;
    private readonly ClassifierBatches _batches;
    private readonly int _paddingId;
    private readonly string? _transferredFrom;
    private ClassificationReport? _lastReport;
    private Tensor[]? _bestWeights;
    private int? _bestStep;
    private string? _kept;
    private int? _keptStep;
    private double? _keptLoss;
    private TemperatureFit? _temperatureFit;

    private ClassifierTrainer(TextClassifier classifier, DataSplit split, ClassifierTrainingSettings settings, string? transferredFrom)
        : base(settings, classifier.Network)
    {
        _classifier = classifier;
        _network = classifier.Network;
        _transferredFrom = transferredFrom;
        _paddingId = classifier.Tokenizer.PaddingId ?? 0;
        // The model records the length it was trained with, and reads every text that way when it predicts; its
        // temperature is fitted afresh at the end (training and validation see raw logits).
        classifier.MaxTokens = settings.MaxTokens;
        classifier.Temperature = 1;
        (_trainIds, _trainLabels) = Encode(split.Training);
        (_validationIds, _validationLabels) = Encode(split.Validation);
        if (_trainIds.Length == 0) throw new TrainingException("none of the training texts gives a token; there is nothing to train on");
        _classWeights = ClassWeightsFor(settings, classifier.ClassNames, _trainLabels);
        _loss = new(_classWeights is null ? new CrossEntropyLoss(backend: _network.Backend) : new CrossEntropyLoss(_classWeights, backend: _network.Backend));
        _batches = new ClassifierBatches(_trainIds, _trainLabels, settings.Batch, settings.RandomSeed, settings.UnknownDropout,
            classifier.Tokenizer.UnknownId, _paddingId);
        if (settings.EncoderRateFactor != 1f) Optimizer.ScaleLearningRate(_network.EncoderParameters, settings.EncoderRateFactor);
        Freezing.Freeze(_network.EncoderParameters, settings.FrozenEncoderEpochs);
        DataFingerprint = Fingerprint();
    }

    /// <summary>The kind's part of a checkpoint: the training examples and the tokens each text was truncated to.</summary>
    internal sealed record CheckpointPart(int TrainingExamples, int MaxTokens)
    {
        /// <summary>The part of a checkpoint written before parts existed (in fields named for a language model).</summary>
        public static CheckpointPart FromLegacy(TrainingCheckpoint c) => new(c.LegacyTrainingTokens ?? 0, c.LegacySequenceLength ?? 0);
    }

    protected override IBatchSource<ClassifierBatch> Batches => _batches;

    protected override IBatchLoss<ClassifierBatch> Loss => _loss;

    protected override ulong DataFingerprint { get; }

    /// <summary>Trains a new classifier (from scratch or from a language model), or resumes one from a checkpoint.</summary>
    public static TextClassifier Train(IEnumerable<LabelledExample> examples, Func<IEnumerable<string>, ITokenizer> buildTokenizer,
        TextClassifierArchitecture architecture, string? languageModel, ClassifierTrainingSettings settings, IBackend? backend = null)
    {
        var split = Split(examples, settings);
        var classNames = LabelledData.CountClasses(split.Training).Select(c => c.Name).ToArray();
        if (classNames.Length < 2)
            throw new TrainingException($"the training examples hold {classNames.Length} class(es) ({string.Join(", ", classNames)}); a classifier needs at least two");
        RequireKnownLabels(split.Validation, classNames, "validation label", "the training classes");
        if (settings.ResumePath is not null) return Resume(split, classNames, settings, languageModel is null ? architecture : null, backend);
        TextClassifier classifier;
        if (languageModel is not null)
        {
            classifier = TextClassifier.FromLanguageModel(languageModel, classNames, architecture, new RandomSource(settings.RandomSeed), backend);
        }
        else
        {
            var tokenizer = buildTokenizer(split.Training.Select(e => e.Text));
            classifier = new TextClassifier(tokenizer, classNames, architecture, new RandomSource(settings.RandomSeed), backend);
        }
        return new ClassifierTrainer(classifier, split, settings, languageModel).Run(null);
    }

    /// <summary>Continues training a copy of <paramref name="model"/> on new examples whose labels are among its classes (or resumes such a run).</summary>
    public static TextClassifier FineTune(TextClassifier model, IEnumerable<LabelledExample> examples, ClassifierTrainingSettings settings)
    {
        var split = Split(examples, settings);
        RequireKnownLabels(split.Training, model.ClassNames, "label", "the classifier's classes");
        RequireKnownLabels(split.Validation, model.ClassNames, "validation label", "the classifier's classes");
        settings.DefaultMaxTokensTo(model.MaxTokens);
        if (settings.ResumePath is not null) return Resume(split, model.ClassNames, settings, null, model.Network.Backend);
        string? transferredFrom = model.Training?.TransferredFrom;
        return new ClassifierTrainer(model.Copy(), split, settings, transferredFrom).Run(null);
    }

    private static DataSplit Split(IEnumerable<LabelledExample> examples, ClassifierTrainingSettings settings)
    {
        var all = examples.ToArray();
        if (all.Length == 0) throw new TrainingException("there are no labelled examples to train on");
        return settings.ValidationSet is { } validation ? DataSplit.FromSeparateSets(all, validation)
            : settings.ValidationShare > 0 ? DataSplit.Stratified(all, settings.ValidationShare, (int)(settings.RandomSeed & int.MaxValue))
            : new DataSplit(all, []);
    }

    private static void RequireKnownLabels(IReadOnlyList<LabelledExample> examples, IReadOnlyList<string> classNames, string what, string among)
    {
        var unknown = examples.FirstOrDefault(e => !classNames.Contains(e.Label));
        if (unknown is not null)
            throw new TrainingException($"the {what} '{unknown.Label}' ({unknown.Location}) is not among {among} ({string.Join(", ", classNames)})");
    }

    /// <summary>
    /// Continues from a checkpoint. A new run's <paramref name="architecture"/> (null when the encoder came from a language
    /// model or a classifier) and tokenizer recipe must be the checkpoint's: a changed option is refused, naming it.
    /// </summary>
    private static TextClassifier Resume(DataSplit split, IReadOnlyList<string> classNames, ClassifierTrainingSettings settings,
        TextClassifierArchitecture? architecture, IBackend? backend)
    {
        var path = settings.ResumePath!;
        var (file, checkpoint) = TrainingCheckpoint.Read(path);
        var classifier = TextClassifier.FromModelFile(file, path, backend);
        settings.DefaultMaxTokensTo(classifier.MaxTokens);
        TokenizerRecipe.RequireSame(checkpoint.TokenizerRecipe, settings.TokenizerRecipe, path);
        if (architecture is not null)
        {
            var was = classifier.Architecture;
            new ResumeDifferences()
                .Compare("embedding size", was.EmbeddingSize, architecture.EmbeddingSize)
                .Compare("LSTM hidden size", was.HiddenSize, architecture.HiddenSize)
                .Compare("LSTM layers", was.Layers, architecture.Layers)
                .Compare("bidirectional", was.Bidirectional, architecture.Bidirectional)
                .Compare("dropout", was.Dropout, architecture.Dropout)
                .Compare("pooling", TextClassifierArchitecture.NameOf(was.Pooling), TextClassifierArchitecture.NameOf(architecture.Pooling))
                .Compare("pooling dropout", was.PoolingDropout, architecture.PoolingDropout)
                .Compare("head hidden size", was.HeadHiddenSize, architecture.HeadHiddenSize)
                .Compare("head activation", was.HeadActivation, architecture.HeadActivation)
                .RefuseAny(path);
        }
        if (!classifier.ClassNames.SequenceEqual(classNames))
            throw new TrainingException($"checkpoint {path} was trained on the classes {string.Join(", ", classifier.ClassNames)}; the data has {string.Join(", ", classNames)}");
        string? transferredFrom = classifier.Training?.TransferredFrom;
        return new ClassifierTrainer(classifier, split, settings, transferredFrom).Run((checkpoint, path));
    }

    private (int[][] Ids, int[] Labels) Encode(IReadOnlyList<LabelledExample> examples)
    {
        var ids = new List<int[]>(examples.Count);
        var labels = new List<int>(examples.Count);
        var index = _classifier.ClassNames.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
        foreach (var example in examples)
        {
            // The first MaxTokens ids, as TextClassifier.Encode reads a text when it predicts; the rest is not tokenized.
            var encoded = _classifier.Tokenizer.EncodeFirst(example.Text, Settings.MaxTokens);
            if (encoded.Length == 0) continue;
            ids.Add(encoded);
            labels.Add(index[example.Label]);
        }
        return (ids.ToArray(), labels.ToArray());
    }

    /// <summary>Balanced weights n / (k · count), the explicit ones in class order, or null.</summary>
    private static float[]? ClassWeightsFor(ClassifierTrainingSettings settings, IReadOnlyList<string> classNames, int[] labels)
    {
        if (settings.Balanced)
        {
            var counts = new int[classNames.Count];
            foreach (int label in labels) counts[label]++;
            return counts.Select(count => count == 0 ? 0f : (float)((double)labels.Length / (classNames.Count * count))).ToArray();
        }
        if (settings.ExplicitClassWeights is not { } explicitWeights) return null;
        var stray = explicitWeights.Keys.FirstOrDefault(name => !classNames.Contains(name));
        if (stray is not null) throw new TrainingException($"a class weight is given for '{stray}', which is not a class of the data ({string.Join(", ", classNames)})");
        var missing = classNames.Where(name => !explicitWeights.ContainsKey(name)).ToArray();
        if (missing.Length > 0) throw new TrainingException($"no class weight is given for {string.Join(", ", missing)}; give one for every class ({string.Join(", ", classNames)})");
        return classNames.Select(name => explicitWeights[name]).ToArray();
    }

    private ulong Fingerprint()
    {
        var all = new List<int>();
        for (int i = 0; i < _trainIds.Length; i++)
        {
            all.Add(_trainIds[i].Length);
            all.AddRange(_trainIds[i]);
            all.Add(_trainLabels[i]);
        }
        return CorpusIds.Fingerprint(all.ToArray());
    }

    private TextClassifier Run((TrainingCheckpoint Checkpoint, string Path)? resume)
    {
        if (resume is { } r)
        {
            var c = r.Checkpoint;
            var part = c.PartOf(CheckpointKind, r.Path, CheckpointPart.FromLegacy);
            if (part.TrainingExamples != _trainIds.Length || c.DataFingerprint != DataFingerprint)
                throw new TrainingException($"the training examples differ from those checkpoint {r.Path} was trained on ({part.TrainingExamples} examples there, {_trainIds.Length} here)");
            if (part.MaxTokens != Settings.MaxTokens)
                throw new TrainingException($"checkpoint {r.Path} was trained with texts truncated to {part.MaxTokens} tokens; resume with the same");
            Restore(c, r.Path);
        }
        RunLoop(resumed: resume is not null);
        KeepAndCalibrate(resume?.Path);
        if (Settings.ModelPath is { } modelPath) WriteModel(modelPath);
        _classifier.SetTrainingRecord(Record());
        return _classifier;
    }

    /// <summary>
    /// Puts back the best validation's weights (unless the settings keep the last, or nothing was validated), scores the
    /// kept weights on the validation examples and fits the temperature on them.
    /// </summary>
    private void KeepAndCalibrate(string? resumedFrom)
    {
        _kept = "last";
        _keptStep = Step;
        if (!Validates) return;
        if (Settings.KeepsBest && Best is not null)
        {
            if (_bestWeights is null && resumedFrom is not null) LoadBestCheckpoint();
            if (_bestWeights is not null && _bestStep != Step)
            {
                var parameters = _network.NamedParameters;
                for (int i = 0; i < parameters.Count; i++) parameters[i].Parameter.Load(_bestWeights[i]);
                _kept = "best";
                _keptStep = _bestStep;
            }
            else if (_bestWeights is not null)
            {
                _kept = "best";
            }
        }
        var (logits, loss) = ValidationLogits();
        _keptLoss = loss;
        _temperatureFit = _classifier.FitTemperature(logits, _validationLabels);
        // The report's calibration error is that of the tempered probabilities; accuracy and F1 do not change.
        _lastReport = ReportOf(logits, loss);
    }

    /// <summary>A resumed run's best weights so far are those of its best checkpoint file.</summary>
    private void LoadBestCheckpoint()
    {
        if (Settings.ModelPath is not { } modelPath) return;
        string path = TrainingLog.PathBeside(modelPath, ".best.ckpt.safetensors");
        if (!File.Exists(path)) return;
        var (file, checkpoint) = TrainingCheckpoint.Read(path);
        var weights = new Tensor[_network.NamedParameters.Count];
        for (int i = 0; i < weights.Length; i++)
        {
            var (name, parameter) = _network.NamedParameters[i];
            if (!file.Tensors.TryGetValue(name, out var tensor) || !tensor.Shape.Equals(parameter.Value.Shape)) return;
            weights[i] = tensor;
        }
        _bestWeights = weights;
        _bestStep = checkpoint.Step;
    }

    protected override bool Validates => _validationIds.Length > 0;

    protected override bool HigherIsBetter => true;

    protected override double ChanceLoss => Math.Log(_classifier.ClassNames.Count);

    protected override (double Loss, double? Score, string? Metric) Validate()
    {
        var (logits, loss) = ValidationLogits();
        var report = ReportOf(logits, loss);
        _lastReport = report;
        double score = report.ScoreOf(Settings.Metric);
        // The loop counts a higher score than the best so far as an improvement (and writes the best checkpoint then);
        // the same rule keeps a copy of those weights for the model at the end.
        if (Settings.KeepsBest && (Best is null || score > Best.Value))
        {
            _bestWeights = _network.NamedParameters.Select(p => p.Parameter.Value.Clone()).ToArray();
            _bestStep = Step;
        }
        return (loss, score, ClassifierTrainingSettings.MetricName(Settings.Metric));
    }

    protected override TrainingCheckpoint DescribeCheckpoint(TrainingCheckpoint shared) =>
        shared.WithPart(CheckpointKind, new CheckpointPart(_trainIds.Length, Settings.MaxTokens));

    protected override TrainingRecord DescribeRecord(TrainingRecord shared) => shared with
    {
        TrainingTokens = _trainIds.Sum(ids => (long)ids.Length), ValidationTokens = _validationIds.Sum(ids => (long)ids.Length),
        Settings = Settings.Describe(), TrainingExamples = _trainIds.Length, ValidationExamples = _validationIds.Length,
        ValidationAccuracy = _lastReport?.Accuracy, ValidationMacroF1 = _lastReport?.MacroF1, ValidationLoss = _keptLoss ?? shared.ValidationLoss,
        KeptWeights = _kept, KeptStep = _kept is null ? null : _keptStep, Temperature = _temperatureFit?.Temperature,
        CalibratedValidationLoss = _temperatureFit?.LossAfter, ValidationEce = _temperatureFit is null ? null : _lastReport?.ExpectedCalibrationError,
        ValidationMetric = Validates ? ClassifierTrainingSettings.MetricName(Settings.Metric) : null, BestValidationScore = Best,
        ClassWeights = _classWeights, TransferredFrom = _transferredFrom,
    };

    protected override void WriteModel(string path)
    {
        _classifier.SetTrainingRecord(Record());
        _classifier.Save(path);
    }

    protected override void WriteCheckpoint(string path, Dictionary<string, Tensor> tensors, string checkpointJson, TrainingRecord record)
    {
        _classifier.SetTrainingRecord(record);
        _classifier.ToModelFile(tensors, new Dictionary<string, string> { [TrainingCheckpoint.MetadataKey] = checkpointJson }).Write(path);
    }

    /// <summary>
    /// Runs the validation set in batches of similar lengths: the raw logits [examples, classes] in validation order and
    /// their (unweighted) mean cross-entropy.
    /// </summary>
    private (float[] Logits, double Loss) ValidationLogits()
    {
        var order = Enumerable.Range(0, _validationIds.Length).OrderBy(i => _validationIds[i].Length).ToArray();
        var loss = new CrossEntropyLoss(backend: _network.Backend);
        int classes = _classifier.ClassNames.Count;
        double sum = 0;
        var all = new float[_validationIds.Length * classes];
        foreach (var rows in order.Chunk(ValidationBatchSize))
        {
            var batch = PaddedBatch.FromSequences(rows.Select(i => _validationIds[i]).ToArray(), _paddingId);
            var logits = _network.Forward(batch.Ids, batch.Lengths, null);
            loss.Forward(logits, rows.Select(i => _validationLabels[i]).ToArray());
            sum += loss.LossSum;
            for (int k = 0; k < rows.Length; k++) logits.Slice(k * classes, classes).Download(all.AsSpan(rows[k] * classes, classes));
        }
        return (all, sum / _validationIds.Length);
    }

    /// <summary>
    /// The report of validation logits: predicted classes from the raw logits (the temperature never changes them) and
    /// the expected calibration error of the confidences at the classifier's temperature.
    /// </summary>
    private ClassificationReport ReportOf(float[] logits, double loss)
    {
        int classes = _classifier.ClassNames.Count;
        var predicted = new int[_validationIds.Length];
        var confidences = new double[_validationIds.Length];
        double inverse = 1 / _classifier.Temperature;
        for (int i = 0; i < predicted.Length; i++)
        {
            var row = logits.AsSpan(i * classes, classes);
            int bestClass = 0;
            for (int c = 1; c < classes; c++)
                if (row[c] > row[bestClass]) bestClass = c;
            predicted[i] = bestClass;
            double max = row[bestClass] * inverse, total = 0;
            foreach (float value in row) total += Math.Exp(value * inverse - max);
            confidences[i] = 1 / total; // the predicted class holds the largest logit: exp(0) / total
        }
        return ClassificationReport.FromPredictions(_classifier.ClassNames, _validationLabels, predicted, loss, confidences);
    }
}
