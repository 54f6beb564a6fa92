using System.Globalization;
using System.Text;
using System.Text.Json;

namespace LstmText.Cli.Tests;

/// <summary>forecast train, evaluate and predict on a short synthetic series (sine plus trend plus noise), and their one-line errors.</summary>
public sealed class ForecastCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("lstmtext-cli-forecast-").FullName;
    private readonly string _data;

    public ForecastCommandTests()
    {
        _data = PathOf("series.csv");
        File.WriteAllText(_data, SyntheticCsv(300));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    internal static string SyntheticCsv(int length)
    {
        var random = new Random(7);
        var csv = new StringBuilder("month,level,temperature\n");
        var start = new DateTime(1990, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        for (int t = 0; t < length; t++)
        {
            double level = 50 + 0.08 * t + 4 * Math.Sin(2 * Math.PI * t / 12) + 0.4 * (random.NextDouble() - 0.5);
            double temperature = 10 + 8 * Math.Sin(2 * Math.PI * (t - 2) / 12) + random.NextDouble();
            csv.Append(CultureInfo.InvariantCulture, $"{start.AddMonths(t):yyyy-MM-dd},{level:F3},{temperature:F2}\n");
        }
        return csv.ToString();
    }

    /// <summary>The training command line; <paramref name="changes"/> are (option, value) pairs that replace or add to it.</summary>
    private string[] TrainArguments(string model, params string[] changes)
    {
        var arguments = new List<string>
        {
            "forecast", "train", "--data", _data, "--time-column", "month", "--target", "level", "--lookback", "24", "--hidden", "16",
            "--difference", "first", "--epochs", "40", "--lr", "0.003", "--seed", "3", "--quiet", "--out", model,
        };
        for (int i = 0; i + 1 < changes.Length; i += 2)
        {
            int at = arguments.IndexOf(changes[i]);
            if (at >= 0) arguments[at + 1] = changes[i + 1];
            else arguments.AddRange([changes[i], changes[i + 1]]);
        }
        return [.. arguments];
    }

    [Fact]
    public void Train_takes_the_shared_training_options_writes_checkpoints_and_a_log_and_resumes()
    {
        string model = PathOf("shared.safetensors");
        var (exit, _, error) = CommandLine.Run(TrainArguments(model, "--epochs", "3", "--validate-every", "4", "--schedule", "cosine",
            "--warmup", "2", "--optimizer", "adamw", "--clip", "1"));
        Assert.True(exit == 0, error);
        Assert.Contains("(epochs)", error, StringComparison.Ordinal);
        foreach (var beside in new[] { ".last.ckpt.safetensors", ".best.ckpt.safetensors", ".log.jsonl", ".loss.svg" })
            Assert.True(File.Exists(PathOf("shared" + beside)), beside);
        Assert.Contains("\"validation_mae\"", File.ReadAllText(PathOf("shared.log.jsonl")), StringComparison.Ordinal);

        string checkpoint = PathOf("shared.last.ckpt.safetensors");
        (exit, _, error) = CommandLine.Run(TrainArguments(model, "--epochs", "4", "--validate-every", "4", "--schedule", "cosine",
            "--warmup", "2", "--optimizer", "adamw", "--clip", "1", "--resume", checkpoint));
        Assert.True(exit == 0, error);
        Assert.Contains("4 epochs (epochs)", error, StringComparison.Ordinal);

        (exit, _, error) = CommandLine.Run(TrainArguments(model, "--epochs", "5", "--validate-every", "4", "--optimizer", "adamw",
            "--lookback", "12", "--resume", checkpoint));
        Assert.Equal(1, exit);
        Assert.Contains("lookback 24 in the checkpoint, 12 asked", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", error, StringComparison.Ordinal);

        (exit, var output, error) = CommandLine.Run("forecast", "evaluate", "--model", PathOf("shared.best.ckpt.safetensors"), "--data", _data, "--json");
        Assert.True(exit == 0, error);
        Assert.Contains("\"mae\"", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_evaluate_and_predict_beat_naive_and_write_their_files()
    {
        string model = PathOf("level.safetensors");
        var (exit, _, error) = CommandLine.Run(TrainArguments(model, "--features", "temperature"));
        Assert.True(exit == 0, error);
        Assert.Contains("wrote " + model, error, StringComparison.Ordinal);

        string plot = PathOf("evaluation.svg");
        (exit, var output, error) = CommandLine.Run("forecast", "evaluate", "--model", model, "--data", _data, "--test-fraction", "0.2", "--json", "--plot", plot);
        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        double mae = root.GetProperty("mae").GetDouble();
        double naive = root.GetProperty("baselines").GetProperty("naive").GetProperty("mae").GetDouble();
        Assert.True(mae < 0.7 * naive, $"LSTM MAE {mae}, naive {naive}");
        foreach (var name in new[] { "rmse", "mape", "mase", "r2" }) Assert.True(root.TryGetProperty(name, out _), name);
        Assert.True(root.GetProperty("baselines").GetProperty("seasonal_naive").TryGetProperty("mase", out _));
        Assert.Equal(60, root.GetProperty("count").GetInt32());
        string svg = File.ReadAllText(plot);
        Assert.StartsWith("<svg", svg, StringComparison.Ordinal);
        Assert.Contains("class=\"test-region\"", svg, StringComparison.Ordinal);
        Assert.Contains("stroke-dasharray", svg, StringComparison.Ordinal); // baselines dashed
        Assert.Contains("class=\"x-tick\"", svg, StringComparison.Ordinal);
        Assert.Contains(">seasonal naive (12)<", svg, StringComparison.Ordinal);

        (exit, output, error) = CommandLine.Run("forecast", "evaluate", "--model", model, "--data", _data);
        Assert.True(exit == 0, error);
        Assert.Contains("seasonal naive", output, StringComparison.Ordinal);
        Assert.Contains("MASE", output, StringComparison.Ordinal);

        string next = PathOf("next.csv");
        (exit, _, error) = CommandLine.Run("forecast", "predict", "--model", model, "--data", _data, "--steps", "3", "--output", next, "--plot", PathOf("next.svg"));
        Assert.True(exit == 0, error);
        var lines = File.ReadAllLines(next);
        Assert.Equal("month,level", lines[0]);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("2015-01-01,", lines[1], StringComparison.Ordinal); // 300 months from 1990-01 end at 2014-12
        Assert.StartsWith("2015-03-01,", lines[3], StringComparison.Ordinal);
        Assert.True(File.Exists(PathOf("next.svg")));

        // The columns come from the model: a file without them is refused naming the model's column.
        string other = PathOf("other.csv");
        File.WriteAllText(other, "when,level\n1990-01-01,1\n");
        (exit, _, error) = CommandLine.Run("forecast", "evaluate", "--model", model, "--data", other);
        Assert.Equal(2, exit);
        Assert.Equal("error: the model's column 'month' is not in other.csv (its columns: when, level)\nsee: lstmtext forecast evaluate --help\n", error);
        (exit, _, error) = CommandLine.Run("forecast", "evaluate", "--model", _data, "--data", _data);
        Assert.Equal(1, exit);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Quantile_models_report_interval_coverage()
    {
        string model = PathOf("q.safetensors");
        var (exit, _, error) = CommandLine.Run(TrainArguments(model, "--quantiles", "0.1,0.5,0.9", "--epochs", "10"));
        Assert.True(exit == 0, error);
        (exit, var output, error) = CommandLine.Run("forecast", "evaluate", "--model", model, "--data", _data);
        Assert.True(exit == 0, error);
        Assert.Contains("interval coverage", output, StringComparison.Ordinal);
        (exit, output, error) = CommandLine.Run("forecast", "predict", "--model", model, "--data", _data, "--steps", "2");
        Assert.True(exit == 0, error);
        Assert.StartsWith("month,level,q0.1,q0.5,q0.9\n", output, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> BadSeries => new()
    {
        { "month,level\n1990-01-01,1\n1990-02-01,\n1990-03-01,3\n", "line 3, column level: the value is missing" },
        { "month,level\n1990-01-01,1\n1990-02-01,abc\n1990-03-01,3\n", "line 3, column level: 'abc' is not a number" },
        { "month,level\n1990-02-01,1\n1990-01-01,2\n1990-03-01,3\n", "line 3: time 1990-01-01 comes before 1990-02-01" },
        { "month,level\n1990-01-01,1\n1990-01-01,2\n1990-02-01,3\n", "line 3: time 1990-01-01 repeats line 2" },
        { "month,level\n1990-01-01,1\n1990-02-01,2\n1990-03-01,3\n1990-05-01,5\n", "does not follow 1990-03-01 by the series' step of 1 month" },
        { "month,level\n1990-01-01,1\n1990-02-01,2\n1990-03-01,3\n", "the series has 3 points; lookback 24 + horizon 1 + differencing 1 needs at least 26" },
        { "month,value\n1990-01-01,1\n", "--target: column 'level' is not in bad.csv (its columns: month, value)" },
    };

    [Theory]
    [MemberData(nameof(BadSeries))]
    public void Bad_series_get_one_line_exit_2_and_nothing_written(string csv, string expected)
    {
        string bad = PathOf("bad.csv");
        File.WriteAllText(bad, csv);
        string model = PathOf("never.safetensors");
        var (exit, output, error) = CommandLine.Run([.. TrainArguments(model).Select(a => a == _data ? bad : a)]);
        Assert.Equal(2, exit);
        Assert.Equal("", output);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("error: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
        Assert.Equal("see: lstmtext forecast train --help", lines[1]);
        Assert.DoesNotContain("Exception", error, StringComparison.Ordinal);
        Assert.DoesNotContain(Directory.GetFiles(_folder), f => !f.EndsWith(".csv", StringComparison.Ordinal));
    }

    [Fact]
    public void Fill_repairs_what_would_be_refused()
    {
        var csv = SyntheticCsv(120).Split('\n').ToList();
        csv[10] = csv[10].Split(',')[0] + ",,5";      // a missing level
        csv.RemoveAt(20);                              // a missing month
        string holes = PathOf("holes.csv");
        File.WriteAllText(holes, string.Join('\n', csv));
        var arguments = TrainArguments(PathOf("filled.safetensors"), "--epochs", "2").Select(a => a == _data ? holes : a).ToArray();
        Assert.Equal(2, CommandLine.Run(arguments).Exit);
        var (exit, _, error) = CommandLine.Run([.. arguments, "--fill", "linear"]); // --fill is not among the defaults
        Assert.True(exit == 0, error);
    }

    [Theory]
    [InlineData("--difference", "twice", "--difference must be none, first, seasonal or both, not 'twice'")]
    [InlineData("--quantiles", "0.1,1.5", "--quantiles: '1.5' is not a number strictly between 0 and 1")]
    [InlineData("--fill", "zero", "--fill must be linear or previous, not 'zero'")]
    [InlineData("--lookback", "0", "--lookback must be positive, not 0")]
    public void Bad_options_name_the_option(string option, string value, string expected)
    {
        var (exit, _, error) = CommandLine.Run(TrainArguments(PathOf("m.safetensors"), option, value));
        Assert.Equal(2, exit);
        Assert.Equal($"error: {expected}\nsee: lstmtext forecast train --help\n", error);
    }
}
