using LstmText.Forecasting;
using LstmText.Tests.IO;

namespace LstmText.Tests.Forecasting;

/// <summary>Train, evaluate, predict, save and load on a short synthetic series: sine plus trend plus noise.</summary>
public sealed class ForecasterEndToEndTests
{
    internal static TimeSeries Synthetic(int length = 400, int seed = 5)
    {
        var random = new Random(seed);
        var values = Enumerable.Range(0, length).Select(t => 10 + 0.05 * t + 3 * Math.Sin(2 * Math.PI * t / 12) + 0.3 * (random.NextDouble() - 0.5)).ToArray();
        return TimeSeries.FromValues(new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc), TimeStep.OfMonths(1), values);
    }

    private static ForecasterBuilder Small() => Forecaster.Configure().Lookback(24).Lstm(16).Difference(first: true)
        .Training(t => t.Epochs(40).LearningRate(3e-3f).Seed(3));

    [Fact]
    public void The_forecast_beats_naive_and_survives_saving()
    {
        var series = Synthetic();
        var model = Small().Train([series]);
        var evaluation = model.Evaluate([series], 0.2);
        Assert.Equal(80, evaluation.Model.Count);
        Assert.True(evaluation.Model.Mae < 0.7 * evaluation.Naive.Mae, $"LSTM MAE {evaluation.Model.Mae:F3}, naive {evaluation.Naive.Mae:F3}");
        Assert.True(evaluation.Model.R2 > 0.9, $"R² {evaluation.Model.R2:F3}");

        using var folder = new TemporaryFolder();
        string path = Path.Combine(folder.Path, "m.safetensors");
        model.Save(path);
        var loaded = Forecaster.Load(path);
        Assert.Equal(model.Predict(series, 5).Select(p => p.Value), loaded.Predict(series, 5).Select(p => p.Value));
        Assert.Equal(model.Training!.Epochs, loaded.Training!.Epochs);
        Assert.Equal(12, loaded.Season);
    }

    [Fact]
    public void Predict_continues_the_series_at_its_step()
    {
        var series = Synthetic();
        var model = Small().Horizon(3).Train([series]);
        var points = model.Predict(series, 7);
        Assert.Equal(7, points.Count);
        Assert.Equal(series.Times[^1].AddMonths(1), points[0].Time);
        Assert.Equal(series.Times[^1].AddMonths(7), points[6].Time);
        // The continuation stays near the series' own level and trend (the last value is about 30).
        Assert.All(points, p => Assert.InRange(p.Value, series.Target[^1] - 6, series.Target[^1] + 6));
    }

    [Fact]
    public void Quantile_forecasts_are_ordered_and_their_coverage_is_reported()
    {
        var series = Synthetic(300);
        var model = Small().Quantiles(0.1, 0.5, 0.9).Train([series]);
        var evaluation = model.Evaluate([series], 0.2);
        var coverage = Assert.IsType<IntervalCoverage>(evaluation.Coverage);
        Assert.Equal(0.8, coverage.Nominal, 9);
        Assert.InRange(coverage.Coverage, 0.4, 1.0);
        var block = model.Forecast(series);
        Assert.True(block.Quantiles[0][0] <= block.Quantiles[0][2], "the 10 % quantile lies below the 90 % one");
        Assert.Equal(block.Quantiles[0][1], block.Values[0]);
    }

    [Fact]
    public void One_model_trains_across_several_series()
    {
        var a = Synthetic(200, 1);
        var b = TimeSeries.FromValues(a.Times[0], a.Step, Synthetic(200, 2).Target.Select(v => v + 5).ToArray(), "b");
        var model = Small().Training(t => t.Epochs(5)).Train([a, b]);
        var evaluation = model.Evaluate([a, b], 0.2);
        Assert.Equal(2, evaluation.Series.Count);
        Assert.Equal(80, evaluation.Model.Count);
    }

    [Fact]
    public void A_file_that_is_not_a_forecaster_is_refused_by_name()
    {
        using var folder = new TemporaryFolder();
        string path = Path.Combine(folder.Path, "x.safetensors");
        LstmText.IO.SafeTensorsFile.Write(path, new Dictionary<string, LstmText.Tensors.Tensor> { ["w"] = LstmText.Tensors.Tensor.Zeros(2) });
        var failure = Assert.Throws<LstmText.IO.ModelFileFormatException>(() => Forecaster.Load(path));
        Assert.Contains("not a forecaster's model file", failure.Message, StringComparison.Ordinal);
    }
}
