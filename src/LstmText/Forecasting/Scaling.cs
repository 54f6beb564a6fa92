namespace LstmText.Forecasting;

/// <summary>How values are scaled before they reach the network.</summary>
public enum ScalingKind
{
    /// <summary>(x − min) / (max − min), fitted on the training part: training values land in [0, 1].</summary>
    MinMax,

    /// <summary>(x − mean) / standard deviation, fitted on the training part.</summary>
    Standard,
}

/// <summary>A fitted affine scaling x → (x − <see cref="Offset"/>) / <see cref="Scale"/> and its inverse.</summary>
/// <param name="Offset">Subtracted first (the minimum or the mean).</param>
/// <param name="Scale">Divided by next (the range or the standard deviation; 1 for a constant series).</param>
public readonly record struct FittedScaler(double Offset, double Scale)
{
    /// <summary>Fits a scaler of <paramref name="kind"/> to <paramref name="values"/> (the training part only).</summary>
    /// <exception cref="ArgumentException">There are no values.</exception>
    public static FittedScaler Fit(ScalingKind kind, IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var data = values.ToArray();
        if (data.Length == 0) throw new ArgumentException("A scaler needs at least one value to fit.", nameof(values));
        if (kind == ScalingKind.MinMax)
        {
            double min = data.Min(), max = data.Max();
            return new FittedScaler(min, max > min ? max - min : 1);
        }
        double mean = data.Average();
        double variance = data.Sum(v => (v - mean) * (v - mean)) / data.Length;
        return new FittedScaler(mean, variance > 0 ? Math.Sqrt(variance) : 1);
    }

    /// <summary>The scaled value.</summary>
    public double Apply(double value) => (value - Offset) / Scale;

    /// <summary>The original value of a scaled one.</summary>
    public double Invert(double scaled) => scaled * Scale + Offset;
}
