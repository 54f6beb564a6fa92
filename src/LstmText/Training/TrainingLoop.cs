using System.Diagnostics;
using System.Globalization;
using LstmText.Layers;
using LstmText.Optimizers;
using LstmText.Tensors;

namespace LstmText.Training;

/// <summary>
/// The trainer of every model kind: the step (<see cref="TrainingStep{TBatch}"/>: forward, loss, backward, clipping,
/// the optimizer), freezing (<see cref="Freezing"/>), stop rules (steps, epochs, time budget, early stopping),
/// cancellation with a last checkpoint, the learning-rate schedule, validation on schedule with the best and last
/// checkpoints (the shared core: weights, optimizer state, random state, position; plus the kind's part), the JSONL
/// log and learning curve, exact resume, the training record and progress reports. A kind brings its network, its
/// batch source and its loss, and says how to validate and what its checkpoint part and record hold besides.
/// </summary>
/// <typeparam name="TSettings">The kind's settings.</typeparam>
/// <typeparam name="TBatch">The kind's batch (see <see cref="INetwork{TBatch}"/>).</typeparam>
internal abstract class TrainingLoop<TSettings, TBatch> where TSettings : TrainingSettingsBase<TSettings>
{
    /// <summary>A step's loss above this many times the reference loss (see <see cref="ExplodingLossLimit"/>) counts as exploding.</summary>
    internal const double ExplosionFactor = 10;

    /// <summary>This many exploding steps in a row stop the run as diverged.</summary>
    internal const int ExplosionSteps = 5;

    private readonly IReadOnlyList<string> _parameterNames;
    private string? _lastCheckpoint;
    private Stopwatch _clock = new();
    private double _priorSeconds;
    private double? _startingLoss;
    private int _explodingSteps;
    private TrainingStep<TBatch>? _step;

    /// <summary>A trainer of <paramref name="network"/>: its optimizer updates the network's optimized parameters.</summary>
    protected TrainingLoop(TSettings settings, INetwork<TBatch> network)
    {
        Settings = settings;
        Network = network;
        Optimizer = settings.CreateOptimizer(network.OptimizedParameters.Select(p => p.Parameter), network.Backend);
        _parameterNames = network.OptimizedParameters.Select(p => p.Name).ToArray();
        Log = new TrainingLog(settings.ModelPath);
        Random = new RandomSource(settings.RandomSeed ^ 0x9E3779B97F4A7C15UL);
    }

    protected TSettings Settings { get; }
    protected INetwork<TBatch> Network { get; }
    protected Optimizer Optimizer { get; }
    protected TrainingLog Log { get; }

    /// <summary>The parameters frozen, and until which epoch; a kind adds its rules before the run.</summary>
    protected ParameterFreezing Freezing { get; } = new();

    /// <summary>The kind's training batches.</summary>
    protected abstract IBatchSource<TBatch> Batches { get; }

    /// <summary>The kind's loss.</summary>
    protected abstract IBatchLoss<TBatch> Loss { get; }

    /// <summary>The fingerprint of the training data, kept in the checkpoint's core to refuse resuming on other data.</summary>
    protected abstract ulong DataFingerprint { get; }

    /// <summary>The random source of dropout (and anything else random within a step); saved in checkpoints.</summary>
    protected RandomSource Random { get; private set; }

    /// <summary>Optimizer steps done (a resumed run counts those before the checkpoint).</summary>
    protected int Step { get; private set; }

    /// <summary>Epochs finished.</summary>
    protected int Epoch { get; private set; }

    /// <summary>Where in the epoch the next step starts, in the trainer's own unit (tokens, batches).</summary>
    protected int Position { get; private set; }

    /// <summary>The best validation value so far (lower loss, or higher score when <see cref="HigherIsBetter"/>).</summary>
    protected double? Best { get; private set; }

    protected int ValidationsWithoutImprovement { get; private set; }

    /// <summary>The mean training loss between the last two validation points.</summary>
    protected double? LastTrainingLoss { get; private set; }

    /// <summary>The loss of the last step.</summary>
    private double LastStepLoss { get; set; }

    /// <summary>The last validation, or null before the first.</summary>
    protected ValidationEntry? LastValidation { get; private set; }

    /// <summary>Why the run stopped (null while it runs).</summary>
    protected string? StoppedBecause { get; private set; }

    /// <summary>Training time, resumed runs included.</summary>
    protected double Seconds => _priorSeconds + _clock.Elapsed.TotalSeconds;

    /// <summary>
    /// The epoch the last step belongs to, counted from 1 (0 before the first step): the step that ends the first epoch
    /// is in epoch 1. The log, the progress reports and the training record all use this count.
    /// </summary>
    protected int CurrentEpoch => Position > 0 ? Epoch + 1 : Epoch;

    /// <summary>
    /// The loss of a model that gives every outcome the same probability: ln(vocabulary size) for a language model,
    /// ln(classes) for a classifier. A step's loss far above both it and the run's first loss means training diverged.
    /// </summary>
    protected abstract double ChanceLoss { get; }

    /// <summary>
    /// The loss above which a step counts as exploding: <see cref="ExplosionFactor"/> × the larger of the run's first
    /// step loss and <see cref="ChanceLoss"/>.
    /// </summary>
    private double ExplodingLossLimit => ExplosionFactor * Math.Max(_startingLoss ?? 0, ChanceLoss);

    /// <summary>Optimizer steps in one epoch, for the run's total and the schedule.</summary>
    private int StepsPerEpoch => Batches.StepsPerEpoch;

    /// <summary>The positions of one epoch: when <see cref="Position"/> reaches it, the epoch ends.</summary>
    private int EpochLength => Batches.EpochLength;

    /// <summary>Whether there is validation data.</summary>
    protected abstract bool Validates { get; }

    /// <summary>False when a validation loss is followed (lower is better), true for a score.</summary>
    protected abstract bool HigherIsBetter { get; }

    /// <summary>
    /// Takes one optimizer step on the batch at <see cref="Epoch"/> and <see cref="Position"/> (freezing applied for the
    /// epoch; the loss checked with <see cref="EnsureFinite"/>) and returns the loss, the positions it consumed and the
    /// tokens it read.
    /// </summary>
    private (float Loss, int Positions, long Tokens) TrainStep()
    {
        _step ??= new TrainingStep<TBatch>(Network, Loss, Optimizer, Settings.ClipNorm);
        if (Freezing.Apply(Epoch)) _step.RefreshTrainable();
        var (batch, positions, tokens) = Batches.Next(Epoch, Position);
        float value = _step.Run(batch, Random);
        EnsureFinite(value);
        Batches.AfterStep();
        return (value, positions, tokens);
    }

    /// <summary>Scores the validation data: the loss, and a higher-is-better score with its metric name when there is one.</summary>
    protected abstract (double Loss, double? Score, string? Metric) Validate();

    /// <summary>The mean absolute error of the last <see cref="Validate"/> in the data's units (a regressor's), logged beside the loss; null by default.</summary>
    protected virtual double? LastValidationMae => null;

    /// <summary>The kind's own part added to the shared core (<see cref="TrainingCheckpoint.WithPart{TPart}"/>).</summary>
    protected abstract TrainingCheckpoint DescribeCheckpoint(TrainingCheckpoint shared);

    /// <summary>The trainer's own record fields added to the shared ones.</summary>
    protected abstract TrainingRecord DescribeRecord(TrainingRecord shared);

    /// <summary>Writes the model as it stands, with its training record, to <paramref name="path"/> (as at the end of a run).</summary>
    protected abstract void WriteModel(string path);

    /// <summary>Writes the model with the checkpoint's <paramref name="tensors"/> and metadata to <paramref name="path"/>.</summary>
    protected abstract void WriteCheckpoint(string path, Dictionary<string, Tensor> tensors, string checkpointJson, TrainingRecord record);

    /// <summary>The training record as it stands.</summary>
    protected TrainingRecord Record() => DescribeRecord(new TrainingRecord
    {
        Steps = Step, Epochs = CurrentEpoch, TrainingLoss = LastTrainingLoss, ValidationLoss = LastValidation?.ValidationLoss,
        StoppedBecause = StoppedBecause, Seconds = Math.Round(Seconds, 3),
    });

    /// <summary>Throws <see cref="TrainingDivergedException"/> for a NaN or infinite loss, naming the last good checkpoint.</summary>
    protected void EnsureFinite(float loss)
    {
        if (float.IsFinite(loss)) return;
        throw Diverged(Step + 1, $"the loss became {Describe(loss)}");
    }

    /// <summary>
    /// Follows the losses of successive steps: after <see cref="ExplosionSteps"/> steps in a row above
    /// <see cref="ExplodingLossLimit"/> the run has diverged.
    /// </summary>
    private void FollowLoss(float loss)
    {
        _startingLoss ??= loss;
        if (loss <= ExplodingLossLimit)
        {
            _explodingSteps = 0;
            return;
        }
        if (++_explodingSteps >= ExplosionSteps) throw Exploded(loss);
    }

    private TrainingDivergedException Exploded(double loss) => Diverged(Step, string.Create(CultureInfo.InvariantCulture,
        $"the loss was {loss:G3} after {_explodingSteps} step(s) in a row above {ExplosionFactor} × the larger of the first loss " +
        $"({_startingLoss:G3}) and the loss of a uniform guess ({ChanceLoss:G3})"));

    private TrainingDivergedException Diverged(int step, string what) => new(
        $"training diverged at step {step}: {what}" +
        (_lastCheckpoint is null ? "; no checkpoint had been saved" : $"; the last good checkpoint is {_lastCheckpoint}") +
        ". Try a lower learning rate or gradient clipping.", step, _lastCheckpoint);

    private static string Describe(double value) => double.IsNaN(value) ? "NaN" : value > 0 ? "+infinity" : "-infinity";

    /// <summary>Takes back the shared state of a checkpoint (after the trainer checked that the data fits it).</summary>
    /// <exception cref="TrainingException">The checkpoint was trained with another batch size or optimizer.</exception>
    protected void Restore(TrainingCheckpoint checkpoint, string path)
    {
        if (checkpoint.BatchSize != Settings.Batch)
            throw new TrainingException($"checkpoint {path} was trained with batch size {checkpoint.BatchSize}; resume with the same");
        if (checkpoint.Optimizer != Settings.Optimizer.ToString())
            throw new TrainingException($"checkpoint {path} was trained with {checkpoint.Optimizer}; resume with the same optimizer");
        (Step, Epoch, Position, ValidationsWithoutImprovement, _priorSeconds, LastTrainingLoss) =
            (checkpoint.Step, checkpoint.Epoch, checkpoint.Position, checkpoint.ValidationsWithoutImprovement, checkpoint.Seconds, checkpoint.LastTrainingLoss);
        Best = HigherIsBetter ? checkpoint.BestValidationScore : checkpoint.BestValidationLoss;
        Random = RandomSource.FromState(checkpoint.Random);
        OptimizerState.Restore(Optimizer, _parameterNames, checkpoint, path);
        Log.Restore(Step);
    }

    /// <summary>Runs until a stop rule says so, then validates (unless it just did) and writes the last checkpoint.</summary>
    /// <exception cref="OperationCanceledException">The settings' token was cancelled (the last checkpoint was written first).</exception>
    protected void RunLoop(bool resumed)
    {
        try
        {
            RunSteps(resumed);
        }
        finally
        {
            Freezing.Release();
        }
    }

    private void RunSteps(bool resumed)
    {
        int? totalSteps = Settings.TotalSteps(StepsPerEpoch);
        var schedule = Settings.Schedule(totalSteps, StepsPerEpoch);
        _clock = Stopwatch.StartNew();
        long tokens = 0;
        double lossSinceValidation = 0;
        int stepsSinceValidation = 0;
        int lastValidatedStep = resumed ? Step : -1;
        var cancellation = Settings.Cancellation;

        while (true)
        {
            if (Settings.StopReason(Step, totalSteps, Seconds, ValidationsWithoutImprovement) is { } reason) { StoppedBecause = reason; break; }
            if (cancellation.IsCancellationRequested)
            {
                StoppedBecause = "cancelled";
                string? saved = SaveCheckpoint(best: false) ?? _lastCheckpoint;
                // The model goes where a finished run would put it, with the weights of the checkpoint just written.
                bool wroteModel = Settings.ModelPath is not null && _explodingSteps == 0;
                if (wroteModel) WriteModel(Settings.ModelPath!);
                throw new OperationCanceledException(
                    $"training cancelled at step {Step}" + (saved is null ? "" : $"; checkpoint saved to {saved}") +
                    (wroteModel ? $"; the model as it stands written to {Settings.ModelPath}" : ""), cancellation);
            }

            float rate = schedule.At(Step);
            Optimizer.LearningRate = rate;
            var (value, positions, stepTokens) = TrainStep();
            Step++;
            LastStepLoss = value;
            FollowLoss(value);
            Position += positions;
            tokens += stepTokens;
            lossSinceValidation += value;
            stepsSinceValidation++;
            double averageLoss = lossSinceValidation / stepsSinceValidation;
            bool epochEnd = Position >= EpochLength;
            if (epochEnd)
            {
                Epoch++;
                Position = 0;
                Batches.EndEpoch();
            }

            ValidationEntry? validated = null;
            bool due = Settings.ValidationInterval is { } every ? Step % every == 0 : epochEnd;
            bool last = totalSteps is { } total && Step >= total;
            if (due || last)
            {
                LastTrainingLoss = lossSinceValidation / stepsSinceValidation;
                (lossSinceValidation, stepsSinceValidation) = (0, 0);
                if (Validates)
                {
                    validated = ValidateAndLog(rate);
                    lastValidatedStep = Step;
                }
                SaveCheckpoint(best: false);
            }
            Settings.ProgressSink?.Report(new TrainingProgress(Step, totalSteps, CurrentEpoch, value, rate,
                tokens / Math.Max(1e-9, _clock.Elapsed.TotalSeconds), TimeSpan.FromSeconds(Seconds), validated?.ValidationLoss, validated?.ValidationScore,
                averageLoss));
        }

        // A run must not end on exploding steps and write their weights as its model.
        if (_explodingSteps > 0) throw Exploded(LastStepLoss);
        if (stepsSinceValidation > 0) LastTrainingLoss = lossSinceValidation / stepsSinceValidation;
        if (Validates && lastValidatedStep != Step) ValidateAndLog(Optimizer.LearningRate);
        SaveCheckpoint(best: false);
    }

    /// <summary>Validates, logs, follows the best value and writes the best checkpoint when it improved.</summary>
    private ValidationEntry ValidateAndLog(double rate)
    {
        var (loss, score, metric) = Validate();
        if (!double.IsFinite(loss)) throw Diverged(Step, $"the validation loss became {Describe(loss)}");
        double value = HigherIsBetter ? score ?? throw new InvalidOperationException("A trainer that follows a score must return one.") : loss;
        bool improved = _explodingSteps == 0 && (Best is null || (HigherIsBetter ? value > Best.Value : value < Best.Value));
        if (improved) { Best = value; ValidationsWithoutImprovement = 0; } else ValidationsWithoutImprovement++;
        LastValidation = new ValidationEntry(Step, CurrentEpoch, LastTrainingLoss, loss, rate, Math.Round(Seconds, 3), score, metric)
        {
            ValidationMae = LastValidationMae,
        };
        Log.Add(LastValidation);
        if (improved) SaveCheckpoint(best: true);
        return LastValidation;
    }

    /// <summary>
    /// Writes the last (or best) checkpoint, unless the last step's loss was exploding: then the checkpoint on disk stays
    /// the last good one, and null is returned.
    /// </summary>
    private string? SaveCheckpoint(bool best)
    {
        if (Settings.ModelPath is not { } modelPath || _explodingSteps > 0) return null;
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var (steps, started) = OptimizerState.Capture(Optimizer, _parameterNames, tensors);
        var checkpoint = DescribeCheckpoint(new TrainingCheckpoint
        {
            Step = Step, Epoch = Epoch, Position = Position, Random = Random.State, Optimizer = Settings.Optimizer.ToString(),
            OptimizerSteps = steps, OptimizerStarted = started, ValidationsWithoutImprovement = ValidationsWithoutImprovement,
            BestValidationLoss = HigherIsBetter ? null : Best, BestValidationScore = HigherIsBetter ? Best : null,
            Seconds = Seconds, BatchSize = Settings.Batch, LastTrainingLoss = LastTrainingLoss, TokenizerRecipe = Settings.TokenizerRecipe,
            DataFingerprint = DataFingerprint,
        });
        string path = TrainingLog.PathBeside(modelPath, best ? ".best.ckpt.safetensors" : ".last.ckpt.safetensors");
        WriteCheckpoint(path, tensors, checkpoint.ToJson(), Record());
        if (!best) _lastCheckpoint = path;
        return path;
    }
}
