using System.Text.Json;
using System.Text.Json.Serialization;

namespace LstmText.Metrics;

/// <summary>
/// How well a classifier labels a set of examples: accuracy, per-class precision, recall and F1, macro-F1, the
/// confusion matrix and the mean cross-entropy. <see cref="ToJson"/> gives it to machines.
/// </summary>
public sealed record ClassificationReport
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The classes, in the order of <see cref="Classes"/> and of the confusion matrix's rows and columns.</summary>
    public required IReadOnlyList<string> ClassNames { get; init; }

    /// <summary>The examples scored.</summary>
    public required int Examples { get; init; }

    /// <summary>The share of examples labelled right (0 when there are none).</summary>
    public required double Accuracy { get; init; }

    /// <summary>The mean of the classes' F1 scores.</summary>
    public required double MacroF1 { get; init; }

    /// <summary>The mean cross-entropy −log p(true class), in nats, or null when it was not computed.</summary>
    public double? Loss { get; init; }

    /// <summary>
    /// The expected calibration error of the confidences (see <see cref="CalibrationError"/>, 15 bins), or null when
    /// they were not given.
    /// </summary>
    [JsonPropertyName("ece")]
    public double? ExpectedCalibrationError { get; init; }

    /// <summary>Precision, recall, F1 and support of each class, in class order.</summary>
    public required IReadOnlyList<ClassMetrics> Classes { get; init; }

    /// <summary>Counts by true class (row) and predicted class (column), both in class order.</summary>
    public required IReadOnlyList<IReadOnlyList<int>> ConfusionMatrix { get; init; }

    /// <summary>The number of equal-width confidence bins of <see cref="ExpectedCalibrationError"/>.</summary>
    public const int CalibrationBins = 15;

    /// <summary>The value of <paramref name="metric"/>.</summary>
    public double ScoreOf(ClassificationMetric metric) => metric == ClassificationMetric.Accuracy ? Accuracy : MacroF1;

    /// <summary>
    /// Scores predictions against the truth, both given as class indices into <paramref name="classNames"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The lists differ in length or hold an index outside the classes.</exception>
    /// <param name="classNames">The classes.</param>
    /// <param name="actual">The true class of each example.</param>
    /// <param name="predicted">The predicted class of each example.</param>
    /// <param name="loss">The mean cross-entropy, when known.</param>
    /// <param name="confidences">The probability the classifier gave its predicted class, per example; with them the report has an <see cref="ExpectedCalibrationError"/>.</param>
    public static ClassificationReport FromPredictions(IReadOnlyList<string> classNames, IReadOnlyList<int> actual, IReadOnlyList<int> predicted,
        double? loss = null, IReadOnlyList<double>? confidences = null)
    {
        ArgumentNullException.ThrowIfNull(classNames);
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(predicted);
        if (actual.Count != predicted.Count) throw new ArgumentException($"{actual.Count} true labels but {predicted.Count} predictions.", nameof(predicted));
        int k = classNames.Count;
        var matrix = new int[k][];
        for (int c = 0; c < k; c++) matrix[c] = new int[k];
        int correct = 0;
        for (int i = 0; i < actual.Count; i++)
        {
            if ((uint)actual[i] >= (uint)k || (uint)predicted[i] >= (uint)k)
                throw new ArgumentException($"Example {i} has a class index outside the {k} classes.", nameof(actual));
            matrix[actual[i]][predicted[i]]++;
            if (actual[i] == predicted[i]) correct++;
        }
        var classes = new ClassMetrics[k];
        for (int c = 0; c < k; c++)
        {
            int truePositives = matrix[c][c], support = matrix[c].Sum(), predictedAs = 0;
            for (int r = 0; r < k; r++) predictedAs += matrix[r][c];
            double precision = predictedAs == 0 ? 0 : (double)truePositives / predictedAs;
            double recall = support == 0 ? 0 : (double)truePositives / support;
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            classes[c] = new ClassMetrics(classNames[c], precision, recall, f1, support);
        }
        return new ClassificationReport
        {
            ClassNames = classNames.ToArray(),
            Examples = actual.Count,
            Accuracy = actual.Count == 0 ? 0 : (double)correct / actual.Count,
            MacroF1 = k == 0 ? 0 : classes.Average(c => c.F1),
            Loss = loss,
            ExpectedCalibrationError = confidences is null ? null
                : CalibrationError(confidences, Enumerable.Range(0, actual.Count).Select(i => actual[i] == predicted[i]).ToArray()),
            Classes = classes,
            ConfusionMatrix = matrix,
        };
    }

    /// <summary>
    /// The expected calibration error: the examples are put into <paramref name="bins"/> equal-width bins by confidence
    /// (bin b holds confidences in (b/bins, (b+1)/bins], the first bin also 0), and ECE = Σ_b |B_b|/n · |acc(B_b) − conf(B_b)|,
    /// where acc is the share of correct predictions in the bin and conf their mean confidence (Guo et al., 2017).
    /// 0 for no examples.
    /// </summary>
    /// <param name="confidences">The probability of each example's predicted class, in [0, 1].</param>
    /// <param name="correct">Whether each prediction was right.</param>
    /// <param name="bins">The number of bins (default <see cref="CalibrationBins"/>).</param>
    /// <exception cref="ArgumentException">The lists differ in length, or a confidence is outside [0, 1].</exception>
    public static double CalibrationError(IReadOnlyList<double> confidences, IReadOnlyList<bool> correct, int bins = CalibrationBins)
    {
        ArgumentNullException.ThrowIfNull(confidences);
        ArgumentNullException.ThrowIfNull(correct);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bins);
        if (confidences.Count != correct.Count) throw new ArgumentException($"{confidences.Count} confidences but {correct.Count} outcomes.", nameof(correct));
        if (confidences.Count == 0) return 0;
        var count = new int[bins];
        var right = new int[bins];
        var confidenceSum = new double[bins];
        for (int i = 0; i < confidences.Count; i++)
        {
            double confidence = confidences[i];
            if (!(confidence >= 0 && confidence <= 1)) throw new ArgumentException($"Confidence {confidence} (example {i}) is outside [0, 1].", nameof(confidences));
            int bin = Math.Clamp((int)Math.Ceiling(confidence * bins) - 1, 0, bins - 1);
            count[bin]++;
            confidenceSum[bin] += confidence;
            if (correct[i]) right[bin]++;
        }
        double error = 0;
        for (int b = 0; b < bins; b++)
        {
            if (count[b] == 0) continue;
            error += (double)count[b] / confidences.Count * Math.Abs((double)right[b] / count[b] - confidenceSum[b] / count[b]);
        }
        return error;
    }

    /// <summary>
    /// The report as one JSON object: <c>examples</c>, <c>accuracy</c>, <c>macro_f1</c>, <c>loss</c>, <c>ece</c>,
    /// <c>class_names</c>, <c>classes</c> (name, precision, recall, f1, support) and <c>confusion_matrix</c>
    /// (rows: true class, columns: predicted class).
    /// </summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);
}
