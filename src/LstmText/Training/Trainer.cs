using System.Diagnostics;
using LstmText.IO;
using LstmText.Layers;
using LstmText.Models;
using LstmText.Optimizers;
using LstmText.Tensors;
using LstmText.Tokenizers;

namespace LstmText.Training;

/// <summary>
/// Trains a language model with truncated BPTT over B parallel streams, the hidden state carried (detached)
/// from one window to the next; validates, checkpoints, logs and resumes exactly.
/// </summary>
internal sealed class Trainer
{
    private readonly LanguageModelNetwork _network;
    private readonly ITokenizer _tokenizer;
    private readonly int[] _train;
    private readonly int[]? _validation;
    private readonly TrainingSettings _settings;
    private readonly TrainingRecord? _previous;
    private readonly Optimizer _optimizer;
    private readonly TrainingLog _log;
    private RandomSource _random;
    private string? _lastCheckpoint;

    private Trainer(LanguageModelNetwork network, ITokenizer tokenizer, int[] train, int[]? validation, TrainingSettings settings, TrainingRecord? previous)
    {
        _network = network;
        _tokenizer = tokenizer;
        _train = train;
        _validation = validation;
        _settings = settings;
        _previous = previous;
        _random = new RandomSource(settings.RandomSeed ^ 0x9E3779B97F4A7C15UL);
        _optimizer = settings.CreateOptimizer(network.OptimizedParameters.Select(p => p.Parameter));
        _log = new TrainingLog(settings.ModelPath);
    }

    /// <summary>Trains a new model (or resumes one from a checkpoint).</summary>
    public static LanguageModel Train(CorpusSource source, Func<IEnumerable<string>, ITokenizer> buildTokenizer,
        Func<int, LanguageModelArchitecture> architectureFor, TrainingSettings settings)
    {
        if (settings.ResumePath is not null) return Resume(source, settings);
        var tokenizer = buildTokenizer(source.Chunks());
        var ids = CorpusIds.Encode(tokenizer, source, out _);
        var architecture = architectureFor(tokenizer.VocabularySize);
        architecture.Validate();
        var network = new LanguageModelNetwork(architecture, new RandomSource(settings.RandomSeed));
        return Start(network, tokenizer, ids, source, settings, null, 0, 0, null);
    }

    /// <summary>Continues training a model on a new corpus, growing its vocabulary when asked.</summary>
    public static LanguageModel FineTune(LanguageModel model, CorpusSource source, TrainingSettings settings)
    {
        if (settings.ResumePath is not null) return Resume(source, settings);
        var network = model.CreateNetwork();
        var tokenizer = model.Tokenizer;
        int added = 0;
        if (settings.GrowVocabulary)
        {
            var growth = tokenizer.ExtendVocabulary(source.Chunks());
            if (growth.NewIds.Count > 0)
            {
                network = Grow(network, growth.Tokenizer.VocabularySize);
                tokenizer = growth.Tokenizer;
                added = growth.NewIds.Count;
            }
        }
        var ids = CorpusIds.Encode(tokenizer, source, out int unknown);
        return Start(network, tokenizer, ids, source, settings, model.Training, unknown, added, null);
    }

    private static LanguageModel Resume(CorpusSource source, TrainingSettings settings)
    {
        var path = settings.ResumePath!;
        var (file, checkpoint) = TrainingCheckpoint.Read(path);
        var model = LanguageModel.FromModelFile(file, path);
        var ids = CorpusIds.Encode(model.Tokenizer, source, out int unknown);
        return Start(model.CreateNetwork(), model.Tokenizer, ids, source, settings, model.Training, unknown, model.Training?.AddedTokens ?? 0, (checkpoint, path));
    }

    private static LanguageModelNetwork Grow(LanguageModelNetwork old, int vocabularySize)
    {
        var a = old.Architecture;
        var grown = new LanguageModelNetwork(a with { VocabularySize = vocabularySize }, new RandomSource(0));
        int oldRows = a.VocabularySize;
        CopyRowsAndMean(old.Embedding.Weight.Value, grown.Embedding.Weight.Value, oldRows, a.EmbeddingSize);
        CopyRowsAndMean(old.Decoder.Weight.Value, grown.Decoder.Weight.Value, oldRows, a.HiddenSize);
        CopyRowsAndMean(old.Decoder.Bias!.Value, grown.Decoder.Bias!.Value, oldRows, 1);
        for (int i = 0; i < old.Lstm.Parameters.Count; i++) grown.Lstm.Parameters[i].Load(old.Lstm.Parameters[i].Value);
        return grown;
    }

    /// <summary>Copies the old rows and starts every new row at the mean of the old ones.</summary>
    private static void CopyRowsAndMean(Tensor source, Tensor destination, int oldRows, int rowLength)
    {
        var from = source.Span;
        var to = destination.Span;
        from.CopyTo(to);
        var mean = new double[rowLength];
        for (int r = 0; r < oldRows; r++)
            for (int j = 0; j < rowLength; j++) mean[j] += from[r * rowLength + j];
        int newRows = to.Length / rowLength;
        for (int r = oldRows; r < newRows; r++)
            for (int j = 0; j < rowLength; j++) to[r * rowLength + j] = (float)(mean[j] / oldRows);
    }

    private static LanguageModel Start(LanguageModelNetwork network, ITokenizer tokenizer, int[] ids, CorpusSource source,
        TrainingSettings settings, TrainingRecord? previous, int unknown, int added, (TrainingCheckpoint Checkpoint, string Path)? resume)
    {
        if (ids.Length == 0) throw new TrainingException($"the corpus is empty: {source.Description} holds no text");
        int[] train = ids;
        int[]? validation = null;
        if (settings.Validation is { } separate)
        {
            validation = CorpusIds.Encode(tokenizer, separate, out _);
            if (validation.Length < 2) throw new TrainingException($"the validation text has {validation.Length} token(s); it needs at least 2");
        }
        else if (settings.ValidationShare > 0)
        {
            int count = (int)Math.Round(ids.Length * settings.ValidationShare);
            if (count >= 2)
            {
                train = ids[..^count];
                validation = ids[^count..];
            }
        }
        int needed = settings.Batch * (settings.Window + 1);
        if (train.Length < needed)
            throw new TrainingException(
                $"the corpus is too short: {train.Length} training tokens, fewer than one window of {settings.Window} (+1) tokens " +
                $"for each of {settings.Batch} streams ({needed}); use a longer corpus or a smaller batch size or sequence length");

        foreach (var (name, parameter) in network.NamedParameters)
        {
            bool frozenEmbedding = settings.FrozenEmbedding && (name == "embedding.weight" || (name == "decoder.weight" && network.Architecture.TieWeights));
            bool frozenLayer = name.StartsWith("lstm.", StringComparison.Ordinal) &&
                int.TryParse(name[(name.LastIndexOf("_l", StringComparison.Ordinal) + 2)..].Split('_')[0], out int layer) && layer < settings.FrozenLayers;
            parameter.IsTrainable = !(frozenEmbedding || frozenLayer);
        }
        if (settings.FrozenLayers > network.Architecture.Layers)
            throw new TrainingException($"cannot freeze {settings.FrozenLayers} layers of a {network.Architecture.Layers}-layer LSTM");

        var trainer = new Trainer(network, tokenizer, train, validation, settings, previous);
        return trainer.Run(unknown, added, resume);
    }

    private LanguageModel Run(int unknown, int added, (TrainingCheckpoint Checkpoint, string Path)? resume)
    {
        int batch = _settings.Batch, window = _settings.Window;
        int streamLength = _train.Length / batch;
        int windowsPerEpoch = (streamLength - 1 + window - 1) / window;
        int? totalSteps = _settings.TotalSteps(windowsPerEpoch);
        var schedule = _settings.Schedule(totalSteps, windowsPerEpoch);

        int step = 0, epoch = 0, position = 0, badValidations = 0;
        bool hasState = false;
        double? best = null, lastValidation = null, lastTrainingLoss = null;
        double priorSeconds = 0;
        var state = LstmState.Zeros(_network.Architecture.Layers, batch, _network.Architecture.HiddenSize);
        ulong fingerprint = CorpusIds.Fingerprint(_train);
        if (resume is { } r)
        {
            var c = r.Checkpoint;
            if (c.TrainingTokens != _train.Length || c.CorpusFingerprint != fingerprint)
                throw new TrainingException($"the corpus differs from the one checkpoint {r.Path} was trained on ({c.TrainingTokens} training tokens there, {_train.Length} here)");
            if (c.BatchSize != batch || c.SequenceLength != window)
                throw new TrainingException($"checkpoint {r.Path} was trained with batch size {c.BatchSize} and sequence length {c.SequenceLength}; resume with the same");
            if (c.Optimizer != _settings.Optimizer.ToString())
                throw new TrainingException($"checkpoint {r.Path} was trained with {c.Optimizer}; resume with the same optimizer");
            (step, epoch, position, hasState, best, badValidations, priorSeconds, lastTrainingLoss) =
                (c.Step, c.Epoch, c.Position, c.HasState, c.BestValidationLoss, c.ValidationsWithoutImprovement, c.Seconds, c.LastTrainingLoss);
            _random = RandomSource.FromState(c.Random);
            if (hasState)
            {
                c.Tensors[TrainingCheckpoint.HiddenStateName].Span.CopyTo(state.Hidden.Span);
                c.Tensors[TrainingCheckpoint.CellStateName].Span.CopyTo(state.Cell.Span);
            }
            OptimizerState.Restore(_optimizer, _network.OptimizedParameters.Select(p => p.Name).ToArray(), c, r.Path);
            _log.Restore(step);
        }

        var loss = new CrossEntropyLoss();
        var inputs = new int[window * batch];
        var targets = new int[window * batch];
        var trainable = _optimizer.Parameters.Where(p => p.IsTrainable).ToList();
        var clock = Stopwatch.StartNew();
        long tokens = 0;
        double lossSinceValidation = 0;
        int stepsSinceValidation = 0;
        int lastValidatedStep = resume is null ? -1 : step;
        string stopped = "epochs";
        var cancellation = _settings.Cancellation;
        string? sinceStart = null;

        double Seconds() => priorSeconds + clock.Elapsed.TotalSeconds;

        TrainingCheckpoint Snapshot() => new()
        {
            Step = step, Epoch = epoch, Position = position, HasState = hasState, Random = _random.State,
            Optimizer = _settings.Optimizer.ToString(), BestValidationLoss = best, ValidationsWithoutImprovement = badValidations,
            Seconds = Seconds(), TrainingTokens = _train.Length, CorpusFingerprint = fingerprint, BatchSize = batch,
            SequenceLength = window, LastTrainingLoss = lastTrainingLoss,
        };

        TrainingRecord Record() => new()
        {
            Steps = step, Epochs = epoch + (position > 0 ? 1 : 0), TrainingTokens = _train.Length, ValidationTokens = _validation?.Length ?? 0,
            TrainingLoss = lastTrainingLoss, ValidationLoss = lastValidation, BestValidationLoss = best, Settings = _settings.Describe(),
            StoppedBecause = sinceStart, Seconds = Math.Round(Seconds(), 3), UnknownTokens = unknown, AddedTokens = added,
        };

        while (true)
        {
            if (_settings.StopReason(step, totalSteps, Seconds(), badValidations) is { } reason) { stopped = reason; break; }
            if (cancellation.IsCancellationRequested)
            {
                sinceStart = "cancelled";
                string? saved = SaveCheckpoint(Snapshot(), state, Record(), best: false);
                throw new OperationCanceledException(
                    $"training cancelled at step {step}" + (saved is null ? "" : $"; checkpoint saved to {saved}"), cancellation);
            }

            int length = Math.Min(window, streamLength - 1 - position);
            for (int t = 0; t < length; t++)
                for (int b = 0; b < batch; b++)
                {
                    inputs[t * batch + b] = _train[b * streamLength + position + t];
                    targets[t * batch + b] = _train[b * streamLength + position + t + 1];
                }
            float rate = schedule.At(step);
            _optimizer.LearningRate = rate;
            _network.ZeroGradients();
            var logits = _network.Forward(inputs.AsSpan(0, length * batch), length, batch, hasState ? state : null, _random);
            float value = loss.Forward(logits, targets.AsSpan(0, length * batch));
            if (!float.IsFinite(value))
            {
                throw new TrainingDivergedException(
                    $"training stopped at step {step + 1}: the loss became {value}" +
                    (_lastCheckpoint is null ? "; no checkpoint had been saved" : $"; the last good checkpoint is {_lastCheckpoint}") +
                    ". Try a lower learning rate or gradient clipping.", step + 1, _lastCheckpoint);
            }
            _network.Backward(loss.Backward());
            _network.GatherTiedGradients();
            if (_settings.ClipNorm is { } clip && trainable.Count > 0) GradientClipping.ClipByGlobalNorm(trainable, clip);
            _optimizer.Step();
            _network.SpreadTiedWeights();
            var final = _network.Lstm.FinalState;
            final.Hidden.Span.CopyTo(state.Hidden.Span);
            final.Cell.Span.CopyTo(state.Cell.Span);
            hasState = true;
            step++;
            position += length;
            tokens += (long)length * batch;
            lossSinceValidation += value;
            stepsSinceValidation++;
            bool epochEnd = position >= streamLength - 1;
            if (epochEnd)
            {
                epoch++;
                position = 0;
                hasState = false;
            }

            double? validated = null;
            bool due = _settings.ValidationInterval is { } every ? step % every == 0 : epochEnd;
            bool last = totalSteps is { } ts && step >= ts;
            if (due || last)
            {
                lastTrainingLoss = lossSinceValidation / stepsSinceValidation;
                (lossSinceValidation, stepsSinceValidation) = (0, 0);
                if (_validation is not null)
                {
                    validated = Validate(step, epoch, lastTrainingLoss, rate, Seconds(), ref best, ref badValidations, out bool improved);
                    lastValidation = validated;
                    lastValidatedStep = step;
                    if (improved) SaveCheckpoint(Snapshot(), state, Record(), best: true);
                }
                SaveCheckpoint(Snapshot(), state, Record(), best: false);
            }
            double seconds = Seconds();
            _settings.ProgressSink?.Report(new TrainingProgress(step, totalSteps, epoch + (position > 0 || !epochEnd ? 1 : 0), value, rate,
                tokens / Math.Max(1e-9, clock.Elapsed.TotalSeconds), TimeSpan.FromSeconds(seconds), validated));
        }

        sinceStart = stopped;
        if (stepsSinceValidation > 0) lastTrainingLoss = lossSinceValidation / stepsSinceValidation;
        if (_validation is not null && lastValidatedStep != step)
        {
            lastValidation = Validate(step, epoch, lastTrainingLoss, _optimizer.LearningRate, Seconds(), ref best, ref badValidations, out bool improved);
            if (improved) SaveCheckpoint(Snapshot(), state, Record(), best: true);
        }
        SaveCheckpoint(Snapshot(), state, Record(), best: false);
        var record = Record() with { Steps = step };
        var model = new LanguageModel(_network, _tokenizer, record);
        if (_settings.ModelPath is { } path) model.Save(path);
        return model;
    }

    private double Validate(int step, int epoch, double? trainingLoss, double rate, double seconds, ref double? best, ref int bad, out bool improved)
    {
        double value = Evaluator.Evaluate(_network, _validation!, Math.Max(_settings.Window, 64)).Loss;
        improved = best is null || value < best.Value;
        if (improved) { best = value; bad = 0; } else bad++;
        _log.Add(new ValidationEntry(step, epoch, trainingLoss, value, rate, Math.Round(seconds, 3)));
        return value;
    }

    private string? SaveCheckpoint(TrainingCheckpoint checkpoint, LstmState state, TrainingRecord record, bool best)
    {
        if (_settings.ModelPath is not { } modelPath) return null;
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var (steps, started) = OptimizerState.Capture(_optimizer, _network.OptimizedParameters.Select(p => p.Name).ToArray(), tensors);
        tensors[TrainingCheckpoint.HiddenStateName] = state.Hidden;
        tensors[TrainingCheckpoint.CellStateName] = state.Cell;
        var json = (checkpoint with { OptimizerSteps = steps, OptimizerStarted = started }).ToJson();
        var model = new LanguageModel(_network, _tokenizer, record);
        string path = TrainingLog.PathBeside(modelPath, best ? ".best.ckpt.safetensors" : ".last.ckpt.safetensors");
        model.ToModelFile(tensors, new Dictionary<string, string> { [TrainingCheckpoint.MetadataKey] = json }).Write(path);
        if (!best) _lastCheckpoint = path;
        return path;
    }
}
