namespace LstmText.Generation;

/// <summary>
/// CTRL's repetition penalty: a token already in the text has its logit divided by the penalty when positive and
/// multiplied by it when negative.
/// </summary>
public sealed class RepetitionPenaltyProcessor(float penalty) : ILogitsProcessor
{
    /// <summary>The penalty (&gt; 1 discourages repeats).</summary>
    public float Penalty { get; } = penalty > 0 ? penalty : throw new ArgumentOutOfRangeException(nameof(penalty), $"repetition penalty must be more than 0, not {penalty}.");

    /// <inheritdoc/>
    public void Process(Span<float> logits, ReadOnlySpan<int> tokens)
    {
        var seen = new HashSet<int>();
        foreach (int id in tokens)
        {
            if ((uint)id >= (uint)logits.Length || !seen.Add(id)) continue;
            logits[id] = logits[id] > 0 ? logits[id] / Penalty : logits[id] * Penalty;
        }
    }
}

/// <summary>Forbids any token that would repeat an n-gram already in the text.</summary>
public sealed class NoRepeatNgramProcessor(int size) : ILogitsProcessor
{
    /// <summary>The n-gram length n.</summary>
    public int Size { get; } = size > 0 ? size : throw new ArgumentOutOfRangeException(nameof(size), $"no-repeat n-gram size must be at least 1, not {size}.");

    /// <inheritdoc/>
    public void Process(Span<float> logits, ReadOnlySpan<int> tokens)
    {
        int n = Size;
        if (tokens.Length < n - 1) return;
        var prefix = tokens[(tokens.Length - (n - 1))..];
        for (int start = 0; start + n <= tokens.Length; start++)
        {
            if (tokens.Slice(start, n - 1).SequenceEqual(prefix))
            {
                int banned = tokens[start + n - 1];
                if ((uint)banned < (uint)logits.Length) logits[banned] = float.NegativeInfinity;
            }
        }
    }
}

/// <summary>Divides every logit by the temperature: below 1 sharpens the distribution, above 1 flattens it.</summary>
public sealed class TemperatureProcessor(float temperature) : ILogitsProcessor
{
    /// <summary>The temperature (&gt; 0).</summary>
    public float Temperature { get; } = temperature > 0 ? temperature : throw new ArgumentOutOfRangeException(nameof(temperature), $"temperature must be more than 0, not {temperature}.");

    /// <inheritdoc/>
    public void Process(Span<float> logits, ReadOnlySpan<int> tokens)
    {
        for (int i = 0; i < logits.Length; i++) logits[i] /= Temperature;
    }
}

/// <summary>Keeps the k likeliest tokens (ties at the k-th logit are kept too).</summary>
public sealed class TopKProcessor(int k) : ILogitsProcessor
{
    /// <summary>How many tokens stay.</summary>
    public int K { get; } = k > 0 ? k : throw new ArgumentOutOfRangeException(nameof(k), $"top-k must be at least 1, not {k}.");

    /// <inheritdoc/>
    public void Process(Span<float> logits, ReadOnlySpan<int> tokens)
    {
        if (K >= logits.Length) return;
        var sorted = logits.ToArray();
        Array.Sort(sorted);
        float threshold = sorted[^K];
        for (int i = 0; i < logits.Length; i++) if (logits[i] < threshold) logits[i] = float.NegativeInfinity;
    }
}

/// <summary>Nucleus sampling: keeps the smallest set of likeliest tokens whose probabilities sum to at least p.</summary>
public sealed class TopPProcessor(float p) : ILogitsProcessor
{
    /// <summary>The probability mass kept, in (0, 1].</summary>
    public float P { get; } = p is > 0 and <= 1 ? p : throw new ArgumentOutOfRangeException(nameof(p), $"top-p must be more than 0 and at most 1, not {p}.");

    /// <inheritdoc/>
    public void Process(Span<float> logits, ReadOnlySpan<int> tokens)
    {
        if (P >= 1) return;
        var probabilities = Probabilities.Softmax(logits);
        var order = Enumerable.Range(0, logits.Length).ToArray();
        Array.Sort(order, (a, b) => probabilities[b].CompareTo(probabilities[a]));
        double mass = 0;
        int kept = 0;
        while (kept < order.Length && mass < P) mass += probabilities[order[kept++]];
        for (int i = kept; i < order.Length; i++) logits[order[i]] = float.NegativeInfinity;
    }
}

/// <summary>Keeps the tokens whose probability is at least p times the likeliest token's.</summary>
public sealed class MinPProcessor(float p) : ILogitsProcessor
{
    /// <summary>The fraction of the top probability a token needs, in [0, 1).</summary>
    public float P { get; } = p is >= 0 and < 1 ? p : throw new ArgumentOutOfRangeException(nameof(p), $"min-p must be at least 0 and less than 1, not {p}.");

    /// <inheritdoc/>
    public void Process(Span<float> logits, ReadOnlySpan<int> tokens)
    {
        float max = float.NegativeInfinity;
        foreach (float v in logits) max = Math.Max(max, v);
        // p_i ≥ p·p_max  ⇔  logit_i ≥ logit_max + ln p.
        float threshold = max + MathF.Log(P);
        for (int i = 0; i < logits.Length; i++) if (logits[i] < threshold) logits[i] = float.NegativeInfinity;
    }
}

/// <summary>Softmax and log-softmax in double precision over one row of logits.</summary>
internal static class Probabilities
{
    public static double[] Softmax(ReadOnlySpan<float> logits)
    {
        double max = double.NegativeInfinity;
        foreach (float v in logits) max = Math.Max(max, v);
        var result = new double[logits.Length];
        double sum = 0;
        for (int i = 0; i < logits.Length; i++) sum += result[i] = float.IsNegativeInfinity(logits[i]) ? 0 : Math.Exp(logits[i] - max);
        for (int i = 0; i < result.Length; i++) result[i] /= sum;
        return result;
    }

    public static double[] LogSoftmax(ReadOnlySpan<float> logits)
    {
        double max = double.NegativeInfinity;
        foreach (float v in logits) max = Math.Max(max, v);
        double sum = 0;
        foreach (float v in logits) sum += float.IsNegativeInfinity(v) ? 0 : Math.Exp(v - max);
        double log = max + Math.Log(sum);
        var result = new double[logits.Length];
        for (int i = 0; i < logits.Length; i++) result[i] = logits[i] - log;
        return result;
    }
}
