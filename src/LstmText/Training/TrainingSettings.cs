using LstmText.IO;
using LstmText.Optimizers;

namespace LstmText.Training;

/// <summary>
/// How to train or fine-tune a language model, set fluently:
/// <c>t =&gt; t.Epochs(20).BatchSize(64).SequenceLength(128).LearningRate(2e-3f)</c>.
/// </summary>
public sealed class TrainingSettings
{
    internal int? EpochCount { get; private set; }
    internal int? MaxStepCount { get; private set; }
    internal TimeSpan? Budget { get; private set; }
    internal int Batch { get; private set; } = 32;
    internal int Window { get; private set; } = 64;
    internal OptimizerKind Optimizer { get; private set; } = OptimizerKind.Adam;
    internal float Rate { get; private set; } = 2e-3f;
    internal float WeightDecayRate { get; private set; }
    internal float MomentumFactor { get; private set; }
    internal float? ClipNorm { get; private set; } = 5f;
    internal Func<float, int, LearningRateSchedule>? ScheduleFactory { get; private set; }
    internal int WarmupSteps { get; private set; }
    internal double ValidationShare { get; private set; } = 0.1;
    internal CorpusSource? Validation { get; private set; }
    internal int? ValidationInterval { get; private set; }
    internal int? Patience { get; private set; }
    internal ulong RandomSeed { get; private set; } = 1;
    internal string? ModelPath { get; private set; }
    internal string? ResumePath { get; private set; }
    internal IProgress<TrainingProgress>? ProgressSink { get; private set; }
    internal CancellationToken Cancellation { get; private set; }
    internal bool GrowVocabulary { get; private set; }
    internal bool FrozenEmbedding { get; private set; }
    internal int FrozenLayers { get; private set; }

    /// <summary>Settings with the fine-tuning defaults: a learning rate of 5e-4 instead of 2e-3.</summary>
    internal static TrainingSettings ForFineTuning() => new() { Rate = 5e-4f };

    /// <summary>Train for this many passes over the training text (default 10 unless <see cref="MaxSteps"/> or <see cref="TimeBudget"/> is set).</summary>
    public TrainingSettings Epochs(int epochs) { ArgumentOutOfRangeException.ThrowIfNegativeOrZero(epochs); EpochCount = epochs; return this; }

    /// <summary>Stop after this many optimizer steps in all (a resumed run counts the steps before it).</summary>
    public TrainingSettings MaxSteps(int steps) { ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps); MaxStepCount = steps; return this; }

    /// <summary>Stop once this much training time has passed (checked after each step).</summary>
    public TrainingSettings TimeBudget(TimeSpan budget) { ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(budget, TimeSpan.Zero); Budget = budget; return this; }

    /// <summary>Parallel streams per step (B); the training text is cut into B contiguous streams (default 32).</summary>
    public TrainingSettings BatchSize(int streams) { ArgumentOutOfRangeException.ThrowIfNegativeOrZero(streams); Batch = streams; return this; }

    /// <summary>Tokens per stream per step: the truncated-BPTT window (default 64).</summary>
    public TrainingSettings SequenceLength(int tokens) { ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tokens); Window = tokens; return this; }

    /// <summary>The peak learning rate (default 2e-3; 5e-4 when fine-tuning).</summary>
    public TrainingSettings LearningRate(float rate) { Rate = rate; return this; }

    /// <summary>Use Adam (the default), with optional L2 weight decay.</summary>
    public TrainingSettings Adam(float weightDecay = 0f) { Optimizer = OptimizerKind.Adam; WeightDecayRate = weightDecay; return this; }

    /// <summary>Use AdamW with decoupled weight decay.</summary>
    public TrainingSettings AdamW(float weightDecay = 0.01f) { Optimizer = OptimizerKind.AdamW; WeightDecayRate = weightDecay; return this; }

    /// <summary>Use SGD with optional momentum.</summary>
    public TrainingSettings Sgd(float momentum = 0f, float weightDecay = 0f) { Optimizer = OptimizerKind.Sgd; MomentumFactor = momentum; WeightDecayRate = weightDecay; return this; }

    /// <summary>Clip the global gradient norm to this value (default 5).</summary>
    public TrainingSettings ClipGradients(float maxNorm) { ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxNorm); ClipNorm = maxNorm; return this; }

    /// <summary>Do not clip gradients.</summary>
    public TrainingSettings NoGradientClipping() { ClipNorm = null; return this; }

    /// <summary>Anneal the learning rate along a cosine to <paramref name="minimum"/> over the run's steps.</summary>
    public TrainingSettings CosineSchedule(float minimum = 0f) { ScheduleFactory = (rate, total) => LearningRateSchedule.Cosine(rate, total, minimum); return this; }

    /// <summary>Multiply the learning rate by <paramref name="gamma"/> every <paramref name="stepSize"/> steps.</summary>
    public TrainingSettings StepSchedule(int stepSize, float gamma) { ScheduleFactory = (rate, _) => LearningRateSchedule.Step(rate, stepSize, gamma); return this; }

    /// <summary>Raise the learning rate linearly over the first <paramref name="steps"/> steps.</summary>
    public TrainingSettings Warmup(int steps) { ArgumentOutOfRangeException.ThrowIfNegative(steps); WarmupSteps = steps; return this; }

    /// <summary>Hold out the last <paramref name="fraction"/> of the text for validation (default 0.1).</summary>
    public TrainingSettings ValidationFraction(double fraction)
    {
        if (!(fraction is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(fraction), $"Validation fraction {fraction} is not in [0, 1).");
        ValidationShare = fraction; Validation = null; return this;
    }

    /// <summary>Validate on this text instead of a share of the training text.</summary>
    public TrainingSettings ValidationText(string text) { Validation = CorpusSource.FromText(text); ValidationShare = 0; return this; }

    /// <summary>Validate on these files instead of a share of the training text.</summary>
    public TrainingSettings ValidationCorpus(TextCorpus corpus) { Validation = CorpusSource.FromCorpus(corpus); ValidationShare = 0; return this; }

    /// <summary>Do not validate.</summary>
    public TrainingSettings NoValidation() { Validation = null; ValidationShare = 0; return this; }

    /// <summary>Validate (and write checkpoints) every <paramref name="steps"/> steps, and at the end (default: at each epoch's end).</summary>
    public TrainingSettings ValidateEvery(int steps) { ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps); ValidationInterval = steps; return this; }

    /// <summary>Stop after <paramref name="validations"/> validations in a row without a new best loss.</summary>
    public TrainingSettings EarlyStopping(int validations) { ArgumentOutOfRangeException.ThrowIfNegativeOrZero(validations); Patience = validations; return this; }

    /// <summary>The seed of initialisation, dropout and everything else random (default 1).</summary>
    public TrainingSettings Seed(ulong seed) { RandomSeed = seed; return this; }

    /// <summary>
    /// Write the model to <paramref name="modelPath"/> at the end, and beside it the checkpoints
    /// (<c>NAME.last.ckpt.safetensors</c>, <c>NAME.best.ckpt.safetensors</c>), the validation log (<c>NAME.log.jsonl</c>)
    /// and the loss curve (<c>NAME.loss.svg</c>).
    /// </summary>
    public TrainingSettings SaveTo(string modelPath) { ArgumentException.ThrowIfNullOrEmpty(modelPath); ModelPath = modelPath; return this; }

    /// <summary>Continue exactly where a checkpoint stopped (same corpus and settings).</summary>
    public TrainingSettings ResumeFrom(string checkpointPath) { ArgumentException.ThrowIfNullOrEmpty(checkpointPath); ResumePath = checkpointPath; return this; }

    /// <summary>Receive a report after every step.</summary>
    public TrainingSettings ReportProgress(IProgress<TrainingProgress> progress) { ProgressSink = progress; return this; }

    /// <summary>Stop when cancelled: a checkpoint is written, then <see cref="OperationCanceledException"/> is thrown.</summary>
    public TrainingSettings CancelWith(CancellationToken token) { Cancellation = token; return this; }

    /// <summary>Fine-tuning: add the new corpus's unseen tokens to the tokenizer, embedding and decoder (rows start at the mean of the old ones).</summary>
    public TrainingSettings ExtendVocabulary(bool extend = true) { GrowVocabulary = extend; return this; }

    /// <summary>Fine-tuning: keep the embedding (and a tied decoder) fixed.</summary>
    public TrainingSettings FreezeEmbedding(bool freeze = true) { FrozenEmbedding = freeze; return this; }

    /// <summary>Fine-tuning: keep the lowest <paramref name="layers"/> LSTM layers fixed.</summary>
    public TrainingSettings FreezeLowerLayers(int layers) { ArgumentOutOfRangeException.ThrowIfNegative(layers); FrozenLayers = layers; return this; }

    internal string Describe() =>
        $"{Optimizer} lr={Rate} batch={Batch} seq={Window}" + (ClipNorm is { } c ? $" clip={c}" : "") +
        (WeightDecayRate != 0 ? $" wd={WeightDecayRate}" : "") + (MomentumFactor != 0 ? $" momentum={MomentumFactor}" : "") + $" seed={RandomSeed}";
}
