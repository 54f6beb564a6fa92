using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using LstmText.Forecasting;
using LstmText.IO;
using LstmText.Layers;
using LstmText.Metrics;
using LstmText.Training;

namespace LstmText.Cli;

/// <summary><c>lstmtext forecast train | evaluate | predict</c>: LSTM forecasting of time series in CSV files.</summary>
internal static class ForecastCommand
{
    public static Command Create()
    {
        var command = new Command("forecast",
            "Forecast time series with an LSTM: train a model on a CSV series, evaluate it against naive baselines, predict the next points.\n" +
            "Example: lstmtext forecast train --data seattle-weather.csv --time-column date --target temp_max --lookback 30 --out weather.safetensors");
        command.Subcommands.Add(Train());
        command.Subcommands.Add(Evaluate());
        command.Subcommands.Add(Predict());
        return command;
    }

    private static Command Train()
    {
        var data = DataOption();
        var timeColumn = new Option<string>("--time-column") { Description = "The timestamp column.", DefaultValueFactory = _ => "date" };
        var target = new Option<string>("--target") { Description = "The column to forecast.", Required = true };
        var features = new Option<string?>("--features") { Description = "Other numeric columns to give the model, comma-separated." };
        var seriesColumn = new Option<string?>("--series-column") { Description = "A column naming the series of each row (several series, one model)." };
        var fill = FillOption();
        var lookback = new Option<int>("--lookback") { Description = "Past points read per forecast.", DefaultValueFactory = _ => 30 };
        var horizon = new Option<int>("--horizon") { Description = "Future points forecast at once.", DefaultValueFactory = _ => 1 };
        var hidden = new Option<int>("--hidden") { Description = "LSTM hidden size.", DefaultValueFactory = _ => 50 };
        var layers = new Option<int>("--layers") { Description = "Stacked LSTM layers.", DefaultValueFactory = _ => 1 };
        var dropout = new Option<double>("--dropout") { Description = "Dropout between LSTM layers." };
        var scaling = new Option<string>("--scaling") { Description = "minmax or standard (fitted on the training part only).", DefaultValueFactory = _ => "minmax" };
        var difference = new Option<string>("--difference") { Description = "none, first, seasonal or both (for trending or seasonal series).", DefaultValueFactory = _ => "none" };
        var season = new Option<int?>("--season") { Description = "Season length (default: 12 for monthly, 365 for daily data over two years, 24 for hourly)." };
        var calendar = new Option<string>("--calendar") { Description = "auto, none, or a comma-separated list of hour, weekday, dayofyear, month.", DefaultValueFactory = _ => "auto" };
        var quantiles = new Option<string?>("--quantiles") { Description = "Forecast these quantiles with the pinball loss, e.g. 0.1,0.5,0.9." };
        var plain = new Option<bool>("--plain-lstm") { Description = "Only the LSTM's last state feeds the head (Keras' LSTM → Dense), no direct lag inputs." };
        var testFraction = new Option<double>("--test-fraction") { Description = "The last share of each series held out for evaluate.", DefaultValueFactory = _ => 0.2 };
        var keep = new Option<string>("--keep") { Description = "Which weights --out holds: best (the lowest validation loss's, as the .best checkpoint) or last.", DefaultValueFactory = _ => "best" };
        var quiet = new Option<bool>("--quiet") { Description = "No progress display." };
        var shared = TrainingOptionSet.ForForecasting();
        var command = new Command("train",
            "Train an LSTM forecaster on a series (the last --test-fraction is held out).\n" +
            "Example: lstmtext forecast train --data seattle-weather.csv --time-column date --target temp_max --features temp_min,precipitation --lookback 30 --horizon 1 --out weather.safetensors")
        {
            data, timeColumn, target, features, seriesColumn, fill, lookback, horizon, hidden, layers, dropout, scaling, difference, season,
            calendar, quantiles, plain, testFraction, keep, quiet,
        };
        shared.AddTo(command);
        command.SetAction((parse, cancellation) => Task.Run(() =>
        {
            var columns = new SeriesReadOptions(parse.GetValue(timeColumn)!, parse.GetValue(target)!, SplitList(parse.GetValue(features)),
                parse.GetValue(seriesColumn), ParseFill(parse.GetValue(fill)!));
            var builder = Forecaster.Configure()
                .Lookback(Positive(parse.GetValue(lookback), "--lookback")).Horizon(Positive(parse.GetValue(horizon), "--horizon"))
                .Lstm(Positive(parse.GetValue(hidden), "--hidden"), Positive(parse.GetValue(layers), "--layers"), InRange(parse.GetValue(dropout), 0, 0.99, "--dropout"))
                .Scaling(parse.GetValue(scaling) switch
                {
                    "minmax" => ScalingKind.MinMax,
                    "standard" => ScalingKind.Standard,
                    var other => throw new UsageException($"--scaling must be minmax or standard, not '{other}'"),
                })
                .DirectInputs(!parse.GetValue(plain))
                .Columns(columns);
            _ = parse.GetValue(difference) switch
            {
                "none" => builder.Difference(false, false),
                "first" => builder.Difference(true, false),
                "seasonal" => builder.Difference(false, true),
                "both" => builder.Difference(true, true),
                var other => throw new UsageException($"--difference must be none, first, seasonal or both, not '{other}'"),
            };
            if (parse.GetValue(season) is { } s) builder.Season(s >= 2 ? s : throw new UsageException($"--season must be at least 2, not {s}"));
            if (ParseCalendar(parse.GetValue(calendar)!) is { } c) builder.Calendar(c);
            if (parse.GetValue(quantiles) is { } q) builder.Quantiles(ParseQuantiles(q));
            double test = InRange(parse.GetValue(testFraction), 0, 0.9, "--test-fraction");
            double validation = InRange(parse.GetValue(shared.ValidationFraction), 0, 0.9, "--validation-fraction");
            bool keepBest = parse.GetValue(keep)!.ToLowerInvariant() switch
            {
                "best" => true,
                "last" => false,
                var other => throw new UsageException($"--keep must be best or last, not '{other}'"),
            };
            string outPath = parse.GetValue(shared.Out)!;
            var series = ReadSeries(parse.GetValue(data)!, columns);
            if (shared.Backend(parse) is { } backend) builder.Backend(backend);
            var error = parse.InvocationConfiguration.Error;
            Forecaster Run(IProgress<TrainingProgress>? progress)
            {
                try
                {
                    return builder.Train(series, t =>
                    {
                        shared.ApplyShared(parse, t, cancellation);
                        t.TestFraction(test).ValidationFraction(validation);
                        if (keepBest) t.KeepBestWeights(); else t.KeepLastWeights();
                        if (progress is not null) t.ReportProgress(progress);
                    });
                }
                catch (SeriesFormatException failure)
                {
                    throw new UsageException(failure.Message);
                }
            }
            var model = parse.GetValue(quiet) ? Run(null) : TrainingOptionSet.WithProgress<Forecaster>(parse, Run);
            var record = model.Training!;
            error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"trained {record.Steps} steps, {record.Epochs} epochs ({record.StoppedBecause}) on {record.TrainingExamples} windows in {record.Seconds:F1} s") +
                (record.ValidationLoss is { } vl ? string.Create(CultureInfo.InvariantCulture, $"; validation loss {vl:G4}, MAE {record.ValidationMae:G4}") : "") +
                $"; wrote {outPath}");
            error.WriteLine(record.KeptWeights == "best"
                ? $"kept the weights of the lowest validation loss (step {record.KeptStep}); --keep last for the last step's"
                : record.ValidationExamples is > 0
                    ? $"kept the last weights (step {record.KeptStep}), as --keep last asks"
                    : $"kept the last weights (step {record.KeptStep}): there is no validation part to pick the best by");
            return 0;
        }, CancellationToken.None));
        return command;
    }

    private static Command Evaluate()
    {
        var model = ModelOption();
        var data = DataOption();
        var fill = FillOption();
        var testFraction = new Option<double?>("--test-fraction") { Description = "The last share of each series to forecast (default: the one held out in training)." };
        var stepsAhead = new Option<int?>("--steps-ahead") { Description = "Score the forecast this many steps ahead (1 to the horizon; default the horizon)." };
        var json = new Option<bool>("--json") { Description = "Print the metrics as one JSON object." };
        var plot = PlotOption();
        var threads = ThreadsOption.Create();
        var command = new Command("evaluate",
            "Rolling-origin evaluation: forecast every point of the last --test-fraction from the true history before it; MAE, RMSE, MAPE, MASE and R² beside the naive and seasonal-naive forecasts.\n" +
            "Example: lstmtext forecast evaluate --model weather.safetensors --data seattle-weather.csv --test-fraction 0.2 --plot weather.svg")
        {
            model, data, fill, testFraction, stepsAhead, json, plot, threads,
        };
        command.SetAction((parse, cancellation) => Task.Run(() =>
        {
            var forecaster = Forecaster.Load(parse.GetValue(model)!, ThreadsOption.Backend(parse, threads));
            double? fraction = parse.GetValue(testFraction);
            if (fraction is { } f && !(f > 0 && f < 1)) throw new UsageException($"--test-fraction must lie between 0 and 1, not {f.ToString(CultureInfo.InvariantCulture)}");
            int? k = parse.GetValue(stepsAhead);
            if (k is { } steps && (steps < 1 || steps > forecaster.Settings.Horizon))
                throw new UsageException($"--steps-ahead must lie between 1 and the model's horizon {forecaster.Settings.Horizon}, not {steps}");
            var series = ReadSeries(parse.GetValue(data)!, ColumnsOf(forecaster, parse.GetValue(fill)), columnsFromModel: true);
            ForecastEvaluation evaluation;
            try
            {
                evaluation = forecaster.Evaluate(series, fraction, k);
            }
            catch (SeriesFormatException failure)
            {
                throw new UsageException(failure.Message);
            }
            if (parse.GetValue(plot) is { } plotPath)
                WriteText(plotPath, ForecastPlot.Evaluation(evaluation, $"{forecaster.Columns?.TargetColumn ?? "series"}: {evaluation.StepsAhead}-step forecasts on the test part"));
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                output.WriteLine(Json(evaluation));
                return 0;
            }
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{evaluation.Model.Count} forecasts, {evaluation.StepsAhead} step(s) ahead; seasonal naive uses a season of {evaluation.Season}"));
            output.WriteLine($"{"",-16}{"MAE",12}{"RMSE",12}{"MAPE %",12}{"MASE",12}{"R²",12}");
            foreach (var (name, m) in new[] { ("LSTM", evaluation.Model), ("naive", evaluation.Naive), ("seasonal naive", evaluation.SeasonalNaive) })
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-16}{m.Mae,12:F4}{m.Rmse,12:F4}{m.Mape,12:F3}{m.Mase,12:F4}{m.R2,12:F4}"));
            }
            if (evaluation.Coverage is { } c)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"quantiles: mean pinball loss {c.Pinball:F4}; interval coverage {100 * c.Coverage:F1} % (nominal {100 * c.Nominal:F0} %)"));
            }
            return 0;
        }, CancellationToken.None));
        return command;
    }

    private static Command Predict()
    {
        var model = ModelOption();
        var data = DataOption();
        var fill = FillOption();
        var steps = new Option<int>("--steps") { Description = "How many points to forecast after the end of the data.", DefaultValueFactory = _ => 1 };
        var output = new Option<string?>("--output") { Description = "Write the forecasts to this CSV file (default: standard output)." };
        var plot = PlotOption();
        var threads = ThreadsOption.Create();
        var command = new Command("predict",
            "Forecast the next --steps points after the data.\n" +
            "Example: lstmtext forecast predict --model weather.safetensors --data seattle-weather.csv --steps 7 --output next-week.csv")
        {
            model, data, fill, steps, output, plot, threads,
        };
        command.SetAction((parse, cancellation) => Task.Run(() =>
        {
            var forecaster = Forecaster.Load(parse.GetValue(model)!, ThreadsOption.Backend(parse, threads));
            int n = Positive(parse.GetValue(steps), "--steps");
            var columns = ColumnsOf(forecaster, parse.GetValue(fill));
            var series = ReadSeries(parse.GetValue(data)!, columns, columnsFromModel: true);
            var points = new List<ForecastPoint>();
            try
            {
                foreach (var s in series) points.AddRange(forecaster.Predict(s, n));
            }
            catch (SeriesFormatException failure)
            {
                throw new UsageException(failure.Message);
            }
            var csv = new StringBuilder();
            var quantiles = forecaster.Settings.Quantiles ?? [];
            var header = new List<string>();
            if (columns.SeriesColumn is { } id) header.Add(id);
            header.Add(columns.TimeColumn);
            header.Add(columns.TargetColumn);
            header.AddRange(quantiles.Select(q => "q" + q.ToString(CultureInfo.InvariantCulture)));
            csv.Append(string.Join(",", header)).Append('\n');
            foreach (var p in points)
            {
                var fields = new List<string>();
                if (columns.SeriesColumn is not null) fields.Add(p.SeriesId ?? "");
                fields.Add(p.Time.TimeOfDay == TimeSpan.Zero ? p.Time.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : p.Time.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture));
                fields.Add(p.Value.ToString("G6", CultureInfo.InvariantCulture));
                if (p.Quantiles is { } qs) fields.AddRange(qs.Select(v => v.ToString("G6", CultureInfo.InvariantCulture)));
                csv.Append(string.Join(",", fields)).Append('\n');
            }
            if (parse.GetValue(plot) is { } plotPath)
                WriteText(plotPath, ForecastPlot.Prediction(series[0], points.Where(p => p.SeriesId == series[0].Id).ToArray(), $"{columns.TargetColumn}: the next {n} points"));
            if (parse.GetValue(output) is { } outPath) WriteText(outPath, csv.ToString());
            else parse.InvocationConfiguration.Output.Write(csv.ToString());
            return 0;
        }, CancellationToken.None));
        return command;
    }

    private static Option<string> DataOption() => new("--data") { Description = "The series, a CSV file with a header.", Required = true };

    private static Option<string> ModelOption() => new("--model") { Description = "A model written by 'lstmtext forecast train'.", Required = true };

    private static Option<string?> FillOption() => new("--fill") { Description = "Repair missing or non-numeric values: linear or previous (default: refuse them)." };

    private static Option<string?> PlotOption() => new("--plot") { Description = "Also draw actual against forecast as an SVG file." };

    private static SeriesReadOptions ColumnsOf(Forecaster model, string? fill)
    {
        var columns = model.Columns ?? throw new UsageException("the model does not name its columns; train it with 'lstmtext forecast train'");
        return fill is null ? columns : columns with { Fill = ParseFill(fill) };
    }

    private static IReadOnlyList<TimeSeries> ReadSeries(string path, SeriesReadOptions columns, bool columnsFromModel = false)
    {
        try
        {
            return SeriesFile.Read(path, columns);
        }
        catch (SeriesFormatException failure)
        {
            // evaluate and predict take the columns from the model, so a missing column is the model's, not an option's.
            string message = failure.Message;
            foreach (var option in new[] { "--time-column: column", "--target: column", "--features: column", "--series-column: column" })
            {
                if (columnsFromModel && message.StartsWith(option, StringComparison.Ordinal))
                    message = "the model's column" + message[option.Length..];
            }
            throw new UsageException(message);
        }
    }

    private static void WriteText(string path, string text) =>
        AtomicFile.Write(path, stream => stream.Write(new UTF8Encoding(false).GetBytes(text)));

    private static string Json(ForecastEvaluation e)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            void Metrics(ForecastMetrics m)
            {
                void Number(string name, double value)
                {
                    if (double.IsFinite(value)) w.WriteNumber(name, value);
                    else w.WriteNull(name);
                }
                Number("mae", m.Mae);
                Number("rmse", m.Rmse);
                Number("mape", m.Mape);
                Number("mase", m.Mase);
                Number("r2", m.R2);
                w.WriteNumber("count", m.Count);
            }
            w.WriteStartObject();
            Metrics(e.Model);
            w.WriteNumber("steps_ahead", e.StepsAhead);
            w.WriteNumber("season", e.Season);
            w.WriteStartObject("baselines");
            w.WriteStartObject("naive");
            Metrics(e.Naive);
            w.WriteEndObject();
            w.WriteStartObject("seasonal_naive");
            Metrics(e.SeasonalNaive);
            w.WriteEndObject();
            w.WriteEndObject();
            if (e.Coverage is { } c)
            {
                w.WriteStartObject("quantiles");
                w.WriteNumber("pinball", c.Pinball);
                w.WriteNumber("coverage", c.Coverage);
                w.WriteNumber("nominal", c.Nominal);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static MissingValueFill ParseFill(string? text) => text switch
    {
        null or "none" => MissingValueFill.None,
        "linear" => MissingValueFill.Linear,
        "previous" => MissingValueFill.Previous,
        _ => throw new UsageException($"--fill must be linear or previous, not '{text}'"),
    };

    private static CalendarFeatures? ParseCalendar(string text)
    {
        if (text == "auto") return null;
        if (text == "none") return CalendarFeatures.None;
        var result = CalendarFeatures.None;
        foreach (var name in SplitList(text))
        {
            result |= name switch
            {
                "hour" => CalendarFeatures.HourOfDay,
                "weekday" => CalendarFeatures.DayOfWeek,
                "dayofyear" => CalendarFeatures.DayOfYear,
                "month" => CalendarFeatures.Month,
                _ => throw new UsageException($"--calendar must be auto, none or a list of hour, weekday, dayofyear, month; not '{name}'"),
            };
        }
        return result;
    }

    private static double[] ParseQuantiles(string text)
    {
        var values = new List<double>();
        foreach (var part in SplitList(text))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out double q) || !(q > 0 && q < 1))
                throw new UsageException($"--quantiles: '{part}' is not a number strictly between 0 and 1");
            if (values.Contains(q)) throw new UsageException($"--quantiles: {part} appears twice");
            values.Add(q);
        }
        return values.Count > 0 ? values.ToArray() : throw new UsageException("--quantiles needs at least one value, e.g. 0.1,0.5,0.9");
    }

    private static string[] SplitList(string? text) =>
        text is null ? [] : text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static int Positive(int value, string option) => value > 0 ? value : throw new UsageException($"{option} must be positive, not {value}");

    private static double InRange(double value, double low, double high, string option) =>
        value >= low && value <= high ? value : throw new UsageException($"{option} must lie between {low.ToString(CultureInfo.InvariantCulture)} and {high.ToString(CultureInfo.InvariantCulture)}, not {value.ToString(CultureInfo.InvariantCulture)}");
}
