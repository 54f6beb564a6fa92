using System.Globalization;
using System.Text;

namespace LstmText.Training;

/// <summary>
/// Draws training and validation loss against steps as a small self-contained SVG, and a validation score
/// (accuracy, macro-F1) on a 0–1 scale at the right when the entries carry one.
/// </summary>
internal static class LossCurve
{
    public static string Svg(IReadOnlyList<ValidationEntry> entries)
    {
        const int width = 640, height = 360, left = 60, right = 20, top = 20, bottom = 40;
        var values = entries.SelectMany(e => e.TrainingLoss is { } t ? new[] { t, e.ValidationLoss } : [e.ValidationLoss])
            .Where(double.IsFinite).ToArray();
        double low = values.Length == 0 ? 0 : values.Min(), high = values.Length == 0 ? 1 : values.Max();
        if (high - low < 1e-9) { low -= 0.5; high += 0.5; }
        int lastStep = Math.Max(1, entries.Count == 0 ? 1 : entries.Max(e => e.Step));
        string X(int step) => (left + (width - left - right) * (double)step / lastStep).ToString("F1", CultureInfo.InvariantCulture);
        string Y(double loss) => (top + (height - top - bottom) * (high - loss) / (high - low)).ToString("F1", CultureInfo.InvariantCulture);
        string Line(Func<ValidationEntry, double?> pick, string colour)
        {
            var points = entries.Where(e => pick(e) is { } v && double.IsFinite(v)).Select(e => $"{X(e.Step)},{Y(pick(e)!.Value)}");
            return $"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{string.Join(' ', points)}\"/>";
        }
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{height - bottom}\" x2=\"{width - right}\" y2=\"{height - bottom}\" stroke=\"black\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{height - bottom}\" stroke=\"black\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left}\" y=\"{height - 10}\">step 0 … {lastStep}</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"4\" y=\"{top + 10}\">{high:F3}</text><text x=\"4\" y=\"{height - bottom}\">{low:F3}</text>\n");
        svg.Append(Line(e => e.TrainingLoss, "#1f77b4")).Append('\n');
        svg.Append(Line(e => e.ValidationLoss, "#d62728")).Append('\n');
        if (entries.Any(e => e.ValidationScore is not null))
        {
            string ScoreY(double score) => (top + (height - top - bottom) * (1 - score)).ToString("F1", CultureInfo.InvariantCulture);
            var points = entries.Where(e => e.ValidationScore is { } v && double.IsFinite(v)).Select(e => $"{X(e.Step)},{ScoreY(e.ValidationScore!.Value)}");
            svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"#2ca02c\" stroke-width=\"2\" stroke-dasharray=\"4 2\" points=\"{string.Join(' ', points)}\"/>\n");
            string metric = entries.LastOrDefault(e => e.Metric is not null)?.Metric ?? "score";
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{width - 220}\" y=\"{top + 28}\" fill=\"#2ca02c\">validation {metric} (0–1)</text>\n");
        }
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{width - 220}\" y=\"{top + 12}\" fill=\"#1f77b4\">training loss</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{width - 120}\" y=\"{top + 12}\" fill=\"#d62728\">validation loss</text>\n</svg>\n");
        return svg.ToString();
    }
}
