using LstmText.Forecasting;

namespace LstmText.Tests.Forecasting;

/// <summary>Windows, scaling, differencing, the chronological split, calendar features and metrics, checked by hand on small cases.</summary>
public sealed class SeriesPreparationTests
{
    private static readonly DateTime Start = new(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData(ScalingKind.MinMax)]
    [InlineData(ScalingKind.Standard)]
    public void Scaling_round_trips_and_is_fitted_on_the_given_values_only(ScalingKind kind)
    {
        double[] training = [3, 5, 9, 11];
        var scaler = FittedScaler.Fit(kind, training);
        foreach (var v in new[] { -4.0, 3, 7.5, 100 }) Assert.Equal(v, scaler.Invert(scaler.Apply(v)), 10);
        if (kind == ScalingKind.MinMax)
        {
            Assert.Equal(0, scaler.Apply(3), 12);
            Assert.Equal(1, scaler.Apply(11), 12);
            Assert.Equal(1.5, scaler.Apply(15), 12); // a later, larger value is not clipped: the scaler never saw it
        }
        else
        {
            Assert.Equal(7, scaler.Offset, 12);
            Assert.Equal(Math.Sqrt((16 + 4 + 4 + 16) / 4.0), scaler.Scale, 12);
        }
    }

    [Fact]
    public void A_constant_series_scales_without_dividing_by_zero()
    {
        var scaler = FittedScaler.Fit(ScalingKind.MinMax, [2.0, 2, 2]);
        Assert.Equal(0, scaler.Apply(2));
        Assert.Equal(2, scaler.Invert(0));
    }

    [Theory]
    [InlineData(true, 0)]
    [InlineData(false, 4)]
    [InlineData(true, 4)]
    public void Differencing_and_its_inverse_give_back_the_series(bool first, int season)
    {
        var random = new Random(3);
        var y = Enumerable.Range(0, 30).Select(t => 0.5 * t + 3 * Math.Sin(2 * Math.PI * t / 4) + random.NextDouble()).ToArray();
        var d = Differencing.Of(first, season);
        var z = d.Apply(y);
        Assert.Equal(y.Length - d.Order, z.Length);
        int cut = 12;
        var rebuilt = d.Invert(y.Take(cut).ToArray(), z.Skip(cut - d.Order).ToArray());
        for (int i = 0; i < rebuilt.Length; i++) Assert.Equal(y[cut + i], rebuilt[i], 9);
    }

    [Fact]
    public void Differencing_matches_hand_computed_values()
    {
        double[] y = [1, 4, 9, 16, 25, 36];
        Assert.Equal([3.0, 5, 7, 9, 11], Differencing.Of(true, 0).Apply(y));
        Assert.Equal([8.0, 12, 16, 20], Differencing.Of(false, 2).Apply(y));
        // (1 − B)(1 − B²): y_t − y_{t−1} − y_{t−2} + y_{t−3}
        Assert.Equal([16 - 9 - 4 + 1.0, 25 - 16 - 9 + 4, 36 - 25 - 16 + 9], Differencing.Of(true, 2).Apply(y));
    }

    [Fact]
    public void Windows_hold_the_lookback_values_the_next_calendar_and_the_horizon_targets()
    {
        var series = TimeSeries.FromValues(Start, TimeStep.OfDuration(TimeSpan.FromDays(1)), Enumerable.Range(0, 40).Select(t => (double)t).ToArray());
        var model = Forecaster.Configure().Lookback(4).Horizon(2).Calendar(CalendarFeatures.DayOfWeek).Lstm(3)
            .Training(t => t.Epochs(1).TestFraction(0.25).ValidationFraction(0)).Train([series]);
        var prepared = model.Prepare(series);
        int width = model.InputFeatures;
        Assert.Equal(1 + 2, width);
        var sequence = new float[4 * width];
        var skip = new float[model.SkipFeatures];
        model.FillWindow(prepared, 10, sequence, skip);
        var scaler = model.TargetScaler;
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(scaler.Apply(7 + i), sequence[i * width], 5);
            Assert.Equal(scaler.Apply(7 + i), skip[i], 5);
            var expected = new float[2];
            Calendar.Write(CalendarFeatures.DayOfWeek, series.Times[7 + i], expected);
            Assert.Equal(expected, sequence.AsSpan(i * width + 1, 2).ToArray());
        }
        var next = new float[2];
        Calendar.Write(CalendarFeatures.DayOfWeek, series.Times[11], next);
        Assert.Equal(next, skip.AsSpan(4, 2).ToArray());
        // Scaling was fitted on the training part only: the first 30 points (40 − 25 %), so 29 maps to 1.
        Assert.Equal(1, scaler.Apply(29), 6);
        Assert.Equal(0, scaler.Apply(0), 6);
    }

    [Fact]
    public void The_split_is_chronological_and_training_never_sees_the_test_part()
    {
        // Training windows end before point 30 of 40; the validation part is 10 % of the rest (3 points, 27..29).
        var series = TimeSeries.FromValues(Start, TimeStep.OfDuration(TimeSpan.FromDays(1)), Enumerable.Range(0, 40).Select(t => (double)t).ToArray());
        var model = Forecaster.Configure().Lookback(5).Horizon(1).Lstm(2)
            .Training(t => t.Epochs(1).TestFraction(0.25).ValidationFraction(0.1)).Train([series]);
        // Windows with targets at 5..26 train: 22 of them.
        Assert.Equal(22, model.Training!.TrainingExamples);
        Assert.Equal(26, model.TargetScaler.Offset + model.TargetScaler.Scale, 9);
        var evaluation = model.Evaluate([series]);
        Assert.Equal(10, evaluation.Model.Count);
        Assert.Equal(30, evaluation.Series[0].TestStart);
    }

    [Fact]
    public void Calendar_features_are_sines_and_cosines_of_the_cycle()
    {
        var values = new float[4];
        Calendar.Write(CalendarFeatures.DayOfWeek | CalendarFeatures.Month, new DateTime(2024, 4, 3, 0, 0, 0, DateTimeKind.Utc), values); // a Wednesday in April
        Assert.Equal(Math.Sin(2 * Math.PI * 3 / 7), values[0], 5);
        Assert.Equal(Math.Cos(2 * Math.PI * 3 / 7), values[1], 5);
        Assert.Equal(Math.Sin(2 * Math.PI * 3 / 12), values[2], 5);
        Assert.Equal(Math.Cos(2 * Math.PI * 3 / 12), values[3], 5);
        Assert.Equal(CalendarFeatures.Month, Calendar.For(TimeStep.OfMonths(1)));
        Assert.Equal(12, TimeStep.OfMonths(1).UsualSeason(100));
        Assert.Equal(365, TimeStep.OfDuration(TimeSpan.FromDays(1)).UsualSeason(1461));
        Assert.Equal(24, TimeStep.OfDuration(TimeSpan.FromHours(1)).UsualSeason(1000));
    }

    [Fact]
    public void Metrics_match_hand_computations()
    {
        double[] actual = [2, 4, 6, 8];
        double[] forecast = [3, 4, 4, 9];
        var m = ForecastMetrics.Compute(actual, forecast, naiveScale: 2);
        Assert.Equal((1 + 0 + 2 + 1) / 4.0, m.Mae, 12);
        Assert.Equal(Math.Sqrt((1 + 0 + 4 + 1) / 4.0), m.Rmse, 12);
        Assert.Equal(100 * (0.5 + 0 + 2 / 6.0 + 1 / 8.0) / 4, m.Mape, 12);
        Assert.Equal(1.0 / 2, m.Mase, 12);
        Assert.Equal(1 - 6 / 20.0, m.R2, 12); // Σ(y − ȳ)² = 9 + 1 + 1 + 9
        Assert.Equal(2, ForecastMetrics.NaiveScale([1.0, 3, 1, 3]), 12);
        Assert.Equal(0.9 * 2, PinballLoss.Of(0.9, 5, 3), 12);
        Assert.Equal(0.1 * 2, PinballLoss.Of(0.9, 3, 5), 12);
    }

    [Fact]
    public void Baselines_repeat_the_last_value_and_the_last_season()
    {
        double[] y = [1, 2, 3, 4, 5, 6, 7, 8];
        Assert.Equal(7, Baselines.Naive(y, 7, 1));
        Assert.Equal(5, Baselines.Naive(y, 7, 3));
        Assert.Equal(5, Baselines.SeasonalNaive(y, 7, 1, 3)); // one season back
        Assert.Equal(2, Baselines.SeasonalNaive(y, 7, 4, 3)); // two seasons back: y[7 − 6] would need a forecast 4 ahead
    }

    [Fact]
    public void Plot_ticks_are_round_and_cover_the_range()
    {
        var ticks = ForecastPlot.NiceTicks(3.2, 17.9, 6);
        Assert.Equal([0.0, 5, 10, 15, 20], ticks); // steps of 1, 2 or 5 × 10ⁿ; the last tick reaches past the highest value
        Assert.Equal([-0.2, 0, 0.2, 0.4], ForecastPlot.NiceTicks(-0.15, 0.31, 4));
    }
}
