namespace LstmText.Forecasting;

/// <summary>The result of a rolling-origin evaluation: the model's errors beside the baselines', and every forecast.</summary>
/// <param name="StepsAhead">How far ahead each scored forecast was made.</param>
/// <param name="Season">The season of the seasonal-naive baseline.</param>
/// <param name="Model">The model's errors.</param>
/// <param name="Naive">The naive forecast's errors on the same points.</param>
/// <param name="SeasonalNaive">The seasonal-naive forecast's errors on the same points.</param>
/// <param name="Coverage">Pinball loss and interval coverage of a quantile model, or null.</param>
/// <param name="Series">Per series, the actual values and forecasts (for plots).</param>
public sealed record ForecastEvaluation(int StepsAhead, int Season, ForecastMetrics Model, ForecastMetrics Naive, ForecastMetrics SeasonalNaive,
    IntervalCoverage? Coverage, IReadOnlyList<SeriesEvaluation> Series);

/// <summary>One series' evaluation: its values and the forecasts of its test points.</summary>
public sealed class SeriesEvaluation
{
    internal SeriesEvaluation(TimeSeries series, int testStart, int firstForecast)
    {
        Series = series;
        TestStart = testStart;
        FirstForecast = firstForecast;
    }

    /// <summary>The whole series.</summary>
    public TimeSeries Series { get; }

    /// <summary>Index of the first point of the test part.</summary>
    public int TestStart { get; }

    /// <summary>Index of the first forecast point (the test start, unless the history before it was too short).</summary>
    public int FirstForecast { get; }

    /// <summary>The model's forecast of each point from <see cref="FirstForecast"/> on.</summary>
    public List<double> Forecasts { get; } = [];

    /// <summary>The naive forecast of the same points.</summary>
    public List<double> Naive { get; } = [];

    /// <summary>The seasonal-naive forecast of the same points.</summary>
    public List<double> SeasonalNaive { get; } = [];

    /// <summary>The lowest quantile's forecast of each point (empty for a point model).</summary>
    public List<double> Lower { get; } = [];

    /// <summary>The highest quantile's forecast of each point (empty for a point model).</summary>
    public List<double> Upper { get; } = [];
}
