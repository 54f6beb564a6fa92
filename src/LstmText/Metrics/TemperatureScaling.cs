namespace LstmText.Metrics;

/// <summary>
/// Temperature scaling (Guo et al., 2017): one number T that divides a classifier's logits before the softmax, fitted
/// on labelled held-out examples to minimise their negative log-likelihood. It never changes which class wins, only how
/// confident the classifier says it is: T &gt; 1 softens an over-confident classifier, T &lt; 1 sharpens a timid one.
/// </summary>
public static class TemperatureScaling
{
    /// <summary>The smallest temperature <see cref="Fit"/> returns.</summary>
    public const double MinimumTemperature = 0.05;

    /// <summary>The largest temperature <see cref="Fit"/> returns.</summary>
    public const double MaximumTemperature = 20;

    private const int Iterations = 80;

    /// <summary>
    /// The mean negative log-likelihood, in nats, of the true classes under softmax(logits / T).
    /// </summary>
    /// <param name="logits">Row-major [examples, classes].</param>
    /// <param name="classes">Classes per row.</param>
    /// <param name="labels">The true class of each row.</param>
    /// <param name="temperature">T, positive.</param>
    /// <exception cref="ArgumentException">The sizes disagree, a label is outside the classes, or T is not positive.</exception>
    public static double NegativeLogLikelihood(ReadOnlySpan<float> logits, int classes, ReadOnlySpan<int> labels, double temperature)
    {
        Check(logits, classes, labels);
        if (!(temperature > 0 && double.IsFinite(temperature)))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The temperature must be positive and finite.");
        if (labels.Length == 0) return 0;
        double inverse = 1 / temperature, sum = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            var row = logits.Slice(i * classes, classes);
            double max = double.NegativeInfinity;
            for (int c = 0; c < classes; c++) max = Math.Max(max, row[c] * inverse);
            double total = 0;
            for (int c = 0; c < classes; c++) total += Math.Exp(row[c] * inverse - max);
            sum += max + Math.Log(total) - row[labels[i]] * inverse;
        }
        return sum / labels.Length;
    }

    /// <summary>
    /// The temperature in [<see cref="MinimumTemperature"/>, <see cref="MaximumTemperature"/>] that minimises
    /// <see cref="NegativeLogLikelihood"/> on these examples: golden-section search on log T (the likelihood is convex
    /// in 1/T, so it has one minimum along log T). With no examples it is 1.
    /// </summary>
    /// <exception cref="ArgumentException">The sizes disagree or a label is outside the classes.</exception>
    public static double Fit(ReadOnlySpan<float> logits, int classes, ReadOnlySpan<int> labels)
    {
        Check(logits, classes, labels);
        if (labels.Length == 0) return 1;
        double ratio = (Math.Sqrt(5) - 1) / 2;
        double low = Math.Log(MinimumTemperature), high = Math.Log(MaximumTemperature);
        double a = high - ratio * (high - low), b = low + ratio * (high - low);
        double fa = NegativeLogLikelihood(logits, classes, labels, Math.Exp(a));
        double fb = NegativeLogLikelihood(logits, classes, labels, Math.Exp(b));
        for (int i = 0; i < Iterations; i++)
        {
            if (fa <= fb)
            {
                high = b; b = a; fb = fa;
                a = high - ratio * (high - low);
                fa = NegativeLogLikelihood(logits, classes, labels, Math.Exp(a));
            }
            else
            {
                low = a; a = b; fa = fb;
                b = low + ratio * (high - low);
                fb = NegativeLogLikelihood(logits, classes, labels, Math.Exp(b));
            }
        }
        double best = Math.Exp((low + high) / 2), bestLoss = NegativeLogLikelihood(logits, classes, labels, best);
        // The ends of the interval are candidates too (a likelihood still falling at a bound).
        foreach (double candidate in new[] { MinimumTemperature, MaximumTemperature, 1.0 })
        {
            double candidateLoss = NegativeLogLikelihood(logits, classes, labels, candidate);
            if (candidateLoss < bestLoss) (best, bestLoss) = (candidate, candidateLoss);
        }
        return best;
    }

    private static void Check(ReadOnlySpan<float> logits, int classes, ReadOnlySpan<int> labels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        if (logits.Length != labels.Length * classes)
            throw new ArgumentException($"{logits.Length} logits do not make {labels.Length} rows of {classes} classes.", nameof(logits));
        foreach (int label in labels)
        {
            if ((uint)label >= (uint)classes) throw new ArgumentException($"The label {label} is outside the {classes} classes.", nameof(labels));
        }
    }
}
