using System.Globalization;
using LstmText.IO;
using LstmText.Layers;

namespace LstmText.Forecasting;

/// <summary>
/// Reads series from a CSV file: a time column, a target column, optional feature columns and an optional id column
/// that splits the rows into several series. Every problem is one <see cref="SeriesFormatException"/> naming the line
/// and column.
/// </summary>
public static class SeriesFile
{
    private static readonly string[] TimeFormats =
    [
        "yyyy-MM-dd", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-ddTHH:mm", "yyyy-MM-dd HH:mm",
        "yyyy-MM-ddTHH:mm:ssZ", "yyyy-MM", "yyyy/MM/dd", "yyyy",
    ];

    /// <summary>Reads every series in <paramref name="path"/>, in order of first appearance.</summary>
    /// <exception cref="SeriesFormatException">A column is missing, a value is missing or not a number (and no fill is
    /// chosen), a time cannot be read, or the times are unsorted, repeated or irregular.</exception>
    public static IReadOnlyList<TimeSeries> Read(string path, SeriesReadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var table = TableReader.Open(path);
        return Read(table, options);
    }

    /// <summary>Reads every series from CSV text; <paramref name="sourceName"/> names it in messages.</summary>
    /// <inheritdoc cref="Read(string, SeriesReadOptions)" path="/exception"/>
    public static IReadOnlyList<TimeSeries> Read(TextReader text, string sourceName, SeriesReadOptions options)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(options);
        using var table = TableReader.Open(text, TableFormat.Csv, sourceName: sourceName);
        return Read(table, options);
    }

    private static TimeSeries[] Read(TableReader table, SeriesReadOptions options)
    {
        string sourceName = Path.GetFileName(table.Source);
        var header = table.Columns;
        if (header.Count == 0) throw new SeriesFormatException($"{sourceName} is empty: it needs a header line and rows");
        int Column(string name, string option)
        {
            int index = header.ToList().FindIndex(h => string.Equals(h.Trim(), name, StringComparison.Ordinal));
            if (index < 0)
                throw new SeriesFormatException($"{option}: column '{name}' is not in {sourceName} (its columns: {string.Join(", ", header)})");
            return index;
        }
        int timeIndex = Column(options.TimeColumn, "--time-column");
        int targetIndex = Column(options.TargetColumn, "--target");
        int[] featureIndexes = options.Features.Select(f => Column(f, "--features")).ToArray();
        int idIndex = options.SeriesColumn is { } idName ? Column(idName, "--series-column") : -1;
        string[] valueNames = [options.TargetColumn, .. options.Features];
        int[] valueIndexes = [targetIndex, .. featureIndexes];

        var groups = new Dictionary<string, Builder>(StringComparer.Ordinal);
        var order = new List<Builder>();
        foreach (var row in table.ReadRows())
        {
            int line = (int)row.Line;
            string? Field(int index) => index < row.Fields.Count ? row.Fields[index] : null;
            string id = idIndex >= 0 ? (Field(idIndex) ?? "").Trim() : "";
            if (idIndex >= 0 && id.Length == 0)
                throw new SeriesFormatException($"{sourceName} line {line}, column {options.SeriesColumn}: the series id is missing");
            if (!groups.TryGetValue(id, out var builder))
            {
                builder = new Builder(idIndex >= 0 ? id : null, valueNames.Length);
                groups.Add(id, builder);
                order.Add(builder);
            }
            string timeText = (Field(timeIndex) ?? "").Trim();
            if (!DateTime.TryParseExact(timeText, TimeFormats, CultureInfo.InvariantCulture,
                    DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time))
            {
                throw new SeriesFormatException(timeText.Length == 0
                    ? $"{sourceName} line {line}, column {options.TimeColumn}: the time is missing"
                    : $"{sourceName} line {line}, column {options.TimeColumn}: '{timeText}' is not a date or time (expected e.g. 2012-01-31 or 2012-01-31T13:00:00)");
            }
            builder.Add(time, line, valueIndexes.Select(i => Field(i)).ToArray());
        }
        if (order.Count == 0) throw new SeriesFormatException($"{sourceName} has a header but no rows");
        return order.Select(b => b.Build(sourceName, options, valueNames)).ToArray();
    }

    private sealed class Builder(string? id, int columns)
    {
        private readonly List<DateTime> _times = [];
        private readonly List<int> _lines = [];
        private readonly List<string?[]> _values = [];

        public void Add(DateTime time, int line, string?[] values)
        {
            _times.Add(time);
            _lines.Add(line);
            _values.Add(values);
        }

        public TimeSeries Build(string source, SeriesReadOptions options, string[] names)
        {
            string where = id is null ? source : $"{source} (series '{id}')";
            for (int i = 1; i < _times.Count; i++)
            {
                if (_times[i] == _times[i - 1])
                    throw new SeriesFormatException($"{where} line {_lines[i]}: time {Format(_times[i])} repeats line {_lines[i - 1]}; each time may appear once");
                if (_times[i] < _times[i - 1])
                    throw new SeriesFormatException($"{where} line {_lines[i]}: time {Format(_times[i])} comes before {Format(_times[i - 1])} on line {_lines[i - 1]}; sort the file by {options.TimeColumn}");
            }
            TimeStep step = _times.Count >= 2 ? MostCommonStep() : TimeStep.OfDuration(TimeSpan.FromDays(1));
            for (int i = 1; i < _times.Count; i++)
            {
                if (step.Advance(_times[i - 1], 1) == _times[i]) continue;
                int gap = 2;
                while (step.Advance(_times[i - 1], gap) < _times[i]) gap++;
                if (options.Fill == MissingValueFill.None || step.Advance(_times[i - 1], gap) != _times[i])
                {
                    throw new SeriesFormatException($"{where} line {_lines[i]}: time {Format(_times[i])} does not follow {Format(_times[i - 1])} by the series' step of {step}; " +
                        (options.Fill == MissingValueFill.None
                            ? "the series must be regularly spaced (--fill linear or --fill previous inserts missing times)"
                            : "the time is off the series' regular grid"));
                }
                // A whole number of steps is missing: insert them as missing values, which the fill repairs.
                for (int k = 1; k < gap; k++)
                {
                    _times.Insert(i, step.Advance(_times[i - 1], 1));
                    _lines.Insert(i, _lines[i]);
                    _values.Insert(i, new string?[columns]);
                    i++;
                }
            }
            var columnsOut = new double[columns][];
            for (int c = 0; c < columns; c++)
            {
                var values = new double[_times.Count];
                var missing = new List<int>();
                for (int i = 0; i < values.Length; i++)
                {
                    string text = (_values[i][c] ?? "").Trim();
                    if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v))
                    {
                        values[i] = v;
                        continue;
                    }
                    if (options.Fill == MissingValueFill.None)
                    {
                        throw new SeriesFormatException(text.Length == 0
                            ? $"{where} line {_lines[i]}, column {names[c]}: the value is missing (repair with --fill linear or --fill previous)"
                            : $"{where} line {_lines[i]}, column {names[c]}: '{text}' is not a number (repair with --fill linear or --fill previous)");
                    }
                    values[i] = double.NaN;
                    missing.Add(i);
                }
                if (missing.Count == values.Length)
                    throw new SeriesFormatException($"{where}, column {names[c]}: no value is a number, so none can be filled");
                if (missing.Count > 0) FillIn(values, options.Fill);
                columnsOut[c] = values;
            }
            return new TimeSeries(_times, columnsOut[0], columnsOut.Skip(1).Select(v => (IReadOnlyList<double>)v).ToArray(), id, step);
        }

        private TimeStep MostCommonStep() =>
            Enumerable.Range(1, _times.Count - 1).Select(i => TimeStep.Between(_times[i - 1], _times[i]))
                .GroupBy(s => s).OrderByDescending(g => g.Count()).ThenBy(g => g.Key.Months > 0 ? g.Key.Months * 30.44 : g.Key.Fixed.TotalDays).First().Key;

        private static string Format(DateTime time) => time.TimeOfDay == TimeSpan.Zero
            ? time.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : time.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture);
    }

    /// <summary>Replaces the NaNs of <paramref name="values"/> as <paramref name="fill"/> says (at least one value is a number).</summary>
    internal static void FillIn(double[] values, MissingValueFill fill)
    {
        int n = values.Length;
        int first = Array.FindIndex(values, double.IsFinite);
        for (int i = 0; i < first; i++) values[i] = values[first];
        int previous = first;
        for (int i = first + 1; i < n; i++)
        {
            if (double.IsFinite(values[i]))
            {
                if (fill == MissingValueFill.Linear && i - previous > 1)
                {
                    for (int k = previous + 1; k < i; k++)
                        values[k] = values[previous] + (values[i] - values[previous]) * (k - previous) / (i - previous);
                }
                previous = i;
                continue;
            }
            if (fill == MissingValueFill.Previous) values[i] = values[i - 1];
        }
        for (int i = previous + 1; i < n; i++) values[i] = values[previous];
    }
}
