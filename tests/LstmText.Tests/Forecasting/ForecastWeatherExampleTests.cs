using System.Globalization;
using System.Text;

namespace LstmText.Tests.Forecasting;

/// <summary>examples/ForecastWeather runs end to end with tiny settings on a synthetic file shaped like seattle-weather.csv.</summary>
public sealed class ForecastWeatherExampleTests
{
    [Fact]
    public async Task The_example_trains_evaluates_plots_and_forecasts_a_week()
    {
        var folder = Directory.CreateTempSubdirectory("lstmtext-forecast-example-").FullName;
        try
        {
            var csv = new StringBuilder("date,precipitation,temp_max,temp_min,wind,weather\n");
            var random = new Random(1);
            var start = new DateTime(2012, 1, 1, 0, 0, 0, DateTimeKind.Utc);
            for (int d = 0; d < 200; d++)
            {
                double max = 15 + 8 * Math.Sin(2 * Math.PI * (d - 100) / 365.0) + 2 * random.NextDouble();
                csv.Append(CultureInfo.InvariantCulture, $"{start.AddDays(d):yyyy-MM-dd},0.0,{max:F1},{max - 8:F1},3.0,sun\n");
            }
            string data = Path.Combine(folder, "weather.csv");
            string plot = Path.Combine(folder, "plot.svg");
            await File.WriteAllTextAsync(data, csv.ToString());
            var output = new StringWriter();
            var log = new StringWriter();
            int exit = await ForecastWeather.TrainAndForecast.RunAsync([data, "2", plot], output, log);
            Assert.Equal(0, exit);
            var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.StartsWith("MAE on the last 20 %: LSTM ", lines[0], StringComparison.Ordinal);
            Assert.Equal(8, lines.Length);
            Assert.StartsWith("2012-07-19 ", lines[1], StringComparison.Ordinal); // the day after the 200th
            Assert.Contains("trained 2 epochs", log.ToString(), StringComparison.Ordinal);
            Assert.StartsWith("<svg", await File.ReadAllTextAsync(plot), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
