using LstmText.IO;
using LstmText.Layers;
using LstmText.Tensors;
using LstmText.Training;

namespace LstmText.Forecasting;

/// <summary>
/// The regressor kind of the trainer: windows of the scaled series in batches shuffled per epoch
/// (<see cref="ForecastWindows"/>), mean squared error (or the pinball loss for quantile outputs), validation on the
/// windows just before the test part (the loss, followed for the best weights and early stopping, and the mean absolute
/// error in the series' units, logged beside it), the best weights kept. The step and the loop itself — stop rules,
/// schedule, warm-up, clipping, checkpoints with the optimizer and random state, exact resume, cancellation, divergence,
/// the JSONL log, the learning curve and progress — are the shared <see cref="TrainingLoop{TSettings, TBatch}"/> that
/// language models and classifiers use too.
/// </summary>
internal sealed class ForecasterTrainer : TrainingLoop<ForecasterTrainingSettings, ForecastBatch>
{
    /// <summary>The kind's name in a checkpoint (<see cref="TrainingCheckpoint.Kind"/>).</summary>
    public const string CheckpointKind = "forecaster";

    private readonly Forecaster _model;
    private readonly ForecastNetwork _network;
    private readonly ForecastWindows _training;
    private readonly ForecastWindows _validation;
    private readonly RegressionObjective _loss;
    private double? _lastMae;
    private Tensor[]? _bestWeights;
    private int? _bestStep;
    private string? _kept;
    private int? _keptStep;
    private double? _keptLoss;
    private double? _keptMae;

    private ForecasterTrainer(Forecaster model, ForecastWindows training, ForecastWindows validation, ForecasterTrainingSettings settings)
        : base(settings, model.Network)
    {
        _model = model;
        _network = model.Network;
        _training = training;
        _validation = validation;
        _loss = new RegressionObjective(model.Quantiles, model.Network.Backend);
        DataFingerprint = training.Fingerprint();
        ChanceLoss = ConstantForecastLoss(training, model.Quantiles);
    }

    /// <summary>
    /// The kind's part of a checkpoint: the training and validation windows, and the shares of each series held out for
    /// testing and validation.
    /// </summary>
    internal sealed record CheckpointPart(int TrainingWindows, int ValidationWindows, double TestFraction, double ValidationFraction);

    protected override IBatchSource<ForecastBatch> Batches => _training;

    protected override IBatchLoss<ForecastBatch> Loss => _loss;

    protected override ulong DataFingerprint { get; }

    /// <summary>The loss of forecasting every window's targets with one constant (their mean, or each quantile's empirical quantile).</summary>
    protected override double ChanceLoss { get; }

    protected override bool Validates => _validation.Count > 0;

    protected override bool HigherIsBetter => false;

    protected override double? LastValidationMae => _lastMae;

    /// <summary>
    /// Trains <paramref name="model"/> (built and scaled on the training part) on <paramref name="training"/>, validating
    /// on <paramref name="validation"/>; or, with <see cref="TrainingSettingsBase{TSelf}.ResumeFrom"/>, continues from a
    /// checkpoint of the same run, refusing changed options.
    /// </summary>
    public static Forecaster Train(Forecaster model, ForecastWindows training, ForecastWindows validation, ForecasterTrainingSettings settings)
    {
        var trainer = new ForecasterTrainer(model, training, validation, settings);
        return trainer.Run(settings.ResumePath is { } path ? (TrainingCheckpoint.FromSafeTensors(path), path) : null);
    }

    private Forecaster Run((TrainingCheckpoint Checkpoint, string Path)? resume)
    {
        if (resume is { } r) TakeBack(r.Checkpoint, r.Path);
        RunLoop(resumed: resume is not null);
        Keep(resume?.Path);
        if (Settings.ModelPath is { } modelPath) WriteModel(modelPath);
        _model.Training = Record();
        return _model;
    }

    /// <summary>Checks that the checkpoint was trained with the same options and data, then takes back its weights and state.</summary>
    private void TakeBack(TrainingCheckpoint checkpoint, string path)
    {
        var part = checkpoint.PartOf<CheckpointPart>(CheckpointKind, path,
            _ => throw new ModelFileFormatException(path, "the checkpoint holds no forecaster part"));
        var was = Forecaster.Load(path);
        var (a, b) = (was.Settings, _model.Settings);
        new ResumeDifferences()
            .Compare("lookback", a.Lookback, b.Lookback)
            .Compare("horizon", a.Horizon, b.Horizon)
            .Compare("LSTM hidden size", a.HiddenSize, b.HiddenSize)
            .Compare("LSTM layers", a.Layers, b.Layers)
            .Compare("dropout", a.Dropout, b.Dropout)
            .Compare("scaling", a.Scaling, b.Scaling)
            .Compare("first differencing", a.DifferenceFirst, b.DifferenceFirst)
            .Compare("seasonal differencing", a.DifferenceSeasonal, b.DifferenceSeasonal)
            .Compare("season", was.Season, _model.Season)
            .Compare("calendar features", was.CalendarFeatures, _model.CalendarFeatures)
            .Compare("quantiles", string.Join(",", was.Quantiles), string.Join(",", _model.Quantiles))
            .Compare("direct inputs", a.DirectInputs, b.DirectInputs)
            .Compare("extra input columns", was.FeatureCount, _model.FeatureCount)
            .Compare("test fraction", part.TestFraction, Settings.TestShare)
            .Compare("validation fraction", part.ValidationFraction, Settings.ValidationShare)
            .RefuseAny(path);
        if (part.TrainingWindows != _training.Count || part.ValidationWindows != _validation.Count || checkpoint.DataFingerprint != DataFingerprint)
            throw new TrainingException($"the series differ from those checkpoint {path} was trained on ({part.TrainingWindows} training windows there, {_training.Count} here)");
        foreach (var (name, parameter) in _network.NamedParameters) parameter.Load(checkpoint.Tensors[name]);
        Restore(checkpoint, path);
    }

    /// <summary>Puts back the best validation's weights (unless the settings keep the last, or nothing was validated) and scores the kept weights.</summary>
    private void Keep(string? resumedFrom)
    {
        _kept = "last";
        _keptStep = Step;
        if (!Validates) return;
        if (Settings.KeepsBest && Best is not null)
        {
            if (_bestWeights is null && resumedFrom is not null) LoadBestCheckpoint();
            if (_bestWeights is not null)
            {
                var parameters = _network.NamedParameters;
                for (int i = 0; i < parameters.Count; i++) parameters[i].Parameter.Load(_bestWeights[i]);
                _kept = "best";
                _keptStep = _bestStep;
            }
        }
        (_keptLoss, _keptMae) = (_validation.Loss(_network, _loss), ValidationMae());
    }

    /// <summary>A resumed run's best weights so far are those of its best checkpoint file.</summary>
    private void LoadBestCheckpoint()
    {
        if (Settings.ModelPath is not { } modelPath) return;
        string path = TrainingLog.PathBeside(modelPath, ".best.ckpt.safetensors");
        if (!File.Exists(path)) return;
        var checkpoint = TrainingCheckpoint.FromSafeTensors(path);
        _bestWeights = _network.NamedParameters.Select(p => checkpoint.Tensors[p.Name].Clone()).ToArray();
        _bestStep = checkpoint.Step;
    }

    protected override (double Loss, double? Score, string? Metric) Validate()
    {
        double loss = _validation.Loss(_network, _loss);
        _lastMae = ValidationMae();
        // The loop counts a strictly lower loss as an improvement (and writes the best checkpoint then); the same rule
        // keeps a copy of those weights for the model at the end.
        if (Settings.KeepsBest && (Best is null || loss < Best.Value))
        {
            _bestWeights = _network.NamedParameters.Select(p => p.Parameter.Value.Clone()).ToArray();
            _bestStep = Step;
        }
        return (loss, null, null);
    }

    /// <summary>The mean absolute error of the validation windows' point forecasts (every step of the horizon) in the series' units.</summary>
    private double ValidationMae()
    {
        var blocks = _model.ForecastFrom(_validation.Origins);
        double sum = 0;
        int count = 0;
        for (int i = 0; i < blocks.Count; i++)
        {
            var (series, origin) = _validation.Origins[i];
            for (int k = 0; k < blocks[i].Values.Count; k++)
            {
                sum += Math.Abs(blocks[i].Values[k] - series.Series.Target[origin + 1 + k]);
                count++;
            }
        }
        return sum / count;
    }

    private static double ConstantForecastLoss(ForecastWindows windows, IReadOnlyList<double> quantiles)
    {
        var values = windows.Targets.SelectMany(t => t).Select(v => (double)v).ToArray();
        if (values.Length == 0) return 0;
        if (quantiles.Count == 0)
        {
            double mean = values.Average();
            return values.Sum(v => (v - mean) * (v - mean)) / values.Length;
        }
        Array.Sort(values);
        double total = 0;
        foreach (double q in quantiles)
        {
            double c = values[(int)Math.Min(values.Length - 1, Math.Floor(q * values.Length))];
            total += values.Sum(v => PinballLoss.Of(q, v, c)) / values.Length;
        }
        return total / quantiles.Count;
    }

    protected override TrainingCheckpoint DescribeCheckpoint(TrainingCheckpoint shared) =>
        shared.WithPart(CheckpointKind, new CheckpointPart(_training.Count, _validation.Count, Settings.TestShare, Settings.ValidationShare));

    protected override TrainingRecord DescribeRecord(TrainingRecord shared) => shared with
    {
        Settings = Settings.Describe(), TrainingExamples = _training.Count, ValidationExamples = _validation.Count,
        TrainingTokens = _training.Count, ValidationTokens = _validation.Count,
        ValidationLoss = _keptLoss ?? shared.ValidationLoss, ValidationMae = _keptMae ?? _lastMae, BestValidationLoss = Best,
        KeptWeights = _kept, KeptStep = _kept is null ? null : _keptStep,
    };

    protected override void WriteModel(string path)
    {
        _model.Training = Record();
        _model.Save(path);
    }

    protected override void WriteCheckpoint(string path, Dictionary<string, Tensor> tensors, string checkpointJson, TrainingRecord record)
    {
        _model.Training = record;
        _model.Save(path, tensors, new Dictionary<string, string> { [TrainingCheckpoint.MetadataKey] = checkpointJson });
    }
}
