using System.Globalization;
using System.Text;

namespace LstmText.Forecasting;

/// <summary>
/// Draws actual values against forecasts as a standalone SVG: dated x axis, value y axis, ticks, gridlines and a
/// legend; the test region is shaded and the baselines are dashed.
/// </summary>
public static class ForecastPlot
{
    private const int Width = 960, Height = 480, Left = 70, Right = 20, Top = 40, Bottom = 60;

    /// <summary>The plot of one series of an evaluation (the first unless <paramref name="seriesIndex"/> says otherwise).</summary>
    public static string Evaluation(ForecastEvaluation evaluation, string title, int seriesIndex = 0)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        var e = evaluation.Series[seriesIndex];
        var times = e.Series.Times;
        int from = Math.Max(0, e.TestStart - (e.Series.Length - e.TestStart)); // as much history before the test part as the test part
        var forecastTimes = times.Skip(e.FirstForecast).ToArray();
        var lines = new List<Line>
        {
            new("actual", "#222222", false, times.Skip(from).ToArray(), e.Series.Target.Skip(from).ToArray()),
            new("naive", "#999999", true, forecastTimes, e.Naive.ToArray()),
            new($"seasonal naive ({evaluation.Season})", "#2ca02c", true, forecastTimes, e.SeasonalNaive.ToArray()),
            new($"LSTM ({evaluation.StepsAhead} step{(evaluation.StepsAhead == 1 ? "" : "s")} ahead)", "#d62728", false, forecastTimes, e.Forecasts.ToArray()),
        };
        if (e.Lower.Count > 0)
        {
            lines.Add(new("lower quantile", "#ff9896", true, forecastTimes, e.Lower.ToArray()));
            lines.Add(new("upper quantile", "#ff9896", true, forecastTimes, e.Upper.ToArray()));
        }
        return Draw(title, lines, times[e.TestStart]);
    }

    /// <summary>The plot of a history and the points predicted after it.</summary>
    public static string Prediction(TimeSeries history, IReadOnlyList<ForecastPoint> predictions, string title)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(predictions);
        int from = Math.Max(0, history.Length - Math.Max(4 * predictions.Count, 60));
        var lines = new List<Line>
        {
            new("actual", "#222222", false, history.Times.Skip(from).ToArray(), history.Target.Skip(from).ToArray()),
            new("forecast", "#d62728", false, [history.Times[^1], .. predictions.Select(p => p.Time)], [history.Target[^1], .. predictions.Select(p => p.Value)]),
        };
        return Draw(title, lines, predictions.Count > 0 ? predictions[0].Time : null);
    }

    private sealed record Line(string Name, string Colour, bool Dashed, DateTime[] Times, double[] Values);

    private static string Draw(string title, List<Line> lines, DateTime? testStart)
    {
        var all = lines.Where(l => l.Times.Length > 0).ToList();
        DateTime t0 = all.Min(l => l.Times[0]), t1 = all.Max(l => l.Times[^1]);
        if (t1 <= t0) t1 = t0.AddDays(1);
        double v0 = all.Min(l => l.Values.Min()), v1 = all.Max(l => l.Values.Max());
        var yTicks = NiceTicks(v0, v1, 6);
        v0 = Math.Min(v0, yTicks[0]);
        v1 = Math.Max(v1, yTicks[^1]);
        if (v1 <= v0) v1 = v0 + 1;
        double plotW = Width - Left - Right, plotH = Height - Top - Bottom;
        double X(DateTime t) => Left + plotW * (t - t0).TotalSeconds / (t1 - t0).TotalSeconds;
        double Y(double v) => Top + plotH * (1 - (v - v0) / (v1 - v0));
        string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">{Escape(title)}</text>\n");
        if (testStart is { } ts && ts >= t0 && ts <= t1)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"test-region\" x=\"{F(X(ts))}\" y=\"{Top}\" width=\"{F(Left + plotW - X(ts))}\" height=\"{F(plotH)}\" fill=\"#f0f4ff\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(X(ts) + 4)}\" y=\"{Top + 14}\" fill=\"#555\">test</text>\n");
        }
        foreach (var v in yTicks)
        {
            double y = Y(v);
            svg.Append(CultureInfo.InvariantCulture, $"<line class=\"grid\" x1=\"{Left}\" y1=\"{F(y)}\" x2=\"{F(Left + plotW)}\" y2=\"{F(y)}\" stroke=\"#e5e5e5\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"y-tick\" x=\"{Left - 6}\" y=\"{F(y + 4)}\" text-anchor=\"end\">{v.ToString("G6", CultureInfo.InvariantCulture)}</text>\n");
        }
        foreach (var t in TimeTicks(t0, t1, 8))
        {
            double x = X(t);
            svg.Append(CultureInfo.InvariantCulture, $"<line class=\"grid\" x1=\"{F(x)}\" y1=\"{Top}\" x2=\"{F(x)}\" y2=\"{F(Top + plotH)}\" stroke=\"#e5e5e5\"/>\n");
            string label = (t1 - t0).TotalDays > 3 ? t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : t.ToString("MM-dd HH:mm", CultureInfo.InvariantCulture);
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"x-tick\" x=\"{F(x)}\" y=\"{F(Top + plotH + 16)}\" text-anchor=\"middle\">{label}</text>\n");
        }
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left}\" y=\"{Top}\" width=\"{F(plotW)}\" height=\"{F(plotH)}\" fill=\"none\" stroke=\"#333\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(Left + plotW / 2)}\" y=\"{Height - 12}\" text-anchor=\"middle\">time</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"16\" y=\"{F(Top + plotH / 2)}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {F(Top + plotH / 2)})\">value</text>\n");
        foreach (var line in all)
        {
            var points = string.Join(" ", line.Times.Zip(line.Values, (t, v) => $"{F(X(t))},{F(Y(v))}"));
            string dash = line.Dashed ? " stroke-dasharray=\"5,4\"" : "";
            svg.Append(CultureInfo.InvariantCulture, $"<polyline class=\"series\" data-name=\"{Escape(line.Name)}\" fill=\"none\" stroke=\"{line.Colour}\" stroke-width=\"1.4\"{dash} points=\"{points}\"/>\n");
        }
        double ly = Top + 10;
        foreach (var line in all)
        {
            string dash = line.Dashed ? " stroke-dasharray=\"5,4\"" : "";
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left + 10}\" y1=\"{F(ly + 14)}\" x2=\"{Left + 34}\" y2=\"{F(ly + 14)}\" stroke=\"{line.Colour}\" stroke-width=\"2\"{dash}/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"legend\" x=\"{Left + 40}\" y=\"{F(ly + 18)}\">{Escape(line.Name)}</text>\n");
            ly += 16;
        }
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>Round tick values (1, 2 or 5 × a power of ten apart) covering [low, high].</summary>
    internal static double[] NiceTicks(double low, double high, int count)
    {
        if (!(high > low)) return [low];
        double raw = (high - low) / count;
        double power = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1.0, 2, 5, 10 }.Select(m => m * power).First(s => s >= raw);
        double first = Math.Floor(low / step) * step;
        var ticks = new List<double>();
        for (double v = first; ; v += step)
        {
            ticks.Add(Math.Round(v / step) * step);
            if (v >= high - step * 1e-9 && ticks.Count >= 2) break;
        }
        return ticks.ToArray();
    }

    private static IEnumerable<DateTime> TimeTicks(DateTime t0, DateTime t1, int count)
    {
        double days = (t1 - t0).TotalDays;
        if (days > 365 * 2)
        {
            int years = Math.Max(1, (int)Math.Ceiling(days / 365.25 / count));
            for (var t = new DateTime(t0.Year + 1, 1, 1, 0, 0, 0, t0.Kind); t <= t1; t = t.AddYears(years)) yield return t;
        }
        else if (days > 60)
        {
            int months = Math.Max(1, (int)Math.Ceiling(days / 30.44 / count));
            for (var t = new DateTime(t0.Year, t0.Month, 1, 0, 0, 0, t0.Kind).AddMonths(1); t <= t1; t = t.AddMonths(months)) yield return t;
        }
        else
        {
            var step = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerHour, (t1 - t0).Ticks / count));
            for (var t = t0; t <= t1; t += step) yield return t;
        }
    }

    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&quot;", StringComparison.Ordinal);
}
