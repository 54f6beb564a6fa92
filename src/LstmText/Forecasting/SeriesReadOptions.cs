namespace LstmText.Forecasting;

/// <summary>Which columns of a series file hold the time, the target, the extra inputs and the series id.</summary>
/// <param name="TimeColumn">The timestamp column (ISO 8601 dates or date-times).</param>
/// <param name="TargetColumn">The value to forecast.</param>
/// <param name="FeatureColumns">Other numeric columns given to the model as inputs (may be empty).</param>
/// <param name="SeriesColumn">A column naming the series each row belongs to, or null for one series.</param>
/// <param name="Fill">How missing or non-numeric values are repaired; <see cref="MissingValueFill.None"/> refuses them.</param>
public sealed record SeriesReadOptions(
    string TimeColumn, string TargetColumn, IReadOnlyList<string>? FeatureColumns = null, string? SeriesColumn = null,
    MissingValueFill Fill = MissingValueFill.None)
{
    /// <summary>The feature columns, never null.</summary>
    public IReadOnlyList<string> Features => FeatureColumns ?? [];
}
