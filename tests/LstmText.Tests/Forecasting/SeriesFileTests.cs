using LstmText.Forecasting;

namespace LstmText.Tests.Forecasting;

/// <summary>Reading series files: columns, several series, fills, and one clear message for each kind of bad input.</summary>
public sealed class SeriesFileTests
{
    private static readonly SeriesReadOptions Columns = new("date", "value");

    private static IReadOnlyList<TimeSeries> Read(string csv, SeriesReadOptions? options = null) =>
        SeriesFile.Read(new StringReader(csv), "s.csv", options ?? Columns);

    private static string Failure(string csv, SeriesReadOptions? options = null) =>
        Assert.Throws<SeriesFormatException>(() => Read(csv, options)).Message;

    [Fact]
    public void Reads_the_time_target_and_feature_columns()
    {
        var s = Read("date,other,value\n2020-01-01,1.5,10\n2020-01-02,2.5,11\n2020-01-03,3.5,12\n",
            Columns with { FeatureColumns = ["other"] }).Single();
        Assert.Equal([10.0, 11, 12], s.Target);
        Assert.Equal([1.5, 2.5, 3.5], s.Features[0]);
        Assert.Equal(TimeStep.OfDuration(TimeSpan.FromDays(1)), s.Step);
        Assert.Equal(new DateTime(2020, 1, 3, 0, 0, 0, DateTimeKind.Utc), s.Times[2]);
    }

    [Fact]
    public void Splits_rows_into_series_by_the_id_column()
    {
        var all = Read("symbol,date,value\nA,2020-01-01,1\nB,2020-01-01,5\nA,2020-01-02,2\nB,2020-01-02,6\n", Columns with { SeriesColumn = "symbol" });
        Assert.Equal(["A", "B"], all.Select(s => s.Id));
        Assert.Equal([5.0, 6], all[1].Target);
    }

    [Fact]
    public void Monthly_series_step_by_calendar_months()
    {
        var s = Read("date,value\n2020-01-01,1\n2020-02-01,2\n2020-03-01,3\n").Single();
        Assert.Equal(TimeStep.OfMonths(1), s.Step);
    }

    [Fact]
    public void A_missing_value_names_its_line_and_column()
    {
        Assert.Equal("s.csv line 3, column value: the value is missing (repair with --fill linear or --fill previous)",
            Failure("date,value\n2020-01-01,1\n2020-01-02,\n2020-01-03,3\n"));
    }

    [Fact]
    public void A_non_numeric_value_names_its_line_column_and_text()
    {
        Assert.Equal("s.csv line 4, column value: 'n/a' is not a number (repair with --fill linear or --fill previous)",
            Failure("date,value\n2020-01-01,1\n2020-01-02,2\n2020-01-03,n/a\n2020-01-04,4\n"));
    }

    [Theory]
    [InlineData(MissingValueFill.Linear, new[] { 1.0, 2, 3, 4, 4 })]
    [InlineData(MissingValueFill.Previous, new[] { 1.0, 1, 1, 4, 4 })]
    public void Fill_repairs_missing_values(MissingValueFill fill, double[] expected)
    {
        var s = Read("date,value\n2020-01-01,1\n2020-01-02,\n2020-01-03,x\n2020-01-04,4\n2020-01-05,\n", Columns with { Fill = fill }).Single();
        Assert.Equal(expected, s.Target);
    }

    [Fact]
    public void Fill_inserts_missing_times()
    {
        var s = Read("date,value\n2020-01-01,1\n2020-04-01,4\n2020-05-01,5\n", Columns with { Fill = MissingValueFill.Linear }).Single();
        Assert.Equal([1.0, 2, 3, 4, 5], s.Target);
        Assert.Equal(new DateTime(2020, 2, 1, 0, 0, 0, DateTimeKind.Utc), s.Times[1]);
    }

    [Fact]
    public void Unsorted_times_are_refused()
    {
        Assert.Equal("s.csv line 4: time 2020-01-02 comes before 2020-01-03 on line 3; sort the file by date",
            Failure("date,value\n2020-01-01,1\n2020-01-03,3\n2020-01-02,2\n"));
    }

    [Fact]
    public void Duplicate_times_are_refused()
    {
        Assert.Equal("s.csv line 4: time 2020-01-02 repeats line 3; each time may appear once",
            Failure("date,value\n2020-01-01,1\n2020-01-02,2\n2020-01-02,2\n2020-01-03,3\n"));
    }

    [Fact]
    public void Irregular_spacing_is_refused()
    {
        Assert.Equal("s.csv line 5: time 2020-01-05 does not follow 2020-01-03 by the series' step of 1 day; the series must be regularly spaced (--fill linear or --fill previous inserts missing times)",
            Failure("date,value\n2020-01-01,1\n2020-01-02,2\n2020-01-03,3\n2020-01-05,5\n2020-01-06,6\n"));
        Assert.Contains("off the series' regular grid",
            Failure("date,value\n2020-01-01T00:00:00,1\n2020-01-01T01:00:00,2\n2020-01-01T02:30:00,3\n", Columns with { Fill = MissingValueFill.Linear }), StringComparison.Ordinal);
    }

    [Fact]
    public void A_target_column_that_does_not_exist_is_named_with_the_columns_there_are()
    {
        Assert.Equal("--target: column 'temp' is not in s.csv (its columns: date, value)",
            Failure("date,value\n2020-01-01,1\n", Columns with { TargetColumn = "temp" }));
    }

    [Fact]
    public void A_date_that_cannot_be_read_names_its_line()
    {
        Assert.StartsWith("s.csv line 3, column date: 'yesterday' is not a date or time",
            Failure("date,value\n2020-01-01,1\nyesterday,2\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_series_shorter_than_lookback_and_horizon_is_refused_before_training()
    {
        var s = Read("date,value\n" + string.Join("\n", Enumerable.Range(1, 9).Select(d => $"2020-01-0{d},{d}")) + "\n");
        var failure = Assert.Throws<SeriesFormatException>(() => Forecaster.Configure().Lookback(10).Horizon(2).Train(s));
        Assert.Equal("the series has 9 points; lookback 10 + horizon 2 needs at least 12 (lookback, horizon and differencing)", failure.Message);
    }
}
