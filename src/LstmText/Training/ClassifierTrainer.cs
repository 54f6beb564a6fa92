using System.Diagnostics;
using LstmText.Data;
using LstmText.Layers;
using LstmText.Models;
using LstmText.Optimizers;
using LstmText.Tensors;
using LstmText.Tokenizers;

namespace LstmText.Training;

/// <summary>
/// Trains a <see cref="TextClassifier"/> on labelled examples in length-bucketed, padded batches; validates on a
/// held-out set (macro-F1 or accuracy), and shares with the language-model <see cref="Trainer"/> the settings, the
/// optimizer and its checkpointed state, the stopping rules, the JSONL log, the learning curve and the progress reports.
/// </summary>
internal sealed class ClassifierTrainer
{
    private const int ValidationBatchSize = 64;

    private readonly TextClassifier _classifier;
    private readonly ClassifierTrainingSettings _settings;
    private readonly int[][] _trainIds;
    private readonly int[] _trainLabels;
    private readonly int[][] _validationIds;
    private readonly int[] _validationLabels;
    private readonly float[]? _classWeights;
    private readonly Optimizer _optimizer;
    private readonly string[] _parameterNames;
    private readonly TrainingLog _log;
    private readonly int _paddingId;
    private readonly string? _transferredFrom;
    private RandomSource _random;
    private string? _lastCheckpoint;

    private ClassifierTrainer(TextClassifier classifier, DataSplit split, ClassifierTrainingSettings settings, string? transferredFrom)
    {
        _classifier = classifier;
        _settings = settings;
        _transferredFrom = transferredFrom;
        _paddingId = classifier.Tokenizer.PaddingId ?? 0;
        (_trainIds, _trainLabels) = Encode(split.Training);
        (_validationIds, _validationLabels) = Encode(split.Validation);
        if (_trainIds.Length == 0) throw new TrainingException("none of the training texts gives a token; there is nothing to train on");
        _classWeights = ClassWeightsFor(settings, classifier.ClassNames, _trainLabels);
        _random = new RandomSource(settings.RandomSeed ^ 0x9E3779B97F4A7C15UL);
        _optimizer = settings.CreateOptimizer(classifier.Parameters);
        if (settings.EncoderRateFactor != 1f) _optimizer.ScaleLearningRate(classifier.EncoderParameters, settings.EncoderRateFactor);
        _parameterNames = classifier.NamedParameters.Select(p => p.Name).ToArray();
        _log = new TrainingLog(settings.ModelPath);
    }

    /// <summary>Trains a new classifier (from scratch or from a language model), or resumes one from a checkpoint.</summary>
    public static TextClassifier Train(IEnumerable<LabelledExample> examples, Func<IEnumerable<string>, ITokenizer> buildTokenizer,
        TextClassifierArchitecture architecture, string? languageModel, ClassifierTrainingSettings settings)
    {
        var all = examples.ToArray();
        if (all.Length == 0) throw new TrainingException("there are no labelled examples to train on");
        var split = settings.ValidationSet is { } validation ? DataSplit.FromSeparateSets(all, validation)
            : settings.ValidationShare > 0 ? DataSplit.Stratified(all, settings.ValidationShare, (int)(settings.RandomSeed & int.MaxValue))
            : new DataSplit(all, []);
        var classNames = LabelledData.CountClasses(split.Training).Select(c => c.Name).ToArray();
        if (classNames.Length < 2)
            throw new TrainingException($"the training examples hold {classNames.Length} class(es) ({string.Join(", ", classNames)}); a classifier needs at least two");
        var unknown = split.Validation.FirstOrDefault(e => Array.IndexOf(classNames, e.Label) < 0);
        if (unknown is not null)
            throw new TrainingException($"the validation label '{unknown.Label}' (line {unknown.Line}) is not among the training classes ({string.Join(", ", classNames)})");

        TextClassifier classifier;
        (TrainingCheckpoint, string)? resume = null;
        string? transferredFrom = languageModel;
        if (settings.ResumePath is { } path)
        {
            var (file, checkpoint) = TrainingCheckpoint.Read(path);
            classifier = TextClassifier.FromModelFile(file, path);
            if (!classifier.ClassNames.SequenceEqual(classNames))
                throw new TrainingException($"checkpoint {path} was trained on the classes {string.Join(", ", classifier.ClassNames)}; the data has {string.Join(", ", classNames)}");
            if (classifier.TrainingRecordJson is { } json) transferredFrom = TrainingRecord.FromJson(json).TransferredFrom;
            resume = (checkpoint, path);
        }
        else if (languageModel is not null)
        {
            classifier = TextClassifier.FromLanguageModel(languageModel, classNames, architecture, new RandomSource(settings.RandomSeed));
        }
        else
        {
            var tokenizer = buildTokenizer(split.Training.Select(e => e.Text));
            classifier = new TextClassifier(tokenizer, classNames, architecture, new RandomSource(settings.RandomSeed));
        }
        return new ClassifierTrainer(classifier, split, settings, transferredFrom).Run(resume);
    }

    private (int[][] Ids, int[] Labels) Encode(IReadOnlyList<LabelledExample> examples)
    {
        var ids = new List<int[]>(examples.Count);
        var labels = new List<int>(examples.Count);
        var index = _classifier.ClassNames.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
        foreach (var example in examples)
        {
            var encoded = _classifier.Tokenizer.Encode(example.Text);
            if (encoded.Length == 0) continue;
            ids.Add(encoded.Length > _settings.MaxTokens ? encoded[.._settings.MaxTokens] : encoded);
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

    /// <summary>
    /// An epoch's batches: the examples shuffled, sorted (stably) by length so a batch holds similar lengths and little
    /// padding, cut into batches, and the batches shuffled. The order depends only on the seed and the epoch, so a
    /// resumed run finds the same batches.
    /// </summary>
    private int[][] EpochBatches(int epoch)
    {
        var random = new RandomSource((_settings.RandomSeed ^ 0xD1B54A32D192ED03UL) + (ulong)epoch * 0x9E3779B97F4A7C15UL);
        var order = Enumerable.Range(0, _trainIds.Length).ToArray();
        random.Shuffle(order.AsSpan());
        var sorted = order.OrderBy(i => _trainIds[i].Length).ToArray();
        var batches = sorted.Chunk(_settings.Batch).ToArray();
        random.Shuffle(batches.AsSpan());
        return batches;
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
        int batchSize = _settings.Batch;
        int stepsPerEpoch = (_trainIds.Length + batchSize - 1) / batchSize;
        int? totalSteps = _settings.TotalSteps(stepsPerEpoch);
        var schedule = _settings.Schedule(totalSteps, stepsPerEpoch);
        var loss = _classWeights is null ? new CrossEntropyLoss() : new CrossEntropyLoss(_classWeights);
        string metricName = ClassifierTrainingSettings.MetricName(_settings.Metric);
        bool validating = _validationIds.Length > 0;

        int step = 0, epoch = 0, position = 0, badValidations = 0;
        double? best = null, lastTrainingLoss = null, lastValidationLoss = null;
        ClassificationReport? lastReport = null;
        double priorSeconds = 0;
        ulong fingerprint = Fingerprint();
        if (resume is { } r)
        {
            var c = r.Checkpoint;
            if (c.TrainingTokens != _trainIds.Length || c.CorpusFingerprint != fingerprint)
                throw new TrainingException($"the training examples differ from those checkpoint {r.Path} was trained on ({c.TrainingTokens} examples there, {_trainIds.Length} here)");
            if (c.BatchSize != batchSize || c.SequenceLength != _settings.MaxTokens)
                throw new TrainingException($"checkpoint {r.Path} was trained with batch size {c.BatchSize} and texts truncated to {c.SequenceLength} tokens; resume with the same");
            if (c.Optimizer != _settings.Optimizer.ToString())
                throw new TrainingException($"checkpoint {r.Path} was trained with {c.Optimizer}; resume with the same optimizer");
            (step, epoch, position, best, badValidations, priorSeconds, lastTrainingLoss) =
                (c.Step, c.Epoch, c.Position, c.BestValidationScore, c.ValidationsWithoutImprovement, c.Seconds, c.LastTrainingLoss);
            _random = RandomSource.FromState(c.Random);
            OptimizerState.Restore(_optimizer, _parameterNames, c, r.Path);
            _log.Restore(step);
        }

        var clock = Stopwatch.StartNew();
        long tokens = 0;
        double lossSinceValidation = 0;
        int stepsSinceValidation = 0;
        int lastValidatedStep = resume is null ? -1 : step;
        string? stoppedBecause = null;
        int[][] batches = [];
        int batchesOfEpoch = -1;
        var cancellation = _settings.Cancellation;

        double Seconds() => priorSeconds + clock.Elapsed.TotalSeconds;

        TrainingCheckpoint Snapshot() => new()
        {
            Step = step, Epoch = epoch, Position = position, Random = _random.State, Optimizer = _settings.Optimizer.ToString(),
            BestValidationScore = best, ValidationsWithoutImprovement = badValidations, Seconds = Seconds(),
            TrainingTokens = _trainIds.Length, CorpusFingerprint = fingerprint, BatchSize = batchSize, SequenceLength = _settings.MaxTokens,
            LastTrainingLoss = lastTrainingLoss,
        };

        TrainingRecord Record() => new()
        {
            Steps = step, Epochs = epoch + (position > 0 ? 1 : 0), TrainingTokens = _trainIds.Sum(ids => (long)ids.Length),
            ValidationTokens = _validationIds.Sum(ids => (long)ids.Length), TrainingLoss = lastTrainingLoss, ValidationLoss = lastValidationLoss,
            Settings = _settings.Describe(), StoppedBecause = stoppedBecause, Seconds = Math.Round(Seconds(), 3),
            TrainingExamples = _trainIds.Length, ValidationExamples = _validationIds.Length, ValidationAccuracy = lastReport?.Accuracy,
            ValidationMacroF1 = lastReport?.MacroF1, ValidationMetric = validating ? metricName : null, BestValidationScore = best,
            ClassWeights = _classWeights, TransferredFrom = _transferredFrom,
        };

        double? ValidateNow(double rate, out bool improved)
        {
            (lastReport, lastValidationLoss) = Validate();
            double score = lastReport.ScoreOf(_settings.Metric);
            improved = best is null || score > best.Value;
            if (improved) { best = score; badValidations = 0; } else badValidations++;
            _log.Add(new ValidationEntry(step, epoch, lastTrainingLoss, lastValidationLoss.Value, rate, Math.Round(Seconds(), 3), score, metricName));
            lastValidatedStep = step;
            return score;
        }

        while (true)
        {
            if (_settings.StopReason(step, totalSteps, Seconds(), badValidations) is { } reason) { stoppedBecause = reason; break; }
            if (cancellation.IsCancellationRequested)
            {
                stoppedBecause = "cancelled";
                string? saved = SaveCheckpoint(Snapshot(), Record(), best: false);
                SetEncoderTrainable(true);
                throw new OperationCanceledException(
                    $"training cancelled at step {step}" + (saved is null ? "" : $"; checkpoint saved to {saved}"), cancellation);
            }
            if (batchesOfEpoch != epoch) { batches = EpochBatches(epoch); batchesOfEpoch = epoch; }
            SetEncoderTrainable(epoch >= _settings.FrozenEncoderEpochs);

            var rows = batches[position];
            var batch = PaddedBatch.FromSequences(rows.Select(i => _trainIds[i]).ToArray(), _paddingId);
            var labels = rows.Select(i => _trainLabels[i]).ToArray();
            float rate = schedule.At(step);
            _optimizer.LearningRate = rate;
            _classifier.ZeroGradients();
            float value = loss.Forward(_classifier.ForwardBatch(batch, _random), labels);
            if (!float.IsFinite(value))
            {
                SetEncoderTrainable(true);
                throw new TrainingDivergedException(
                    $"training stopped at step {step + 1}: the loss became {value}" +
                    (_lastCheckpoint is null ? "; no checkpoint had been saved" : $"; the last good checkpoint is {_lastCheckpoint}") +
                    ". Try a lower learning rate or gradient clipping.", step + 1, _lastCheckpoint);
            }
            _classifier.Backward(loss.Backward());
            if (_settings.ClipNorm is { } clip)
            {
                var trainable = _optimizer.Parameters.Where(p => p.IsTrainable).ToList();
                if (trainable.Count > 0) GradientClipping.ClipByGlobalNorm(trainable, clip);
            }
            _optimizer.Step();
            step++;
            position++;
            tokens += batch.Lengths.Sum();
            lossSinceValidation += value;
            stepsSinceValidation++;
            bool epochEnd = position >= stepsPerEpoch;
            if (epochEnd) { epoch++; position = 0; }

            double? validated = null;
            bool due = _settings.ValidationInterval is { } every ? step % every == 0 : epochEnd;
            bool last = totalSteps is { } ts && step >= ts;
            if (due || last)
            {
                lastTrainingLoss = lossSinceValidation / stepsSinceValidation;
                (lossSinceValidation, stepsSinceValidation) = (0, 0);
                if (validating)
                {
                    validated = ValidateNow(rate, out bool improved);
                    if (improved) SaveCheckpoint(Snapshot(), Record(), best: true);
                }
                SaveCheckpoint(Snapshot(), Record(), best: false);
            }
            _settings.ProgressSink?.Report(new TrainingProgress(step, totalSteps, epoch + (position > 0 || !epochEnd ? 1 : 0), value, rate,
                tokens / Math.Max(1e-9, clock.Elapsed.TotalSeconds), TimeSpan.FromSeconds(Seconds()), validated is null ? null : lastValidationLoss, validated));
        }

        SetEncoderTrainable(true);
        if (stepsSinceValidation > 0) lastTrainingLoss = lossSinceValidation / stepsSinceValidation;
        if (validating && lastValidatedStep != step)
        {
            ValidateNow(_optimizer.LearningRate, out bool improved);
            if (improved) SaveCheckpoint(Snapshot(), Record(), best: true);
        }
        SaveCheckpoint(Snapshot(), Record(), best: false);
        _classifier.TrainingRecordJson = Record().ToJson();
        if (_settings.ModelPath is { } modelPath) _classifier.Save(modelPath);
        return _classifier;
    }

    private void SetEncoderTrainable(bool trainable)
    {
        foreach (var parameter in _classifier.EncoderParameters) parameter.IsTrainable = trainable;
    }

    /// <summary>Scores the validation set in batches of similar lengths: the report and the (unweighted) mean cross-entropy.</summary>
    private (ClassificationReport Report, double Loss) Validate()
    {
        var order = Enumerable.Range(0, _validationIds.Length).OrderBy(i => _validationIds[i].Length).ToArray();
        var predicted = new int[_validationIds.Length];
        var loss = new CrossEntropyLoss();
        int classes = _classifier.ClassNames.Count;
        double sum = 0;
        foreach (var rows in order.Chunk(ValidationBatchSize))
        {
            var batch = PaddedBatch.FromSequences(rows.Select(i => _validationIds[i]).ToArray(), _paddingId);
            var logits = _classifier.ForwardBatch(batch);
            loss.Forward(logits, rows.Select(i => _validationLabels[i]).ToArray());
            sum += loss.LossSum;
            var values = logits.Span;
            for (int k = 0; k < rows.Length; k++)
            {
                int bestClass = 0;
                for (int c = 1; c < classes; c++)
                    if (values[k * classes + c] > values[k * classes + bestClass]) bestClass = c;
                predicted[rows[k]] = bestClass;
            }
        }
        return (ClassificationReport.FromPredictions(_classifier.ClassNames, _validationLabels, predicted), sum / _validationIds.Length);
    }

    private string? SaveCheckpoint(TrainingCheckpoint checkpoint, TrainingRecord record, bool best)
    {
        if (_settings.ModelPath is not { } modelPath) return null;
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var (steps, started) = OptimizerState.Capture(_optimizer, _parameterNames, tensors);
        var json = (checkpoint with { OptimizerSteps = steps, OptimizerStarted = started }).ToJson();
        _classifier.TrainingRecordJson = record.ToJson();
        string path = TrainingLog.PathBeside(modelPath, best ? ".best.ckpt.safetensors" : ".last.ckpt.safetensors");
        _classifier.ToModelFile(tensors, new Dictionary<string, string> { [TrainingCheckpoint.MetadataKey] = json }).Write(path);
        if (!best) _lastCheckpoint = path;
        return path;
    }
}
