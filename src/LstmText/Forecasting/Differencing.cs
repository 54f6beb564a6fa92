namespace LstmText.Forecasting;

/// <summary>
/// Differencing of the target, so trending or seasonal series become stationary: z_t = y_t − Σ c_j·y_{t−lag_j}.
/// First differences use y_{t−1}; seasonal ones y_{t−s}; both together (1−B)(1−Bˢ) use y_{t−1} + y_{t−s} − y_{t−s−1}.
/// </summary>
public sealed class Differencing
{
    private readonly (int Lag, double Coefficient)[] _terms;

    private Differencing(bool first, int season)
    {
        First = first;
        Season = season;
        var terms = new List<(int, double)>();
        if (first) terms.Add((1, 1));
        if (season > 0) terms.Add((season, 1));
        if (first && season > 0) terms.Add((season + 1, -1));
        _terms = terms.ToArray();
        Order = _terms.Length == 0 ? 0 : _terms.Max(t => t.Item1);
    }

    /// <summary>No differencing.</summary>
    public static Differencing None { get; } = new(false, 0);

    /// <summary>Differencing with a first difference, a seasonal difference of <paramref name="season"/> (0 for none), or both.</summary>
    public static Differencing Of(bool first, int season)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(season);
        if (season == 1) throw new ArgumentOutOfRangeException(nameof(season), "A seasonal difference needs a season of at least 2.");
        return !first && season == 0 ? None : new Differencing(first, season);
    }

    /// <summary>Whether the first difference is taken.</summary>
    public bool First { get; }

    /// <summary>The seasonal lag differenced, or 0.</summary>
    public int Season { get; }

    /// <summary>How many leading values have no difference (the largest lag).</summary>
    public int Order { get; }

    /// <summary>The differenced value at <paramref name="t"/> (t ≥ <see cref="Order"/>).</summary>
    public double At(IReadOnlyList<double> values, int t)
    {
        double z = values[t];
        foreach (var (lag, c) in _terms) z -= c * values[t - lag];
        return z;
    }

    /// <summary>The differenced series: element i is z at time i + <see cref="Order"/>.</summary>
    public double[] Apply(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var result = new double[Math.Max(0, values.Count - Order)];
        for (int i = 0; i < result.Length; i++) result[i] = At(values, i + Order);
        return result;
    }

    /// <summary>
    /// Undoes the differencing of values that follow <paramref name="history"/>: each differenced value in
    /// <paramref name="differences"/> becomes a level, built on the history and the levels before it.
    /// </summary>
    /// <exception cref="ArgumentException">The history is shorter than <see cref="Order"/>.</exception>
    public double[] Invert(IReadOnlyList<double> history, IReadOnlyList<double> differences)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(differences);
        if (history.Count < Order) throw new ArgumentException($"Undoing the differencing needs {Order} earlier values, got {history.Count}.", nameof(history));
        var levels = new List<double>(history.Skip(history.Count - Order));
        var result = new double[differences.Count];
        for (int i = 0; i < result.Length; i++)
        {
            double y = differences[i];
            int t = levels.Count;
            foreach (var (lag, c) in _terms) y += c * levels[t - lag];
            levels.Add(y);
            result[i] = y;
        }
        return result;
    }

    /// <summary>Describes the differencing: "none", "first", "seasonal 12", "first + seasonal 12".</summary>
    public override string ToString() => (First, Season) switch
    {
        (false, 0) => "none",
        (true, 0) => "first",
        (false, var s) => $"seasonal {s}",
        (true, var s) => $"first + seasonal {s}",
    };
}
