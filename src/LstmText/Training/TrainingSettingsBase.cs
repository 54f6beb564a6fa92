using LstmText.Compute;
using LstmText.Layers;
using LstmText.Optimizers;

namespace LstmText.Training;

/// <summary>
/// The settings every trainer shares — length of the run, batch size, optimizer, clipping, schedule, validation
/// cadence, early stopping, seed, checkpoints, progress and cancellation — set fluently. Language models use
/// <see cref="TrainingSettings"/>, classifiers <see cref="ClassifierTrainingSettings"/>.
/// </summary>
/// <typeparam name="TSelf">The concrete settings type, so that every fluent call returns it.</typeparam>
public abstract class TrainingSettingsBase<TSelf> where TSelf : TrainingSettingsBase<TSelf>
{
    private protected TrainingSettingsBase()
    {
    }

    internal int? EpochCount { get; private set; }
    internal int? MaxStepCount { get; private set; }
    internal TimeSpan? Budget { get; private set; }
    internal int Batch { get; private set; } = 32;
    internal OptimizerKind Optimizer { get; private set; } = OptimizerKind.Adam;
    internal float Rate { get; private protected set; } = 2e-3f;
    internal float WeightDecayRate { get; private set; }
    internal float MomentumFactor { get; private set; }
    internal float? ClipNorm { get; private set; } = 5f;
    internal Func<float, int, LearningRateSchedule>? ScheduleFactory { get; private set; }
    internal int WarmupSteps { get; private set; }
    internal int? ValidationInterval { get; private set; }
    internal int? Patience { get; private set; }
    internal ulong RandomSeed { get; private set; } = 1;
    internal string? ModelPath { get; private set; }
    internal string? ResumePath { get; private set; }
    internal IProgress<TrainingProgress>? ProgressSink { get; private set; }
    internal CancellationToken Cancellation { get; private set; }

    /// <summary>How a builder makes the tokenizer (see <see cref="Training.TokenizerRecipe"/>); kept in checkpoints so a resumed run can tell a changed one. Null when a model supplies it.</summary>
    internal string? TokenizerRecipe { get; set; }

    private TSelf This => (TSelf)this;

    /// <summary>Train for this many passes over the training data (default 10 unless <see cref="MaxSteps"/> or <see cref="TimeBudget"/> is set).</summary>
    public TSelf Epochs(int epochs) { ArgumentOutOfRangeException.ThrowIfNegativeOrZero(epochs); EpochCount = epochs; return This; }

    /// <summary>Stop after this many optimizer steps in all (a resumed run counts the steps before it).</summary>
    public TSelf MaxSteps(int steps) { ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps); MaxStepCount = steps; return This; }

    /// <summary>Stop once this much training time has passed (checked after each step).</summary>
    public TSelf TimeBudget(TimeSpan budget) { ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(budget, TimeSpan.Zero); Budget = budget; return This; }

    /// <summary>Examples (classifiers) or parallel streams (language models) per step (default 32).</summary>
    public TSelf BatchSize(int size) { ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size); Batch = size; return This; }

    /// <summary>The peak learning rate (default 2e-3; 5e-4 when fine-tuning a language model).</summary>
    public TSelf LearningRate(float rate) { Rate = rate; return This; }

    /// <summary>Use Adam (the default), with optional L2 weight decay.</summary>
    public TSelf Adam(float weightDecay = 0f) { Optimizer = OptimizerKind.Adam; WeightDecayRate = weightDecay; return This; }

    /// <summary>Use AdamW with decoupled weight decay.</summary>
    public TSelf AdamW(float weightDecay = 0.01f) { Optimizer = OptimizerKind.AdamW; WeightDecayRate = weightDecay; return This; }

    /// <summary>Use SGD with optional momentum.</summary>
    public TSelf Sgd(float momentum = 0f, float weightDecay = 0f) { Optimizer = OptimizerKind.Sgd; MomentumFactor = momentum; WeightDecayRate = weightDecay; return This; }

    /// <summary>Clip the global gradient norm to this value (default 5).</summary>
    public TSelf ClipGradients(float maxNorm) { ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxNorm); ClipNorm = maxNorm; return This; }

    /// <summary>Do not clip gradients.</summary>
    public TSelf NoGradientClipping() { ClipNorm = null; return This; }

    /// <summary>Anneal the learning rate along a cosine to <paramref name="minimum"/> over the run's steps.</summary>
    public TSelf CosineSchedule(float minimum = 0f) { ScheduleFactory = (rate, total) => LearningRateSchedule.Cosine(rate, total, minimum); return This; }

    /// <summary>Multiply the learning rate by <paramref name="gamma"/> every <paramref name="stepSize"/> steps.</summary>
    public TSelf StepSchedule(int stepSize, float gamma) { ScheduleFactory = (rate, _) => LearningRateSchedule.Step(rate, stepSize, gamma); return This; }

    /// <summary>Raise the learning rate linearly over the first <paramref name="steps"/> steps.</summary>
    public TSelf Warmup(int steps) { ArgumentOutOfRangeException.ThrowIfNegative(steps); WarmupSteps = steps; return This; }

    /// <summary>Validate (and write checkpoints) every <paramref name="steps"/> steps, and at the end (default: at each epoch's end).</summary>
    public TSelf ValidateEvery(int steps) { ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps); ValidationInterval = steps; return This; }

    /// <summary>Stop after <paramref name="validations"/> validations in a row without a new best.</summary>
    public TSelf EarlyStopping(int validations) { ArgumentOutOfRangeException.ThrowIfNegativeOrZero(validations); Patience = validations; return This; }

    /// <summary>Never stop early (the default of language models and classifiers; forecasters stop after 10).</summary>
    public TSelf NoEarlyStopping() { Patience = null; return This; }

    /// <summary>The seed of initialisation, dropout, batching order and everything else random (default 1).</summary>
    public TSelf Seed(ulong seed) { RandomSeed = seed; return This; }

    /// <summary>
    /// Write the model to <paramref name="modelPath"/> at the end, and beside it the checkpoints
    /// (<c>NAME.last.ckpt.safetensors</c>, <c>NAME.best.ckpt.safetensors</c>), the validation log (<c>NAME.log.jsonl</c>)
    /// and the learning curve (<c>NAME.loss.svg</c>).
    /// </summary>
    public TSelf SaveTo(string modelPath) { ArgumentException.ThrowIfNullOrEmpty(modelPath); ModelPath = modelPath; return This; }

    /// <summary>Continue exactly where a checkpoint stopped (same data and settings).</summary>
    public TSelf ResumeFrom(string checkpointPath) { ArgumentException.ThrowIfNullOrEmpty(checkpointPath); ResumePath = checkpointPath; return This; }

    /// <summary>Receive a report after every step.</summary>
    public TSelf ReportProgress(IProgress<TrainingProgress> progress) { ProgressSink = progress; return This; }

    /// <summary>Stop when cancelled: a checkpoint is written, then <see cref="OperationCanceledException"/> is thrown.</summary>
    public TSelf CancelWith(CancellationToken token) { Cancellation = token; return This; }

    /// <summary>The optimizer these settings ask for, over <paramref name="parameters"/>, stepping on <paramref name="backend"/> (the network's).</summary>
    internal Optimizer CreateOptimizer(IEnumerable<Parameter> parameters, IBackend backend) => Optimizer switch
    {
        OptimizerKind.Sgd => new Sgd(parameters, new SgdSettings(Rate, MomentumFactor, WeightDecay: WeightDecayRate), backend),
        OptimizerKind.AdamW => new Adam(parameters, new AdamSettings(Rate, WeightDecay: WeightDecayRate, DecoupledWeightDecay: true), backend),
        _ => new Adam(parameters, new AdamSettings(Rate, WeightDecay: WeightDecayRate), backend),
    };

    /// <summary>
    /// The step count the run heads for: epochs × steps per epoch and/or max steps; 10 epochs when nothing bounds
    /// the run; null when only a time budget does.
    /// </summary>
    internal int? TotalSteps(int stepsPerEpoch)
    {
        long? epochSteps = EpochCount is { } e ? (long)e * stepsPerEpoch
            : MaxStepCount is null && Budget is null ? 10L * stepsPerEpoch : null;
        long? bound = (epochSteps, MaxStepCount) switch
        {
            ({ } a, { } b) => Math.Min(a, b),
            ({ } a, null) => a,
            (null, { } b) => b,
            _ => null,
        };
        return bound is { } value ? (int)Math.Min(int.MaxValue, value) : null;
    }

    /// <summary>The learning rate of every step: the schedule asked for (constant by default) after any warm-up.</summary>
    internal LearningRateSchedule Schedule(int? totalSteps, int stepsPerEpoch)
    {
        var schedule = ScheduleFactory?.Invoke(Rate, totalSteps ?? 10 * stepsPerEpoch) ?? LearningRateSchedule.Constant(Rate);
        return WarmupSteps > 0 ? schedule.WithLinearWarmup(WarmupSteps) : schedule;
    }

    /// <summary>Why the run stops before <paramref name="step"/>, or null when it goes on: max-steps, epochs, time-budget, early-stopping.</summary>
    internal string? StopReason(int step, int? totalSteps, double seconds, int validationsWithoutImprovement)
    {
        if (totalSteps is { } total && step >= total) return MaxStepCount is { } m && m == total ? "max-steps" : "epochs";
        if (Budget is { } budget && seconds >= budget.TotalSeconds) return "time-budget";
        if (Patience is { } patience && validationsWithoutImprovement >= patience) return "early-stopping";
        return null;
    }

    /// <summary>The shared settings as text, for the training record.</summary>
    internal string DescribeOptimizer() =>
        $"{Optimizer} lr={Rate} batch={Batch}" + (ClipNorm is { } c ? $" clip={c}" : "") +
        (WeightDecayRate != 0 ? $" wd={WeightDecayRate}" : "") + (MomentumFactor != 0 ? $" momentum={MomentumFactor}" : "");
}
