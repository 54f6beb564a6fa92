namespace LstmText.Forecasting;

/// <summary>
/// One regularly spaced series: its timestamps, the target values and any extra input columns, all complete
/// (no missing values) and in time order.
/// </summary>
public sealed class TimeSeries
{
    /// <summary>Creates a series; every feature column has one value per timestamp.</summary>
    /// <exception cref="ArgumentException">The lengths differ, or the times are not increasing.</exception>
    public TimeSeries(IReadOnlyList<DateTime> times, IReadOnlyList<double> target, IReadOnlyList<IReadOnlyList<double>>? features = null,
        string? id = null, TimeStep? step = null)
    {
        ArgumentNullException.ThrowIfNull(times);
        ArgumentNullException.ThrowIfNull(target);
        if (times.Count != target.Count)
            throw new ArgumentException($"A series needs one value per time: {times.Count} times, {target.Count} values.", nameof(target));
        features ??= [];
        foreach (var feature in features)
        {
            if (feature.Count != times.Count)
                throw new ArgumentException($"A feature column has {feature.Count} values for {times.Count} times.", nameof(features));
        }
        for (int i = 1; i < times.Count; i++)
        {
            if (times[i] <= times[i - 1]) throw new ArgumentException($"Time {i} is not after time {i - 1}.", nameof(times));
        }
        Times = times.ToArray();
        Target = target.ToArray();
        Features = features.Select(f => (IReadOnlyList<double>)f.ToArray()).ToArray();
        Id = id;
        Step = step ?? (times.Count >= 2 ? TimeStep.Between(times[0], times[1]) : TimeStep.OfDuration(TimeSpan.FromDays(1)));
    }

    /// <summary>The series' name in a file of several series (its id column), or null.</summary>
    public string? Id { get; }

    /// <summary>The timestamps, increasing by <see cref="Step"/>.</summary>
    public IReadOnlyList<DateTime> Times { get; }

    /// <summary>The values to forecast.</summary>
    public IReadOnlyList<double> Target { get; }

    /// <summary>Extra input columns, each as long as <see cref="Target"/>.</summary>
    public IReadOnlyList<IReadOnlyList<double>> Features { get; }

    /// <summary>The spacing of the timestamps.</summary>
    public TimeStep Step { get; }

    /// <summary>The number of points.</summary>
    public int Length => Target.Count;

    /// <summary>The first <paramref name="count"/> points as a series of their own.</summary>
    public TimeSeries Take(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        count = Math.Min(count, Length);
        return new TimeSeries(Times.Take(count).ToArray(), Target.Take(count).ToArray(),
            Features.Select(f => (IReadOnlyList<double>)f.Take(count).ToArray()).ToArray(), Id, Step);
    }

    /// <summary>A new series of the times and target values only (for tests and small programs).</summary>
    public static TimeSeries FromValues(DateTime start, TimeStep step, IReadOnlyList<double> values, string? id = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        var times = new DateTime[values.Count];
        for (int i = 0; i < times.Length; i++) times[i] = step.Advance(start, i);
        return new TimeSeries(times, values, null, id, step);
    }
}
