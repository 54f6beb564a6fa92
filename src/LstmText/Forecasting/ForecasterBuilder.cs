using System.Diagnostics;
using LstmText.Compute;
using LstmText.Layers;
using LstmText.Optimizers;
using LstmText.Tensors;
using LstmText.Training;

namespace LstmText.Forecasting;

/// <summary>Describes a forecaster step by step, then trains it: <c>Forecaster.Configure().Lookback(30).Horizon(7).Train(series)</c>.</summary>
public sealed class ForecasterBuilder
{
    private ForecasterSettings _settings = new();
    private ForecastTrainingSettings _training = new();
    private SeriesReadOptions? _columns;

    /// <summary>The settings so far.</summary>
    public ForecasterSettings Settings => _settings;

    /// <summary>The training settings so far.</summary>
    public ForecastTrainingSettings TrainingSettings => _training;

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

    /// <summary>Replaces the training settings.</summary>
    public ForecasterBuilder Training(ForecastTrainingSettings settings)
    {
        _training = settings ?? throw new ArgumentNullException(nameof(settings));
        return this;
    }

    /// <summary>Changes the training settings.</summary>
    public ForecasterBuilder Training(Func<ForecastTrainingSettings, ForecastTrainingSettings> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        _training = change(_training);
        return this;
    }

    /// <summary>
    /// Trains on the series (one model across all of them): the last <see cref="ForecastTrainingSettings.TestFraction"/>
    /// of each is held out, the last <see cref="ForecastTrainingSettings.ValidationFraction"/> of the rest validates,
    /// the scalers are fitted on the training part only, and windows are shuffled within the training part only.
    /// </summary>
    /// <exception cref="SeriesFormatException">A series is too short for the window, or the series differ in spacing or columns.</exception>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    public Forecaster Train(IReadOnlyList<TimeSeries> series, IProgress<ForecastTrainingProgress>? progress = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (series.Count == 0) throw new SeriesFormatException("there is no series to train on");
        var t = _training;
        if (!(t.TestFraction >= 0 && t.TestFraction < 1)) throw new ArgumentOutOfRangeException(nameof(series), "The test fraction must lie in [0, 1).");
        if (!(t.ValidationFraction >= 0 && t.ValidationFraction < 1)) throw new ArgumentOutOfRangeException(nameof(series), "The validation fraction must lie in [0, 1).");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(t.Epochs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(t.BatchSize);
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
            int validationEnd = s.Length - (int)Math.Round(s.Length * t.TestFraction);
            int trainEnd = validationEnd - (int)Math.Round(validationEnd * t.ValidationFraction);
            if (trainEnd < needed)
                throw new SeriesFormatException(Forecaster.ShortMessage(s, (int)Math.Ceiling(needed / ((1 - t.TestFraction) * (1 - t.ValidationFraction))),
                    $"training after the held-out test and validation parts (lookback {lookback} + horizon {horizon})"));
            parts.Add((s, trainEnd, validationEnd));
        }
        var targetScaler = FittedScaler.Fit(_settings.Scaling,
            parts.SelectMany(p => Enumerable.Range(order, p.TrainEnd - order).Select(i => differencing.At(p.Series.Target, i))));
        var featureScalers = Enumerable.Range(0, featureCount)
            .Select(f => FittedScaler.Fit(_settings.Scaling, parts.SelectMany(p => p.Series.Features[f].Take(p.TrainEnd)))).ToArray();
        int calendarCount = Forecasting.Calendar.Count(calendar);
        var random = new RandomSource(t.Seed);
        int outputs = horizon * Math.Max(1, _settings.Quantiles?.Count ?? 0);
        var network = new ForecastNetwork(1 + featureCount + calendarCount, _settings.HiddenSize, _settings.Layers,
            _settings.DirectInputs ? lookback + calendarCount : 0, outputs, random, (float)_settings.Dropout);
        var model = new Forecaster(_settings with { Season = season, Calendar = calendar }, _columns, season, calendar, step,
            targetScaler, featureScalers, network, t.TestFraction, null);

        var training = new WindowSet(model);
        var validation = new WindowSet(model);
        foreach (var (s, trainEnd, validationEnd) in parts)
        {
            var prepared = model.Prepare(s);
            for (int origin = order + lookback - 1; origin + horizon < validationEnd; origin++)
                (origin + horizon < trainEnd ? training : validation).Add(prepared, origin);
        }
        var record = Fit(model, training, validation, t, random, progress, cancellation);
        return new Forecaster(model.Settings, _columns, season, calendar, step, targetScaler, featureScalers, network, t.TestFraction, record);
    }

    private static ForecastTrainingRecord Fit(Forecaster model, WindowSet training, WindowSet validation, ForecastTrainingSettings t,
        RandomSource random, IProgress<ForecastTrainingProgress>? progress, CancellationToken cancellation)
    {
        var network = model.Network;
        var optimizer = new Adam(network.Parameters, new AdamSettings((float)t.LearningRate));
        int stepsPerEpoch = (training.Count + t.BatchSize - 1) / t.BatchSize;
        var schedule = t.CosineSchedule ? LearningRateSchedule.Cosine((float)t.LearningRate, stepsPerEpoch * t.Epochs) : null;
        var objective = new RegressionObjective(model.Quantiles);
        // The one trainer step every model kind shares: zero, forward, loss, backward, hooks, clipping, the optimizer.
        var trainingStep = new TrainingStep<ForecastBatch>(network, objective, optimizer, t.ClipNorm > 0 ? (float)t.ClipNorm : null);
        var order = Enumerable.Range(0, training.Count).ToArray();
        var clock = Stopwatch.StartNew();
        var best = network.Parameters.Select(p => p.Value.Clone()).ToArray();
        double bestValidation = double.PositiveInfinity, lastTraining = double.NaN;
        int bestEpoch = 0, epoch = 0, stale = 0, step = 0;
        string stopped = "epochs";
        while (epoch < t.Epochs)
        {
            cancellation.ThrowIfCancellationRequested();
            random.Shuffle(order.AsSpan());
            double sum = 0;
            for (int start = 0; start < order.Length; start += t.BatchSize)
            {
                int b = Math.Min(t.BatchSize, order.Length - start);
                var batch = training.Batch(order.AsSpan(start, b));
                if (schedule is not null) optimizer.LearningRate = schedule.At(step);
                double loss = trainingStep.Run(batch, random);
                if (!double.IsFinite(loss))
                    throw new TrainingDivergedException($"training diverged at step {step + 1}: the loss is {loss}", step + 1, null);
                step++;
                sum += loss * b;
            }
            epoch++;
            lastTraining = sum / order.Length;
            double? validationLoss = validation.Count > 0 ? validation.Loss(network, objective) : null;
            if (validationLoss is not { } v || v < bestValidation)
            {
                bestValidation = validationLoss ?? double.PositiveInfinity;
                bestEpoch = epoch;
                stale = 0;
                for (int i = 0; i < best.Length; i++) network.Parameters[i].Value.HostSpan.CopyTo(best[i].HostSpan);
            }
            else
            {
                stale++;
            }
            progress?.Report(new ForecastTrainingProgress(epoch, t.Epochs, lastTraining, validationLoss, clock.Elapsed));
            if (t.Patience > 0 && stale >= t.Patience)
            {
                stopped = "early stopping";
                break;
            }
            if (t.TimeBudget is { } budget && clock.Elapsed >= budget)
            {
                stopped = "time budget";
                break;
            }
        }
        for (int i = 0; i < best.Length; i++) network.Parameters[i].Load(best[i]);
        return new ForecastTrainingRecord(epoch, bestEpoch, lastTraining, validation.Count > 0 ? bestValidation : null, stopped,
            training.Count, clock.Elapsed);
    }

    /// <summary>Windows materialised once: each one's [L, F] rows, direct inputs and scaled targets.</summary>
    private sealed class WindowSet(Forecaster model)
    {
        private readonly List<float[]> _sequences = [];
        private readonly List<float[]> _skips = [];
        private readonly List<float[]> _targets = [];

        public int Count => _sequences.Count;

        public void Add(PreparedSeries p, int origin)
        {
            var sequence = new float[model.Settings.Lookback * model.InputFeatures];
            var skip = new float[Math.Max(1, model.SkipFeatures)];
            model.FillWindow(p, origin, sequence, skip);
            var target = new float[model.Settings.Horizon];
            for (int k = 0; k < target.Length; k++) target[k] = (float)p.Target[origin + 1 + k];
            _sequences.Add(sequence);
            _skips.Add(skip);
            _targets.Add(target);
        }

        public ForecastBatch Batch(ReadOnlySpan<int> indexes)
        {
            int b = indexes.Length, lookback = model.Settings.Lookback, width = model.InputFeatures, horizon = model.Settings.Horizon;
            var sequence = Tensor.Zeros(lookback, b, width);
            var skip = Tensor.Zeros(b, Math.Max(1, model.SkipFeatures));
            var target = Tensor.Zeros(b, horizon);
            for (int i = 0; i < b; i++)
            {
                var rows = _sequences[indexes[i]];
                for (int t = 0; t < lookback; t++) rows.AsSpan(t * width, width).CopyTo(sequence.HostSpan.Slice((t * b + i) * width, width));
                _skips[indexes[i]].CopyTo(skip.HostSpan.Slice(i * skip.Shape[1], skip.Shape[1]));
                _targets[indexes[i]].CopyTo(target.HostSpan.Slice(i * horizon, horizon));
            }
            return new ForecastBatch(sequence, model.SkipFeatures > 0 ? skip : null, target);
        }

        public double Loss(ForecastNetwork network, RegressionObjective objective)
        {
            const int Size = 256;
            double sum = 0;
            var all = Enumerable.Range(0, Count).ToArray();
            for (int start = 0; start < Count; start += Size)
            {
                int b = Math.Min(Size, Count - start);
                var batch = Batch(all.AsSpan(start, b));
                sum += objective.Forward(network.Forward(batch.Sequence, batch.Skip), batch) * (double)b;
            }
            return sum / Count;
        }
    }
}
