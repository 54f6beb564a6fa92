namespace LstmText.Forecasting;

/// <summary>What to do with a missing or non-numeric value in a series.</summary>
public enum MissingValueFill
{
    /// <summary>Refuse the file, naming the row and column.</summary>
    None,

    /// <summary>Interpolate linearly between the neighbouring values (the nearest value at either end).</summary>
    Linear,

    /// <summary>Repeat the previous value (the next value at the start).</summary>
    Previous,
}
