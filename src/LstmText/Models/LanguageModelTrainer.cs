using LstmText.Compute;
using LstmText.Data;
using LstmText.IO;
using LstmText.Layers;
using LstmText.Tensors;
using LstmText.Tokenizers;
using LstmText.Training;

namespace LstmText.Models;

/// <summary>
/// The language-model kind of the trainer: truncated BPTT over B parallel streams (<see cref="LanguageModelBatches"/>),
/// the hidden state carried (detached) from one window to the next, cross-entropy over the next token; the shared
/// <see cref="TrainingLoop{TSettings, TBatch}"/> takes the steps, validates, checkpoints, logs and resumes exactly.
/// </summary>
internal sealed class LanguageModelTrainer : TrainingLoop<TrainingSettings, LanguageModelBatch>
{
    /// <summary>The kind's name in a checkpoint (<see cref="TrainingCheckpoint.Kind"/>).</summary>
    public const string CheckpointKind = "language_model";

    private readonly LanguageModelNetwork _network;
    private readonly ITokenizer _tokenizer;
    private readonly int[] _train;
    private readonly int[]? _validation;
    private readonly LanguageModelBatches _batches;
    private readonly CrossEntropyObjective<LanguageModelBatch> _loss;
    private int _unknown;
    private int _added;

    private LanguageModelTrainer(LanguageModelNetwork network, ITokenizer tokenizer, int[] train, int[]? validation, TrainingSettings settings)
        : base(settings, network)
    {
        _network = network;
        _loss = new(new CrossEntropyLoss(backend: network.Backend));
        _tokenizer = tokenizer;
        _train = train;
        _validation = validation;
        DataFingerprint = CorpusIds.Fingerprint(train);
        _batches = new LanguageModelBatches(network, train, settings.Batch, settings.Window);
        if (settings.FrozenEmbedding)
            Freezing.Freeze(network.Architecture.TieWeights ? [network.Embedding.Weight, network.Decoder.Weight] : [network.Embedding.Weight]);
        for (int layer = 0; layer < settings.FrozenLayers; layer++) Freezing.Freeze(network.LstmLayerParameters(layer));
    }

    /// <summary>The kind's part of a checkpoint: the training tokens, the window and whether the carried state was saved.</summary>
    internal sealed record CheckpointPart(int TrainingTokens, int SequenceLength, bool HasState)
    {
        /// <summary>The part of a checkpoint written before parts existed.</summary>
        public static CheckpointPart FromLegacy(TrainingCheckpoint c) =>
            new(c.LegacyTrainingTokens ?? 0, c.LegacySequenceLength ?? 0, c.LegacyHasState ?? false);
    }

    protected override IBatchSource<LanguageModelBatch> Batches => _batches;

    protected override IBatchLoss<LanguageModelBatch> Loss => _loss;

    protected override ulong DataFingerprint { get; }

    /// <summary>Trains a new model (or resumes one from a checkpoint).</summary>
    public static LanguageModel Train(CorpusSource source, Func<IEnumerable<string>, ITokenizer> buildTokenizer,
        Func<int, LanguageModelArchitecture> architectureFor, TrainingSettings settings, IBackend? backend = null)
    {
        if (settings.ResumePath is not null) return Resume(source, settings, architectureFor, backend);
        var tokenizer = buildTokenizer(source.Chunks());
        var ids = CorpusIds.Encode(tokenizer, source, out _);
        var architecture = architectureFor(tokenizer.VocabularySize);
        architecture.Validate();
        var network = new LanguageModelNetwork(architecture, new RandomSource(settings.RandomSeed), backend);
        return Start(network, tokenizer, ids, source, settings, 0, 0, null);
    }

    /// <summary>Continues training a model on a new corpus, growing its vocabulary when asked.</summary>
    public static LanguageModel FineTune(LanguageModel model, CorpusSource source, TrainingSettings settings)
    {
        if (settings.ResumePath is not null) return Resume(source, settings, null, model.CreateNetwork().Backend);
        var network = model.CopyNetwork();
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
        return Start(network, tokenizer, ids, source, settings, unknown, added, null);
    }

    /// <summary>
    /// Continues from a checkpoint. A new run's architecture (<paramref name="architectureFor"/>) and tokenizer recipe must be
    /// the checkpoint's: a changed option is refused, naming it, before any data is read.
    /// </summary>
    private static LanguageModel Resume(CorpusSource source, TrainingSettings settings, Func<int, LanguageModelArchitecture>? architectureFor,
        IBackend? backend)
    {
        var path = settings.ResumePath!;
        var (file, checkpoint) = TrainingCheckpoint.Read(path);
        var model = LanguageModel.FromModelFile(file, path, backend);
        TokenizerRecipe.RequireSame(checkpoint.TokenizerRecipe, settings.TokenizerRecipe, path);
        if (architectureFor is not null)
        {
            var was = model.Architecture;
            var asked = architectureFor(was.VocabularySize);
            new ResumeDifferences()
                .Compare("embedding size", was.EmbeddingSize, asked.EmbeddingSize)
                .Compare("LSTM hidden size", was.HiddenSize, asked.HiddenSize)
                .Compare("LSTM layers", was.Layers, asked.Layers)
                .Compare("dropout", was.Dropout, asked.Dropout)
                .Compare("embedding dropout", was.EmbeddingDropout, asked.EmbeddingDropout)
                .Compare("weight tying", was.TieWeights, asked.TieWeights)
                .RefuseAny(path);
        }
        var ids = CorpusIds.Encode(model.Tokenizer, source, out int unknown);
        return Start(model.CopyNetwork(), model.Tokenizer, ids, source, settings, unknown, model.Training?.AddedTokens ?? 0, (checkpoint, path));
    }

    private static LanguageModelNetwork Grow(LanguageModelNetwork old, int vocabularySize)
    {
        var a = old.Architecture;
        var grown = new LanguageModelNetwork(a with { VocabularySize = vocabularySize }, new RandomSource(0), old.Backend);
        int oldRows = a.VocabularySize;
        CopyRowsAndMean(old.Embedding.Weight.Value, grown.Embedding.Weight.Value, oldRows, a.EmbeddingSize);
        CopyRowsAndMean(old.Decoder.Weight.Value, grown.Decoder.Weight.Value, oldRows, a.HiddenSize);
        CopyRowsAndMean(old.Decoder.Bias!.Value, grown.Decoder.Bias!.Value, oldRows, 1);
        for (int i = 0; i < old.Lstm.Parameters.Count; i++) grown.Lstm.Parameters[i].Load(old.Lstm.Parameters[i].Value);
        return grown;
    }

    /// <summary>Copies the old rows and starts every new row at the mean of the old ones.</summary>
    /// <remarks>Once per run that grows the vocabulary: the old rows are downloaded, the mean computed in double on the
    /// host copy, and the grown table uploaded (explicit transfers, so the tensors may live on a device).</remarks>
    private static void CopyRowsAndMean(Tensor source, Tensor destination, int oldRows, int rowLength)
    {
        var from = source.ToArray();
        var to = new float[destination.Length];
        from.CopyTo(to.AsSpan());
        var mean = new double[rowLength];
        for (int r = 0; r < oldRows; r++)
            for (int j = 0; j < rowLength; j++) mean[j] += from[r * rowLength + j];
        int newRows = to.Length / rowLength;
        for (int r = oldRows; r < newRows; r++)
            for (int j = 0; j < rowLength; j++) to[r * rowLength + j] = (float)(mean[j] / oldRows);
        destination.Upload(to);
    }

    private static LanguageModel Start(LanguageModelNetwork network, ITokenizer tokenizer, int[] ids, CorpusSource source,
        TrainingSettings settings, int unknown, int added, (TrainingCheckpoint Checkpoint, string Path)? resume)
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

        if (settings.FrozenLayers > network.Architecture.Layers)
            throw new TrainingException($"cannot freeze {settings.FrozenLayers} layers of a {network.Architecture.Layers}-layer LSTM");

        var trainer = new LanguageModelTrainer(network, tokenizer, train, validation, settings);
        return trainer.Run(unknown, added, resume);
    }

    private LanguageModel Run(int unknown, int added, (TrainingCheckpoint Checkpoint, string Path)? resume)
    {
        (_unknown, _added) = (unknown, added);
        if (resume is { } r)
        {
            var c = r.Checkpoint;
            var part = c.PartOf(CheckpointKind, r.Path, CheckpointPart.FromLegacy);
            if (part.TrainingTokens != _train.Length || c.DataFingerprint != DataFingerprint)
                throw new TrainingException($"the corpus differs from the one checkpoint {r.Path} was trained on ({part.TrainingTokens} training tokens there, {_train.Length} here)");
            if (c.BatchSize != Settings.Batch || part.SequenceLength != Settings.Window)
                throw new TrainingException($"checkpoint {r.Path} was trained with batch size {c.BatchSize} and sequence length {part.SequenceLength}; resume with the same");
            Restore(c, r.Path);
            _batches.HasState = part.HasState;
            if (part.HasState)
            {
                var state = _batches.State;
                foreach (var (name, tensor) in new[] { (TrainingCheckpoint.HiddenStateName, state.Hidden), (TrainingCheckpoint.CellStateName, state.Cell) })
                {
                    if (!c.Tensors.TryGetValue(name, out var saved) || !saved.Shape.Equals(tensor.Shape))
                        throw new ModelFileFormatException(r.Path, $"the checkpoint's tensor '{name}' is missing or not of shape {tensor.Shape}");
                    saved.CopyTo(tensor);
                }
            }
        }
        RunLoop(resumed: resume is not null);
        if (Settings.ModelPath is { } path) WriteModel(path);
        return new LanguageModel(_network, _tokenizer, Record());
    }

    protected override bool Validates => _validation is not null;

    protected override bool HigherIsBetter => false;

    protected override double ChanceLoss => Math.Log(_network.Architecture.VocabularySize);

    protected override (double Loss, double? Score, string? Metric) Validate() =>
        (Evaluator.Evaluate(_network, _validation!, Math.Max(Settings.Window, 64)).Loss, null, null);

    protected override TrainingCheckpoint DescribeCheckpoint(TrainingCheckpoint shared) =>
        shared.WithPart(CheckpointKind, new CheckpointPart(_train.Length, Settings.Window, _batches.HasState));

    protected override TrainingRecord DescribeRecord(TrainingRecord shared) => shared with
    {
        TrainingTokens = _train.Length, ValidationTokens = _validation?.Length ?? 0, BestValidationLoss = Best, Settings = Settings.Describe(),
        UnknownTokens = _unknown, AddedTokens = _added,
    };

    protected override void WriteModel(string path) => new LanguageModel(_network, _tokenizer, Record()).Save(path);

    protected override void WriteCheckpoint(string path, Dictionary<string, Tensor> tensors, string checkpointJson, TrainingRecord record)
    {
        tensors[TrainingCheckpoint.HiddenStateName] = _batches.State.Hidden;
        tensors[TrainingCheckpoint.CellStateName] = _batches.State.Cell;
        new LanguageModel(_network, _tokenizer, record)
            .ToModelFile(tensors, new Dictionary<string, string> { [TrainingCheckpoint.MetadataKey] = checkpointJson }).Write(path);
    }
}
