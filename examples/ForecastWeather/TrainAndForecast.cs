using System.Globalization;
using LstmText.Forecasting;

namespace ForecastWeather;

/// <summary>
/// Trains an LSTM forecaster on Seattle's daily maximum temperature, scores it on the last 20 % against the naive and
/// seasonal-naive forecasts, draws the test part as an SVG and forecasts the next week.
/// </summary>
/// <remarks>
/// Usage: <c>ForecastWeather seattle-weather.csv [epochs] [plot.svg]</c> (the file is in ../shared/data/timeseries/).
/// </remarks>
public static class TrainAndForecast
{
    /// <summary>Runs the example; returns the exit code.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(log);
        if (args.Length < 1)
        {
            log.WriteLine("usage: ForecastWeather seattle-weather.csv [epochs] [plot.svg]");
            return Task.FromResult(2);
        }
        int epochs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 60;
        string plot = args.Length > 2 ? args[2] : "seattle-temp-max.svg";

        // date,precipitation,temp_max,temp_min,wind,weather: forecast temp_max from its last 30 days.
        var columns = new SeriesReadOptions("date", "temp_max");
        var series = SeriesFile.Read(args[0], columns);
        var model = Forecaster.Configure()
            .Lookback(30)
            .Horizon(1)
            .Lstm(50)
            .Columns(columns)
            .Training(t => t.Epochs(epochs).TestFraction(0.2))
            .Train(series);
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"trained {model.Training!.Epochs} epochs ({model.Training.StoppedBecause}) in {model.Training.Seconds:F1} s"));

        var report = model.Evaluate(series, testFraction: 0.2);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"MAE on the last 20 %: LSTM {report.Model.Mae:F2} °C, naive {report.Naive.Mae:F2}, seasonal naive {report.SeasonalNaive.Mae:F2}; R² {report.Model.R2:F3}"));
        File.WriteAllText(plot, ForecastPlot.Evaluation(report, "Seattle daily maximum temperature, one day ahead"));

        foreach (var point in model.Predict(series[0], 7))
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{point.Time:yyyy-MM-dd} {point.Value:F1} °C"));
        return Task.FromResult(0);
    }
}
