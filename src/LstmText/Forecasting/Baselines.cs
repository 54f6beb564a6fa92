namespace LstmText.Forecasting;

/// <summary>The forecasts every model must beat: the last value (naive) and the value one season earlier (seasonal naive).</summary>
public static class Baselines
{
    /// <summary>The naive forecast of point <paramref name="t"/> made <paramref name="steps"/> steps ahead: y[t − steps].</summary>
    public static double Naive(IReadOnlyList<double> values, int t, int steps)
    {
        ArgumentNullException.ThrowIfNull(values);
        return values[t - steps];
    }

    /// <summary>The seasonal-naive forecast of point <paramref name="t"/> made <paramref name="steps"/> steps ahead: the
    /// value a whole number of seasons earlier that was known at the origin, y[t − s·⌈steps/s⌉].</summary>
    public static double SeasonalNaive(IReadOnlyList<double> values, int t, int steps, int season)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (season < 1) return Naive(values, t, steps);
        int back = season * ((steps + season - 1) / season);
        return values[t - back];
    }
}
