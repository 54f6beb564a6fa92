using LstmText.Compute;
using LstmText.Layers;
using LstmText.Tensors;
using LstmText.Training;

namespace LstmText.Forecasting;

/// <summary>Describes a forecaster step by step, then trains it: <c>Forecaster.Configure().Lookback(30).Horizon(7).Train(series)</c>.</summary>
public sealed class ForecasterBuilder
{
    private ForecasterSettings _settings = new();
    private readonly ForecasterTrainingSettings _training = new();
    private SeriesReadOptions? _columns;
    private IBackend? _backend;

    /// <summary>The settings so far.</summary>
    public ForecasterSettings Settings => _settings;

    /// <summary>The training settings so far.</summary>
    public ForecasterTrainingSettings TrainingSettings => _training;

    /// <summary>Reads <paramref name="points"/> past points per forecast.</summary>
    public ForecasterBuilder Lookback(int points)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(points);
        _settings = _settings with { Lookback = points };
        return this;
    }

    /// <summary>Forecasts <paramref name="steps"/> points at once.</summary>
    public ForecasterBuilder Horizon(int steps)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        _settings = _settings with { Horizon = steps };
        return this;
    }

    /// <summary>Uses an LSTM of <paramref name="hiddenSize"/> units and <paramref name="layers"/> layers.</summary>
    public ForecasterBuilder Lstm(int hiddenSize, int layers = 1, double dropout = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(layers);
        if (!(dropout >= 0 && dropout < 1)) throw new ArgumentOutOfRangeException(nameof(dropout), "Dropout must lie in [0, 1).");
        _settings = _settings with { HiddenSize = hiddenSize, Layers = layers, Dropout = dropout };
        return this;
    }

    /// <summary>Scales values by <paramref name="kind"/>, fitted on the training part.</summary>
    public ForecasterBuilder Scaling(ScalingKind kind)
    {
        _settings = _settings with { Scaling = kind };
        return this;
    }

    /// <summary>Forecasts differences: the first difference, the seasonal difference, or both.</summary>
    public ForecasterBuilder Difference(bool first = true, bool seasonal = false)
    {
        _settings = _settings with { DifferenceFirst = first, DifferenceSeasonal = seasonal };
        return this;
    }

    /// <summary>Sets the season length (otherwise the usual one for the series' spacing).</summary>
    public ForecasterBuilder Season(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        _settings = _settings with { Season = length };
        return this;
    }

    /// <summary>Chooses the calendar inputs (otherwise chosen from the series' spacing).</summary>
    public ForecasterBuilder Calendar(CalendarFeatures features)
    {
        _settings = _settings with { Calendar = features };
        return this;
    }

    /// <summary>Forecasts these quantiles, trained with the pinball loss, instead of a point trained with MSE.</summary>
    public ForecasterBuilder Quantiles(params double[] quantiles)
    {
        ArgumentNullException.ThrowIfNull(quantiles);
        if (quantiles.Length == 0 || quantiles.Any(q => !(q > 0 && q < 1)) || quantiles.Distinct().Count() != quantiles.Length)
            throw new ArgumentException("Quantiles must be distinct values strictly between 0 and 1.", nameof(quantiles));
        _settings = _settings with { Quantiles = quantiles.Order().ToArray() };
        return this;
    }

    /// <summary>Gives the head the window's values and next calendar directly (on by default); off is Keras' plain LSTM → Dense.</summary>
    public ForecasterBuilder DirectInputs(bool on)
    {
        _settings = _settings with { DirectInputs = on };
        return this;
    }

    /// <summary>Records which file columns the model reads, so evaluation and prediction read the same ones.</summary>
    public ForecasterBuilder Columns(SeriesReadOptions columns)
    {
        _columns = columns ?? throw new ArgumentNullException(nameof(columns));
        return this;
    }

    /// <summary>The backend the forecaster trains and forecasts on (default <see cref="CpuBackend.Default"/>), as for the text models.</summary>
    public ForecasterBuilder Backend(IBackend backend) { ArgumentNullException.ThrowIfNull(backend); _backend = backend; return this; }

    /// <summary>Changes the training settings: <c>.Training(t =&gt; t.Epochs(40).LearningRate(3e-3f).SaveTo("m.safetensors"))</c>.</summary>
    public ForecasterBuilder Training(Action<ForecasterTrainingSettings> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        configure(_training);
        return this;
    }

    /// <summary>
    /// Trains on the series (one model across all of them) with the shared trainer: the last
    /// <see cref="ForecasterTrainingSettings.TestFraction"/> of each is held out, the last
    /// <see cref="ForecasterTrainingSettings.ValidationFraction"/> of the rest validates, the scalers are fitted on the
    /// training part only, and windows are shuffled within the training part only. With
    /// <see cref="TrainingSettingsBase{TSelf}.SaveTo"/> the checkpoints, the JSONL log and the learning curve go beside
    /// the model; <see cref="TrainingSettingsBase{TSelf}.ResumeFrom"/> continues a run exactly.
    /// </summary>
    /// <param name="series">The series.</param>
    /// <param name="configure">Changes to the builder's training settings (as <see cref="Training"/> makes), or null.</param>
    /// <exception cref="SeriesFormatException">A series is too short for the window, or the series differ in spacing or columns.</exception>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite, or exploded.</exception>
    /// <exception cref="TrainingException">A checkpoint to resume from was trained with other options or on other data.</exception>
    /// <exception cref="OperationCanceledException">The settings' token was cancelled (the last checkpoint and the model were written first).</exception>
    public Forecaster Train(IReadOnlyList<TimeSeries> series, Action<ForecasterTrainingSettings>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (series.Count == 0) throw new SeriesFormatException("there is no series to train on");
        var t = _training;
        configure?.Invoke(t);
        var step = series[0].Step;
        int featureCount = series[0].Features.Count;
        foreach (var s in series)
        {
            if (s.Step != step) throw new SeriesFormatException($"series '{s.Id}' steps by {s.Step}, series '{series[0].Id}' by {step}; one model needs one spacing");
            if (s.Features.Count != featureCount) throw new SeriesFormatException("every series needs the same extra input columns");
        }
        int season = _settings.Season ?? step.UsualSeason(series.Max(s => s.Length));
        var calendar = _settings.Calendar ?? Forecasting.Calendar.For(step);
        var differencing = Differencing.Of(_settings.DifferenceFirst, _settings.DifferenceSeasonal ? season : 0);
        int lookback = _settings.Lookback, horizon = _settings.Horizon, order = differencing.Order;

        // Chronological split per series: [0, trainEnd) trains, [trainEnd, validationEnd) validates, the rest is the test part.
        var parts = new List<(TimeSeries Series, int TrainEnd, int ValidationEnd)>();
        foreach (var s in series)
        {
            int needed = order + lookback + horizon;
            if (s.Length < needed) throw new SeriesFormatException(Forecaster.ShortMessage(s, needed, $"lookback {lookback} + horizon {horizon}" + (order > 0 ? $" + differencing {order}" : "")));
            int validationEnd = s.Length - (int)Math.Round(s.Length * t.TestShare);
            int trainEnd = validationEnd - (int)Math.Round(validationEnd * t.ValidationShare);
            if (trainEnd < needed)
                throw new SeriesFormatException(Forecaster.ShortMessage(s, (int)Math.Ceiling(needed / ((1 - t.TestShare) * (1 - t.ValidationShare))),
                    $"training after the held-out test and validation parts (lookback {lookback} + horizon {horizon})"));
            parts.Add((s, trainEnd, validationEnd));
        }
        var targetScaler = FittedScaler.Fit(_settings.Scaling,
            parts.SelectMany(p => Enumerable.Range(order, p.TrainEnd - order).Select(i => differencing.At(p.Series.Target, i))));
        var featureScalers = Enumerable.Range(0, featureCount)
            .Select(f => FittedScaler.Fit(_settings.Scaling, parts.SelectMany(p => p.Series.Features[f].Take(p.TrainEnd)))).ToArray();
        int calendarCount = Forecasting.Calendar.Count(calendar);
        var random = new RandomSource(t.RandomSeed);
        int outputs = horizon * Math.Max(1, _settings.Quantiles?.Count ?? 0);
        var network = new ForecastNetwork(1 + featureCount + calendarCount, _settings.HiddenSize, _settings.Layers,
            _settings.DirectInputs ? lookback + calendarCount : 0, outputs, random, (float)_settings.Dropout, _backend);
        var model = new Forecaster(_settings with { Season = season, Calendar = calendar }, _columns, season, calendar, step,
            targetScaler, featureScalers, network, t.TestShare, null);

        var training = new ForecastWindows(model, t.Batch, t.RandomSeed);
        var validation = new ForecastWindows(model);
        foreach (var (s, trainEnd, validationEnd) in parts)
        {
            var prepared = model.Prepare(s);
            for (int origin = order + lookback - 1; origin + horizon < validationEnd; origin++)
                (origin + horizon < trainEnd ? training : validation).Add(prepared, origin);
        }
        if (training.Count == 0) throw new SeriesFormatException("no training window fits before the validation and test parts");
        return ForecasterTrainer.Train(model, training, validation, t);
    }
}
