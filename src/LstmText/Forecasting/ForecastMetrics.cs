namespace LstmText.Forecasting;

/// <summary>Point-forecast errors against the truth.</summary>
/// <param name="Mae">Mean absolute error.</param>
/// <param name="Rmse">Root mean squared error.</param>
/// <param name="Mape">Mean absolute percentage error, in percent, over the actual values that are not zero (NaN if all are).</param>
/// <param name="Mase">MAE divided by the in-sample MAE of the one-step naive forecast on the training part.</param>
/// <param name="R2">Coefficient of determination: 1 − SSE / Σ(y − ȳ)².</param>
/// <param name="Count">How many forecasts were scored.</param>
public sealed record ForecastMetrics(double Mae, double Rmse, double Mape, double Mase, double R2, int Count)
{
    /// <summary>Scores <paramref name="forecasts"/> against <paramref name="actuals"/>; <paramref name="naiveScale"/> is
    /// the training part's mean absolute one-step change (the MASE denominator).</summary>
    /// <exception cref="ArgumentException">The lists differ in length or are empty.</exception>
    public static ForecastMetrics Compute(IReadOnlyList<double> actuals, IReadOnlyList<double> forecasts, double naiveScale)
    {
        ArgumentNullException.ThrowIfNull(actuals);
        ArgumentNullException.ThrowIfNull(forecasts);
        if (actuals.Count != forecasts.Count) throw new ArgumentException($"{actuals.Count} actual values but {forecasts.Count} forecasts.", nameof(forecasts));
        if (actuals.Count == 0) throw new ArgumentException("There is nothing to score.", nameof(actuals));
        int n = actuals.Count;
        double abs = 0, squared = 0, percent = 0, mean = actuals.Average(), total = 0;
        int percentCount = 0;
        for (int i = 0; i < n; i++)
        {
            double e = actuals[i] - forecasts[i];
            abs += Math.Abs(e);
            squared += e * e;
            total += (actuals[i] - mean) * (actuals[i] - mean);
            if (actuals[i] != 0)
            {
                percent += Math.Abs(e / actuals[i]);
                percentCount++;
            }
        }
        double mae = abs / n;
        return new ForecastMetrics(mae, Math.Sqrt(squared / n), percentCount > 0 ? 100 * percent / percentCount : double.NaN,
            naiveScale > 0 ? mae / naiveScale : double.NaN, total > 0 ? 1 - squared / total : double.NaN, n);
    }

    /// <summary>The mean absolute one-step change of <paramref name="values"/> (the MASE scale); NaN with fewer than two values.</summary>
    public static double NaiveScale(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count < 2) return double.NaN;
        double sum = 0;
        for (int i = 1; i < values.Count; i++) sum += Math.Abs(values[i] - values[i - 1]);
        return sum / (values.Count - 1);
    }
}

/// <summary>The quantile forecasts' losses and how often the outer quantiles enclosed the truth.</summary>
/// <param name="Pinball">Mean pinball loss over the quantiles and forecasts, in the target's units.</param>
/// <param name="Coverage">The share of actual values within [lowest quantile, highest quantile].</param>
/// <param name="Nominal">The share the interval should cover: highest minus lowest quantile.</param>
public sealed record IntervalCoverage(double Pinball, double Coverage, double Nominal);

/// <summary>The pinball (quantile) loss of one forecast.</summary>
public static class PinballLoss
{
    /// <summary>max(q·(y − p), (q − 1)·(y − p)).</summary>
    public static double Of(double quantile, double actual, double predicted)
    {
        double e = actual - predicted;
        return Math.Max(quantile * e, (quantile - 1) * e);
    }
}
