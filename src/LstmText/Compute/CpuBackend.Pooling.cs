using System.Numerics;
using System.Numerics.Tensors;
using LstmText.Tensors;

namespace LstmText.Compute;

// Masked reductions over the time axis (sequence pooling) and the head's activations.
public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void WeightedSumOverTime(TensorSlice sequence, TensorSlice weights, int steps, int batch, int features,
        ReadOnlySpan<int> lengths, TensorSlice destination)
    {
        RequireSequence(sequence, steps, batch, features, lengths);
        var x = sequence.Span;
        var w = weights.Span;
        var y = destination.Span;
        for (int b = 0; b < batch; b++)
        {
            var row = y.Slice(b * features, features);
            row.Clear();
            for (int t = 0; t < lengths[b]; t++)
                TensorPrimitives.MultiplyAdd(x.Slice((t * batch + b) * features, features), w[t * batch + b], row, row);
        }
    }

    /// <inheritdoc/>
    public void WeightedSumOverTimeBackward(TensorSlice outputGradient, TensorSlice sequence, TensorSlice weights, int steps,
        int batch, int features, ReadOnlySpan<int> lengths, TensorSlice sequenceGradient, TensorSlice weightGradient)
    {
        RequireSequence(sequence, steps, batch, features, lengths);
        var g = outputGradient.Span;
        var x = sequence.Span;
        var w = weights.Span;
        var dx = sequenceGradient.Span;
        bool wantWeights = weightGradient.Length > 0;
        var dw = wantWeights ? weightGradient.Span : [];
        for (int b = 0; b < batch; b++)
        {
            var gradientRow = g.Slice(b * features, features);
            for (int t = 0; t < steps; t++)
            {
                int at = t * batch + b;
                if (t >= lengths[b])
                {
                    if (wantWeights) dw[at] = 0f;
                    continue;
                }
                var target = dx.Slice(at * features, features);
                TensorPrimitives.MultiplyAdd(gradientRow, w[at], target, target);
                if (wantWeights) dw[at] = TensorPrimitives.Dot(gradientRow, x.Slice(at * features, features));
            }
        }
    }

    /// <inheritdoc/>
    public void MaxOverTime(TensorSlice sequence, int steps, int batch, int features, ReadOnlySpan<int> lengths,
        TensorSlice destination, Span<int> positions)
    {
        RequireSequence(sequence, steps, batch, features, lengths);
        var x = sequence.Span;
        var y = destination.Span;
        for (int b = 0; b < batch; b++)
        {
            var best = y.Slice(b * features, features);
            var where = positions.Slice(b * features, features);
            x.Slice(b * features, features).CopyTo(best);
            where.Clear();
            for (int t = 1; t < lengths[b]; t++)
            {
                var row = x.Slice((t * batch + b) * features, features);
                int f = 0;
                if (Vector.IsHardwareAccelerated)
                {
                    // Strictly greater, as below: the first step of a tie keeps its place, and NaN never wins.
                    var step = new Vector<int>(t);
                    for (; f <= features - Vector<float>.Count; f += Vector<float>.Count)
                    {
                        var candidate = new Vector<float>(row[f..]);
                        var current = new Vector<float>(best[f..]);
                        var greater = Vector.GreaterThan(candidate, current);
                        Vector.ConditionalSelect(greater, candidate, current).CopyTo(best[f..]);
                        Vector.ConditionalSelect(greater, step, new Vector<int>(where[f..])).CopyTo(where[f..]);
                    }
                }
                for (; f < features; f++)
                {
                    if (row[f] > best[f])
                    {
                        best[f] = row[f];
                        where[f] = t;
                    }
                }
            }
        }
    }

    /// <inheritdoc/>
    public void MaxOverTimeBackward(TensorSlice outputGradient, ReadOnlySpan<int> positions, int batch, int features,
        TensorSlice sequenceGradient)
    {
        var g = outputGradient.Span;
        var dx = sequenceGradient.Span;
        for (int b = 0; b < batch; b++)
            for (int f = 0; f < features; f++)
                dx[(positions[b * features + f] * batch + b) * features + f] += g[b * features + f];
    }

    /// <inheritdoc/>
    public void SoftmaxOverTime(TensorSlice scores, int steps, int batch, ReadOnlySpan<int> lengths, TensorSlice probabilities)
    {
        RequireLengths(lengths, steps, batch);
        var s = scores.Span;
        var p = probabilities.Span;
        for (int b = 0; b < batch; b++)
        {
            int length = lengths[b];
            float max = float.NegativeInfinity;
            for (int t = 0; t < length; t++) max = MathF.Max(max, s[t * batch + b]);
            float sum = 0f;
            for (int t = 0; t < length; t++)
            {
                float e = MathF.Exp(s[t * batch + b] - max);
                p[t * batch + b] = e;
                sum += e;
            }
            float inverse = 1f / sum;
            for (int t = 0; t < steps; t++) p[t * batch + b] = t < length ? p[t * batch + b] * inverse : 0f;
        }
    }

    /// <inheritdoc/>
    public void SoftmaxOverTimeBackward(TensorSlice probabilities, TensorSlice probabilityGradient, int steps, int batch,
        ReadOnlySpan<int> lengths, TensorSlice scoreGradient)
    {
        RequireLengths(lengths, steps, batch);
        var p = probabilities.Span;
        var dp = probabilityGradient.Span;
        var ds = scoreGradient.Span;
        for (int b = 0; b < batch; b++)
        {
            int length = lengths[b];
            float dot = 0f;
            for (int t = 0; t < length; t++) dot += p[t * batch + b] * dp[t * batch + b];
            for (int t = 0; t < steps; t++)
                ds[t * batch + b] = t < length ? p[t * batch + b] * (dp[t * batch + b] - dot) : 0f;
        }
    }

    /// <inheritdoc/>
    public void Activate(ActivationKind kind, TensorSlice input, TensorSlice output)
    {
        RequireSameLength(input, output);
        switch (kind)
        {
            case ActivationKind.Relu: TensorPrimitives.Max(input.Span, 0f, output.Span); break;
            case ActivationKind.Tanh: TensorPrimitives.Tanh(input.Span, output.Span); break;
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown activation.");
        }
    }

    /// <inheritdoc/>
    public void ActivationBackward(ActivationKind kind, TensorSlice output, TensorSlice outputGradient, TensorSlice inputGradient)
    {
        RequireSameLength(output, outputGradient);
        RequireSameLength(output, inputGradient);
        var y = output.Span;
        var g = outputGradient.Span;
        var dx = inputGradient.Span;
        switch (kind)
        {
            case ActivationKind.Relu:
                for (int i = 0; i < y.Length; i++) dx[i] = y[i] > 0f ? g[i] : 0f;
                break;
            case ActivationKind.Tanh:
                // (1 − y²)·g, as g − y·(y·g), in vectorised passes.
                TensorPrimitives.Multiply(y, g, dx);
                TensorPrimitives.Multiply(y, dx, dx);
                TensorPrimitives.Subtract(g, dx, dx);
                break;
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown activation.");
        }
    }

    private static void RequireSequence(TensorSlice sequence, int steps, int batch, int features, ReadOnlySpan<int> lengths)
    {
        if (sequence.Length < steps * batch * features)
            throw new ArgumentException($"A sequence of {sequence.Length} values cannot hold [{steps}, {batch}, {features}].", nameof(sequence));
        RequireLengths(lengths, steps, batch);
    }

    private static void RequireLengths(ReadOnlySpan<int> lengths, int steps, int batch)
    {
        if (lengths.Length != batch)
            throw new ArgumentException($"{lengths.Length} lengths for a batch of {batch}.", nameof(lengths));
        for (int b = 0; b < batch; b++)
        {
            if (lengths[b] < 1 || lengths[b] > steps)
                throw new ArgumentOutOfRangeException(nameof(lengths), $"Length {lengths[b]} of row {b} is not in [1, {steps}].");
        }
    }
}
