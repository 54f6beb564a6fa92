using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using LstmText.Compute;
using LstmText.IO;
using LstmText.Layers;
using LstmText.Tensors;
using LstmText.Training;

namespace LstmText.Forecasting;

/// <summary>
/// An LSTM regressor that forecasts a series from its recent past: it scales (and optionally differences) the target,
/// reads a window of <see cref="ForecasterSettings.Lookback"/> points with any extra inputs and calendar features, and
/// outputs the next <see cref="ForecasterSettings.Horizon"/> points at once (or their quantiles). Build one with
/// <see cref="Configure"/>; load a saved one with <see cref="Load"/>.
/// </summary>
/// <example>
/// <code>
/// var series = SeriesFile.Read("seattle-weather.csv", new SeriesReadOptions("date", "temp_max"));
/// var model = Forecaster.Configure().Lookback(30).Horizon(1).Train(series);
/// var report = model.Evaluate(series, testFraction: 0.2);
/// model.Save("weather.safetensors");
/// </code>
/// </example>
public sealed class Forecaster
{
    /// <summary>The metadata key that marks a model file as a forecaster's.</summary>
    public const string KindKey = "lstmtext.kind";

    /// <summary>The metadata key of the forecaster's description (JSON).</summary>
    public const string DescriptionKey = "lstmtext.forecaster";

    private readonly FittedScaler[] _featureScalers;

    internal Forecaster(ForecasterSettings settings, SeriesReadOptions? columns, int season, CalendarFeatures calendar, TimeStep step,
        FittedScaler targetScaler, FittedScaler[] featureScalers, ForecastNetwork network, double testFraction, TrainingRecord? training)
    {
        Settings = settings;
        Columns = columns;
        Season = season;
        CalendarFeatures = calendar;
        Step = step;
        TargetScaler = targetScaler;
        _featureScalers = featureScalers;
        Network = network;
        TestFraction = testFraction;
        Training = training;
        Differencing = Differencing.Of(settings.DifferenceFirst, settings.DifferenceSeasonal ? season : 0);
    }

    /// <summary>Starts describing a forecaster to train.</summary>
    public static ForecasterBuilder Configure() => new();

    /// <summary>The window, horizon, network and preprocessing.</summary>
    public ForecasterSettings Settings { get; }

    /// <summary>The columns the model was trained on, when it was trained from a file's columns.</summary>
    public SeriesReadOptions? Columns { get; }

    /// <summary>The season length used by seasonal differencing and the seasonal-naive baseline.</summary>
    public int Season { get; }

    /// <summary>The calendar inputs derived from the time column.</summary>
    public CalendarFeatures CalendarFeatures { get; }

    /// <summary>The spacing of the series the model was trained on.</summary>
    public TimeStep Step { get; }

    /// <summary>The scaling of the (differenced) target, fitted on the training part.</summary>
    public FittedScaler TargetScaler { get; }

    /// <summary>The scaling of each extra input, fitted on the training part.</summary>
    public IReadOnlyList<FittedScaler> FeatureScalers => _featureScalers;

    /// <summary>The differencing of the target.</summary>
    public Differencing Differencing { get; }

    /// <summary>The network.</summary>
    public ForecastNetwork Network { get; }

    /// <summary>The share of each series held out of training for evaluation.</summary>
    public double TestFraction { get; }

    /// <summary>
    /// How the model was trained (steps, epochs, losses, validation MAE, why it stopped, which weights it holds), or null
    /// when unknown; the record every model kind keeps, written to <c>lstmtext.training</c>.
    /// </summary>
    public TrainingRecord? Training { get; internal set; }

    /// <summary>How many past points one forecast needs: the lookback plus the differencing order.</summary>
    public int HistoryNeeded => Settings.Lookback + Differencing.Order;

    internal int FeatureCount => _featureScalers.Length;

    internal int CalendarCount => Calendar.Count(CalendarFeatures);

    internal int InputFeatures => 1 + FeatureCount + CalendarCount;

    internal int SkipFeatures => Settings.DirectInputs ? Settings.Lookback + CalendarCount : 0;

    internal IReadOnlyList<double> Quantiles => Settings.Quantiles ?? [];

    internal int QuantileCount => Math.Max(1, Quantiles.Count);

    internal int Outputs => Settings.Horizon * QuantileCount;

    /// <summary>The index among the quantiles of the point forecast (the one nearest the median).</summary>
    internal int PointQuantile => Quantiles.Count == 0 ? 0
        : Enumerable.Range(0, Quantiles.Count).MinBy(i => Math.Abs(Quantiles[i] - 0.5));

    /// <summary>
    /// Forecasts the <see cref="ForecasterSettings.Horizon"/> points after the end of <paramref name="history"/>:
    /// for each step, the point forecast and, with quantiles, each quantile's forecast.
    /// </summary>
    /// <exception cref="SeriesFormatException">The history is shorter than <see cref="HistoryNeeded"/> or has other columns.</exception>
    public ForecastBlock Forecast(TimeSeries history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var prepared = Prepare(history);
        if (history.Length < HistoryNeeded)
            throw new SeriesFormatException(ShortMessage(history, HistoryNeeded, "a forecast"));
        return ForecastFrom([(prepared, history.Length - 1)])[0];
    }

    /// <summary>
    /// The next <paramref name="steps"/> points after <paramref name="history"/>: the horizon's direct forecasts, then
    /// (beyond the horizon) forecasts built on earlier forecasts, with extra inputs held at their last values.
    /// </summary>
    public IReadOnlyList<ForecastPoint> Predict(TimeSeries history, int steps)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        var times = history.Times.ToList();
        var values = history.Target.ToList();
        var features = history.Features.Select(f => f.ToList()).ToArray();
        var points = new List<ForecastPoint>(steps);
        while (points.Count < steps)
        {
            var current = new TimeSeries(times, values, features.Select(f => (IReadOnlyList<double>)f).ToArray(), history.Id, history.Step);
            var block = Forecast(current);
            for (int k = 0; k < block.Values.Count && points.Count < steps; k++)
            {
                var time = history.Step.Advance(times[^1], 1);
                points.Add(new ForecastPoint(history.Id, time, block.Values[k],
                    block.Quantiles.Count > 0 ? block.Quantiles[k] : null));
                times.Add(time);
                values.Add(block.Values[k]);
                foreach (var f in features) f.Add(f[^1]);
            }
        }
        return points;
    }

    /// <summary>
    /// Rolling-origin evaluation: every point in the last <paramref name="testFraction"/> of each series is forecast
    /// <paramref name="stepsAhead"/> steps ahead (default: the horizon) from the true history before it, and scored
    /// beside the naive and seasonal-naive forecasts of the same points.
    /// </summary>
    /// <exception cref="SeriesFormatException">A series is too short to forecast any test point.</exception>
    public ForecastEvaluation Evaluate(IReadOnlyList<TimeSeries> series, double? testFraction = null, int? stepsAhead = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        double fraction = testFraction ?? TestFraction;
        if (!(fraction > 0 && fraction < 1)) throw new ArgumentOutOfRangeException(nameof(testFraction), "The test fraction must lie between 0 and 1.");
        int k = stepsAhead ?? Settings.Horizon;
        if (k < 1 || k > Settings.Horizon)
            throw new ArgumentOutOfRangeException(nameof(stepsAhead), $"The model forecasts 1 to {Settings.Horizon} steps ahead, not {k}.");
        var results = new List<SeriesEvaluation>();
        var actual = new List<double>();
        var model = new List<double>();
        var naive = new List<double>();
        var seasonal = new List<double>();
        var trainingLevels = new List<double>();
        double pinball = 0;
        int pinballCount = 0, covered = 0, intervals = 0;
        foreach (var s in series)
        {
            var prepared = Prepare(s);
            int n = s.Length;
            int testStart = n - Math.Max(1, (int)Math.Round(n * fraction));
            trainingLevels.AddRange(s.Target.Take(testStart));
            int first = Math.Max(testStart, HistoryNeeded - 1 + k);
            if (first >= n)
                throw new SeriesFormatException(ShortMessage(s, HistoryNeeded + k + (n - testStart) - 1, "evaluating its last " + (n - testStart).ToString(CultureInfo.InvariantCulture) + " points"));
            int seasonBack = Season * ((k + Season - 1) / Math.Max(1, Season));
            var origins = Enumerable.Range(first, n - first).Select(t => (prepared, t - k)).ToArray();
            var blocks = ForecastFrom(origins);
            var evaluation = new SeriesEvaluation(s, testStart, first);
            for (int i = 0; i < blocks.Count; i++)
            {
                int t = first + i;
                double y = s.Target[t];
                double f = blocks[i].Values[k - 1];
                double nv = Baselines.Naive(s.Target, t, k);
                double? sn = t - seasonBack >= 0 ? Baselines.SeasonalNaive(s.Target, t, k, Season) : null;
                evaluation.Forecasts.Add(f);
                evaluation.Naive.Add(nv);
                evaluation.SeasonalNaive.Add(sn ?? nv);
                actual.Add(y);
                model.Add(f);
                naive.Add(nv);
                seasonal.Add(sn ?? nv);
                if (blocks[i].Quantiles.Count > 0)
                {
                    var qs = blocks[i].Quantiles[k - 1];
                    for (int q = 0; q < qs.Count; q++) pinball += PinballLoss.Of(Quantiles[q], y, qs[q]);
                    pinballCount += qs.Count;
                    double low = qs.Min(), high = qs.Max();
                    evaluation.Lower.Add(low);
                    evaluation.Upper.Add(high);
                    intervals++;
                    if (y >= low && y <= high) covered++;
                }
            }
            results.Add(evaluation);
        }
        double scale = ForecastMetrics.NaiveScale(trainingLevels);
        IntervalCoverage? coverage = intervals > 0
            ? new IntervalCoverage(pinball / pinballCount, (double)covered / intervals, Quantiles.Max() - Quantiles.Min())
            : null;
        return new ForecastEvaluation(k, Season, ForecastMetrics.Compute(actual, model, scale),
            ForecastMetrics.Compute(actual, naive, scale), ForecastMetrics.Compute(actual, seasonal, scale), coverage, results);
    }

    /// <summary>Writes the model (weights, scalers, settings, columns) to a safetensors file, atomically.</summary>
    public void Save(string path) => Save(path, new Dictionary<string, Tensor>(), new Dictionary<string, string>());

    /// <summary>Writes the model with <paramref name="extraTensors"/> and <paramref name="extraMetadata"/> besides (a training checkpoint's).</summary>
    internal void Save(string path, IReadOnlyDictionary<string, Tensor> extraTensors, IReadOnlyDictionary<string, string> extraMetadata)
    {
        var tensors = Network.NamedParameters.ToDictionary(p => p.Name, p => p.Parameter.Value);
        foreach (var (name, tensor) in extraTensors) tensors[name] = tensor;
        var metadata = new Dictionary<string, string>(extraMetadata)
        {
            [ModelFile.FormatVersionKey] = ModelFile.CurrentFormatVersion,
            [KindKey] = "forecaster",
            [DescriptionKey] = Describe().ToJsonString(),
        };
        if (Training is { } record) metadata[ModelFile.TrainingKey] = record.ToJson();
        SafeTensorsFile.Write(path, tensors, metadata);
    }

    /// <summary>Reads a model written by <see cref="Save(string)"/>.</summary>
    /// <param name="path">The model file.</param>
    /// <param name="backend">The backend to forecast (and go on training) on; the CPU's by default.</param>
    /// <exception cref="ModelFileFormatException">The file is not a forecaster's, or its description or weights do not fit.</exception>
    public static Forecaster Load(string path, IBackend? backend = null)
    {
        var file = SafeTensorsFile.Read(path);
        if (!file.Metadata.TryGetValue(KindKey, out var kind) || kind != "forecaster" || !file.Metadata.TryGetValue(DescriptionKey, out var text))
            throw new ModelFileFormatException(path, "not a forecaster's model file (train one with 'lstmtext forecast train')");
        try
        {
            var model = FromDescription(JsonNode.Parse(text)!.AsObject(), backend);
            if (file.Metadata.TryGetValue(ModelFile.TrainingKey, out var record)) model.Training = TrainingRecord.FromJson(record);
            foreach (var (parameterName, parameter) in model.Network.NamedParameters)
            {
                if (!file.Tensors.TryGetValue(parameterName, out var tensor))
                    throw new ModelFileFormatException(path, $"the forecaster has no tensor '{parameterName}'");
                if (!tensor.Shape.Equals(parameter.Value.Shape))
                    throw new ModelFileFormatException(path, $"tensor '{parameterName}' has shape {tensor.Shape}, the description implies {parameter.Value.Shape}");
                parameter.Load(tensor);
            }
            return model;
        }
        catch (Exception failure) when (failure is JsonException or InvalidOperationException or NullReferenceException or FormatException
            or ArgumentException or KeyNotFoundException)
        {
            throw new ModelFileFormatException(path, $"the forecaster description cannot be read ({failure.Message})", failure);
        }
    }

    private JsonObject Describe()
    {
        var s = Settings;
        var o = new JsonObject
        {
            ["lookback"] = s.Lookback,
            ["horizon"] = s.Horizon,
            ["hidden_size"] = s.HiddenSize,
            ["layers"] = s.Layers,
            ["dropout"] = s.Dropout,
            ["scaling"] = s.Scaling == ScalingKind.MinMax ? "minmax" : "standard",
            ["difference_first"] = s.DifferenceFirst,
            ["difference_seasonal"] = s.DifferenceSeasonal,
            ["season"] = Season,
            ["calendar"] = (int)CalendarFeatures,
            ["direct_inputs"] = s.DirectInputs,
            ["quantiles"] = new JsonArray(Quantiles.Select(q => (JsonNode)q).ToArray()),
            ["step_days"] = Step.Fixed.TotalDays,
            ["step_months"] = Step.Months,
            ["target_scaler"] = new JsonArray(TargetScaler.Offset, TargetScaler.Scale),
            ["feature_scalers"] = new JsonArray(_featureScalers.Select(f => (JsonNode)new JsonArray(f.Offset, f.Scale)).ToArray()),
            ["test_fraction"] = TestFraction,
        };
        if (Columns is { } c)
        {
            o["time_column"] = c.TimeColumn;
            o["target_column"] = c.TargetColumn;
            o["feature_columns"] = new JsonArray(c.Features.Select(f => (JsonNode)f).ToArray());
            if (c.SeriesColumn is not null) o["series_column"] = c.SeriesColumn;
            o["fill"] = c.Fill.ToString().ToLowerInvariant();
        }
        return o;
    }

    private static Forecaster FromDescription(JsonObject o, IBackend? backend)
    {
        double[] Pair(JsonNode? node) => node!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
        var settings = new ForecasterSettings
        {
            Lookback = Positive(o["lookback"]!.GetValue<int>(), "lookback"),
            Horizon = Positive(o["horizon"]!.GetValue<int>(), "horizon"),
            HiddenSize = Positive(o["hidden_size"]!.GetValue<int>(), "hidden_size"),
            Layers = Positive(o["layers"]!.GetValue<int>(), "layers"),
            Dropout = o["dropout"]!.GetValue<double>(),
            Scaling = o["scaling"]!.GetValue<string>() == "standard" ? ScalingKind.Standard : ScalingKind.MinMax,
            DifferenceFirst = o["difference_first"]!.GetValue<bool>(),
            DifferenceSeasonal = o["difference_seasonal"]!.GetValue<bool>(),
            Season = o["season"]!.GetValue<int>(),
            Calendar = (CalendarFeatures)o["calendar"]!.GetValue<int>(),
            DirectInputs = o["direct_inputs"]!.GetValue<bool>(),
            Quantiles = o["quantiles"]!.AsArray().Count == 0 ? null : Pair(o["quantiles"]),
        };
        if (settings.Lookback > 100_000 || settings.Horizon > 100_000 || settings.HiddenSize > 100_000 || settings.Layers > 100)
            throw new FormatException("the window or network is implausibly large");
        int months = o["step_months"]!.GetValue<int>();
        var step = months > 0 ? TimeStep.OfMonths(months) : TimeStep.OfDuration(TimeSpan.FromDays(o["step_days"]!.GetValue<double>()));
        var target = Pair(o["target_scaler"]);
        var features = o["feature_scalers"]!.AsArray().Select(n => Pair(n)).Select(p => new FittedScaler(p[0], p[1])).ToArray();
        SeriesReadOptions? columns = null;
        if (o["target_column"] is { } targetColumn)
        {
            columns = new SeriesReadOptions(o["time_column"]!.GetValue<string>(), targetColumn.GetValue<string>(),
                o["feature_columns"]!.AsArray().Select(f => f!.GetValue<string>()).ToArray(), o["series_column"]?.GetValue<string>(),
                Enum.Parse<MissingValueFill>(o["fill"]!.GetValue<string>(), ignoreCase: true));
        }
        int calendarCount = Calendar.Count(settings.Calendar!.Value);
        int skip = settings.DirectInputs ? settings.Lookback + calendarCount : 0;
        int outputs = settings.Horizon * Math.Max(1, settings.Quantiles?.Count ?? 0);
        var network = new ForecastNetwork(1 + features.Length + calendarCount, settings.HiddenSize, settings.Layers, skip, outputs,
            new RandomSource(0), (float)settings.Dropout, backend);
        return new Forecaster(settings, columns, settings.Season!.Value, settings.Calendar.Value, step,
            new FittedScaler(target[0], target[1]), features, network, o["test_fraction"]!.GetValue<double>(), null);
    }

    private static int Positive(int value, string name) =>
        value > 0 ? value : throw new FormatException($"{name} must be positive, not {value}");

    internal static string ShortMessage(TimeSeries s, int needed, string purpose) =>
        $"{(s.Id is null ? "the series" : $"series '{s.Id}'")} has {s.Length} points; {purpose} needs at least {needed} (lookback, horizon and differencing)";

    /// <summary>The series' values as the network sees them: the scaled (differenced) target and scaled extra inputs.</summary>
    internal PreparedSeries Prepare(TimeSeries s)
    {
        if (s.Features.Count != FeatureCount)
            throw new SeriesFormatException($"the model was trained with {FeatureCount} extra input column(s), the series has {s.Features.Count}");
        var z = new double[s.Length];
        for (int t = 0; t < s.Length; t++) z[t] = t < Differencing.Order ? double.NaN : TargetScaler.Apply(Differencing.At(s.Target, t));
        var features = new double[FeatureCount][];
        for (int f = 0; f < FeatureCount; f++) features[f] = s.Features[f].Select(_featureScalers[f].Apply).ToArray();
        return new PreparedSeries(s, z, features);
    }

    /// <summary>Writes the window that ends at <paramref name="origin"/> as [L, F] rows and the head's direct inputs.</summary>
    internal void FillWindow(PreparedSeries p, int origin, Span<float> sequence, Span<float> skip)
    {
        int lookback = Settings.Lookback, width = InputFeatures, calendar = CalendarCount;
        for (int i = 0; i < lookback; i++)
        {
            int t = origin - lookback + 1 + i;
            var row = sequence.Slice(i * width, width);
            row[0] = (float)p.Target[t];
            for (int f = 0; f < FeatureCount; f++) row[1 + f] = (float)p.Features[f][t];
            if (calendar > 0) Calendar.Write(CalendarFeatures, p.Series.Times[t], row.Slice(1 + FeatureCount));
            if (Settings.DirectInputs) skip[i] = row[0];
        }
        if (Settings.DirectInputs && calendar > 0)
            Calendar.Write(CalendarFeatures, p.Series.Step.Advance(p.Series.Times[origin], 1), skip.Slice(lookback, calendar));
    }

    /// <summary>Runs the network on windows given as (series, origin) and undoes the scaling and differencing.</summary>
    internal List<ForecastBlock> ForecastFrom(IReadOnlyList<(PreparedSeries Series, int Origin)> windows)
    {
        const int Batch = 256;
        int lookback = Settings.Lookback, width = InputFeatures, horizon = Settings.Horizon, q = QuantileCount;
        var blocks = new List<ForecastBlock>(windows.Count);
        var rows = new float[lookback * width];
        for (int start = 0; start < windows.Count; start += Batch)
        {
            int b = Math.Min(Batch, windows.Count - start);
            int skipWidth = Math.Max(1, SkipFeatures);
            var sequenceValues = new float[lookback * b * width];
            var skipValues = new float[b * skipWidth];
            for (int i = 0; i < b; i++)
            {
                var (p, origin) = windows[start + i];
                FillWindow(p, origin, rows, skipValues.AsSpan(i * skipWidth, skipWidth));
                for (int t = 0; t < lookback; t++) rows.AsSpan(t * width, width).CopyTo(sequenceValues.AsSpan((t * b + i) * width, width));
            }
            // Assembled on the host, uploaded to where the network computes; the forecasts are downloaded.
            var sequence = Tensor.Zeros(Network.Backend, lookback, b, width);
            sequence.Upload(sequenceValues);
            var skip = Tensor.Zeros(Network.Backend, b, skipWidth);
            skip.Upload(skipValues);
            var output = Network.Forward(sequence, SkipFeatures > 0 ? skip : null).ToArray();
            for (int i = 0; i < b; i++)
            {
                var (p, origin) = windows[start + i];
                var history = new ArraySegment<double>(p.Series.Target.ToArray(), 0, origin + 1);
                var perQuantile = new double[q][];
                for (int j = 0; j < q; j++)
                {
                    var z = new double[horizon];
                    for (int k = 0; k < horizon; k++) z[k] = TargetScaler.Invert(output[i * Outputs + k * q + j]);
                    perQuantile[j] = Differencing.Invert(history, z);
                }
                var point = perQuantile[PointQuantile];
                IReadOnlyList<IReadOnlyList<double>> quantiles = Quantiles.Count == 0 ? []
                    : Enumerable.Range(0, horizon).Select(k => (IReadOnlyList<double>)Enumerable.Range(0, q).Select(j => perQuantile[j][k]).ToArray()).ToArray();
                blocks.Add(new ForecastBlock(point, quantiles));
            }
        }
        return blocks;
    }
}

/// <summary>A series prepared for the network.</summary>
internal sealed record PreparedSeries(TimeSeries Series, double[] Target, double[][] Features);

/// <summary>The forecasts of one origin: a point forecast per step and, with quantiles, each quantile's forecast per step.</summary>
/// <param name="Values">The point forecast of each step.</param>
/// <param name="Quantiles">Per step, the forecast of each quantile (empty for a point model).</param>
public sealed record ForecastBlock(IReadOnlyList<double> Values, IReadOnlyList<IReadOnlyList<double>> Quantiles);

/// <summary>One predicted point.</summary>
/// <param name="SeriesId">The series it belongs to, or null.</param>
/// <param name="Time">Its time.</param>
/// <param name="Value">The point forecast.</param>
/// <param name="Quantiles">Each quantile's forecast, or null for a point model.</param>
public sealed record ForecastPoint(string? SeriesId, DateTime Time, double Value, IReadOnlyList<double>? Quantiles);
