using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using LstmText.Compute;
using LstmText.Layers;
using LstmText.Optimizers;
using LstmText.Tensors;
using Spectre.Console;

namespace LstmText.Cli;

/// <summary>
/// <c>lstmtext bench ... --profile</c>: a backend that times every kernel call of the backend it wraps and counts it per
/// kernel (GEMMs per shape, with their GFLOP/s), so a benchmark can say where its time goes.
/// </summary>
/// <remarks>
/// Each call costs two clock reads more (tens of nanoseconds), which matters only for the smallest kernels of a batch-1
/// step. <see cref="RunConcurrently"/> is not timed itself (the calls of its items are), and int8 products
/// (<c>--int8</c>) run outside the backend, so they show up in no row: the rows' sum falls short of the wall time by them.
/// </remarks>
internal sealed class ProfilingBackend(IBackend inner) : IBackend
{
    private readonly ConcurrentDictionary<(string Kernel, int M, int N, int K), Counter> _counters = new();

    /// <inheritdoc/>
    public string Name => inner.Name;

    /// <inheritdoc/>
    public int Concurrency => inner.Concurrency;

    /// <inheritdoc/>
    public TensorStorage Allocate(int length) => inner.Allocate(length);

    /// <summary>One kernel's (or GEMM shape's) calls and time.</summary>
    private sealed class Counter
    {
        public long Calls;
        public long Ticks;
    }

    private readonly struct Timer(ProfilingBackend owner, string kernel, int m = 0, int n = 0, int k = 0) : IDisposable
    {
        private readonly long _start = Stopwatch.GetTimestamp();

        public void Dispose()
        {
            long elapsed = Stopwatch.GetTimestamp() - _start;
            var counter = owner._counters.GetOrAdd((kernel, m, n, k), _ => new Counter());
            Interlocked.Increment(ref counter.Calls);
            Interlocked.Add(ref counter.Ticks, elapsed);
        }
    }

    private Timer Time(string kernel, int m = 0, int n = 0, int k = 0) => new(this, kernel, m, n, k);

    /// <summary>The rows of the profile, most time first: kernel, calls, seconds, share of the timed total and GFLOP/s (GEMMs).</summary>
    public IReadOnlyList<(string Kernel, long Calls, double Seconds, double Share, double? Gflops)> Rows()
    {
        var rows = _counters.Select(entry =>
        {
            var (kernel, m, n, k) = entry.Key;
            double seconds = (double)entry.Value.Ticks / Stopwatch.Frequency;
            string name = m == 0 && n == 0 && k == 0 ? kernel : string.Create(CultureInfo.InvariantCulture, $"{kernel} {m}×{n}×{k}");
            double? gflops = kernel.StartsWith("gemm", StringComparison.Ordinal) && seconds > 0
                ? 2.0 * m * n * k * entry.Value.Calls / seconds / 1e9 : null;
            return (Kernel: name, entry.Value.Calls, Seconds: seconds, Gflops: gflops);
        }).OrderByDescending(r => r.Seconds).ToList();
        double total = Math.Max(1e-12, rows.Sum(r => r.Seconds));
        return rows.Select(r => (r.Kernel, r.Calls, r.Seconds, r.Seconds / total, r.Gflops)).ToList();
    }

    /// <summary>The profile as JSON-ready objects (for <c>--json</c>).</summary>
    public List<Dictionary<string, object>> ToJson() => Rows().Select(r =>
    {
        var row = new Dictionary<string, object> { ["kernel"] = r.Kernel, ["calls"] = r.Calls, ["seconds"] = r.Seconds, ["share"] = r.Share };
        if (r.Gflops is { } g) row["gflops"] = g;
        return row;
    }).ToList();

    /// <summary>Prints the profile as a table.</summary>
    public void WriteTable(ParseResult parse)
    {
        var table = new Table().AddColumns("kernel", "calls", "seconds", "share", "GFLOP/s");
        foreach (var r in Rows())
            table.AddRow(r.Kernel, r.Calls.ToString(CultureInfo.InvariantCulture), r.Seconds.ToString("F3", CultureInfo.InvariantCulture),
                r.Share.ToString("P1", CultureInfo.InvariantCulture), r.Gflops?.ToString("F1", CultureInfo.InvariantCulture) ?? "");
        BenchmarkOutput.WriteTable(parse, table);
    }

    /// <summary>The <c>--profile</c> option of the benchmarks.</summary>
    public static Option<bool> CreateOption() => new("--profile")
    {
        Description = "Also time every kernel call (GEMMs per shape, with GFLOP/s) and print where the time goes.",
    };

    /// <inheritdoc/>
    public void Gemm(Transpose transposeA, Transpose transposeB, int m, int n, int k, float alpha,
        TensorSlice a, int lda, TensorSlice b, int ldb, float beta, TensorSlice c, int ldc)
    {
        string kernel = (transposeA, transposeB) switch
        {
            (Transpose.No, Transpose.No) => "gemm NN",
            (Transpose.No, Transpose.Yes) => "gemm NT",
            (Transpose.Yes, Transpose.No) => "gemm TN",
            _ => "gemm TT",
        };
        using var _ = Time(kernel, m, n, k);
        inner.Gemm(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    /// <inheritdoc/>
    public void RunConcurrently(int count, Action<int> item) => inner.RunConcurrently(count, item);

    /// <inheritdoc/>
    public int PackedWeightLength(int rows, int columns) => inner.PackedWeightLength(rows, columns);

    /// <inheritdoc/>
    public void PackWeight(TensorSlice weight, int rows, int columns, TensorSlice packed)
    {
        using var _ = Time("pack weight");
        inner.PackWeight(weight, rows, columns, packed);
    }

    /// <inheritdoc/>
    public void GemmPackedWeight(int m, int n, int k, TensorSlice a, int lda, TensorSlice packedWeight, float beta, TensorSlice c, int ldc)
    {
        using var _ = Time("gemm packed-weight", m, n, k);
        inner.GemmPackedWeight(m, n, k, a, lda, packedWeight, beta, c, ldc);
    }

    /// <inheritdoc/>
    public void Fill(TensorSlice destination, float value) { using var _ = Time("fill"); inner.Fill(destination, value); }

    /// <inheritdoc/>
    public void Copy(TensorSlice source, TensorSlice destination) { using var _ = Time("copy"); inner.Copy(source, destination); }

    /// <inheritdoc/>
    public void CopyRows(TensorSlice source, int sourceStride, TensorSlice destination, int destinationStride, int rows, int rowLength)
    {
        using var _ = Time("copy rows");
        inner.CopyRows(source, sourceStride, destination, destinationStride, rows, rowLength);
    }

    /// <inheritdoc/>
    public void Add(TensorSlice a, TensorSlice b, TensorSlice destination) { using var _ = Time("add"); inner.Add(a, b, destination); }

    /// <inheritdoc/>
    public void AddScaled(TensorSlice source, float alpha, TensorSlice destination) { using var _ = Time("add scaled"); inner.AddScaled(source, alpha, destination); }

    /// <inheritdoc/>
    public void Multiply(TensorSlice a, TensorSlice b, TensorSlice destination) { using var _ = Time("multiply"); inner.Multiply(a, b, destination); }

    /// <inheritdoc/>
    public void Scale(TensorSlice destination, float factor) { using var _ = Time("scale"); inner.Scale(destination, factor); }

    /// <inheritdoc/>
    public double SumOfSquares(TensorSlice values) { using var _ = Time("sum of squares"); return inner.SumOfSquares(values); }

    /// <inheritdoc/>
    public void AddToEachRow(TensorSlice matrix, int rows, int columns, TensorSlice vector)
    {
        using var _ = Time("add to each row");
        inner.AddToEachRow(matrix, rows, columns, vector);
    }

    /// <inheritdoc/>
    public void AddColumnSums(TensorSlice matrix, int rows, int columns, TensorSlice accumulator)
    {
        using var _ = Time("add column sums");
        inner.AddColumnSums(matrix, rows, columns, accumulator);
    }

    /// <inheritdoc/>
    public void Gather(TensorSlice table, int rowLength, ReadOnlySpan<int> ids, TensorSlice destination)
    {
        using var _ = Time("gather");
        inner.Gather(table, rowLength, ids, destination);
    }

    /// <inheritdoc/>
    public void ScatterAdd(TensorSlice gradient, int rowLength, ReadOnlySpan<int> ids, TensorSlice tableGradient, int skippedId)
    {
        using var _ = Time("scatter add");
        inner.ScatterAdd(gradient, rowLength, ids, tableGradient, skippedId);
    }

    /// <inheritdoc/>
    public void DropoutMask(TensorSlice mask, float probability, RandomSource random)
    {
        using var _ = Time("dropout mask");
        inner.DropoutMask(mask, probability, random);
    }

    /// <inheritdoc/>
    public void Softmax(TensorSlice logits, int rows, int columns, TensorSlice probabilities)
    {
        using var _ = Time("softmax");
        inner.Softmax(logits, rows, columns, probabilities);
    }

    /// <inheritdoc/>
    public void LogSoftmax(TensorSlice logits, int rows, int columns, TensorSlice logProbabilities)
    {
        using var _ = Time("log softmax");
        inner.LogSoftmax(logits, rows, columns, logProbabilities);
    }

    /// <inheritdoc/>
    public (double LossSum, int Count) SoftmaxCrossEntropy(TensorSlice logits, int rows, int columns, ReadOnlySpan<int> targets, int ignoreIndex,
        TensorSlice logitGradient)
    {
        using var _ = Time("softmax cross-entropy");
        return inner.SoftmaxCrossEntropy(logits, rows, columns, targets, ignoreIndex, logitGradient);
    }

    /// <inheritdoc/>
    public void LstmCellForward(in LstmStep step) { using var _ = Time("lstm cell forward"); inner.LstmCellForward(step); }

    /// <inheritdoc/>
    public void LstmCellBackward(in LstmStep step) { using var _ = Time("lstm cell backward"); inner.LstmCellBackward(step); }

    /// <inheritdoc/>
    public void WeightedSumOverTime(TensorSlice sequence, TensorSlice weights, int steps, int batch, int features, ReadOnlySpan<int> lengths,
        TensorSlice destination)
    {
        using var _ = Time("weighted sum over time");
        inner.WeightedSumOverTime(sequence, weights, steps, batch, features, lengths, destination);
    }

    /// <inheritdoc/>
    public void WeightedSumOverTimeBackward(TensorSlice outputGradient, TensorSlice sequence, TensorSlice weights, int steps, int batch,
        int features, ReadOnlySpan<int> lengths, TensorSlice sequenceGradient, TensorSlice weightGradient)
    {
        using var _ = Time("weighted sum over time backward");
        inner.WeightedSumOverTimeBackward(outputGradient, sequence, weights, steps, batch, features, lengths, sequenceGradient, weightGradient);
    }

    /// <inheritdoc/>
    public void MaxOverTime(TensorSlice sequence, int steps, int batch, int features, ReadOnlySpan<int> lengths, TensorSlice destination,
        Span<int> positions)
    {
        using var _ = Time("max over time");
        inner.MaxOverTime(sequence, steps, batch, features, lengths, destination, positions);
    }

    /// <inheritdoc/>
    public void MaxOverTimeBackward(TensorSlice outputGradient, ReadOnlySpan<int> positions, int batch, int features, TensorSlice sequenceGradient)
    {
        using var _ = Time("max over time backward");
        inner.MaxOverTimeBackward(outputGradient, positions, batch, features, sequenceGradient);
    }

    /// <inheritdoc/>
    public void SoftmaxOverTime(TensorSlice scores, int steps, int batch, ReadOnlySpan<int> lengths, TensorSlice probabilities)
    {
        using var _ = Time("softmax over time");
        inner.SoftmaxOverTime(scores, steps, batch, lengths, probabilities);
    }

    /// <inheritdoc/>
    public void SoftmaxOverTimeBackward(TensorSlice probabilities, TensorSlice probabilityGradient, int steps, int batch, ReadOnlySpan<int> lengths,
        TensorSlice scoreGradient)
    {
        using var _ = Time("softmax over time backward");
        inner.SoftmaxOverTimeBackward(probabilities, probabilityGradient, steps, batch, lengths, scoreGradient);
    }

    /// <inheritdoc/>
    public void Activate(ActivationKind kind, TensorSlice input, TensorSlice output) { using var _ = Time("activate"); inner.Activate(kind, input, output); }

    /// <inheritdoc/>
    public void ActivationBackward(ActivationKind kind, TensorSlice output, TensorSlice outputGradient, TensorSlice inputGradient)
    {
        using var _ = Time("activation backward");
        inner.ActivationBackward(kind, output, outputGradient, inputGradient);
    }

    /// <inheritdoc/>
    public void SgdStep(TensorSlice parameter, TensorSlice gradient, TensorSlice velocity, in SgdSettings settings, bool firstStep)
    {
        using var _ = Time("sgd step");
        inner.SgdStep(parameter, gradient, velocity, settings, firstStep);
    }

    /// <inheritdoc/>
    public void AdamStep(TensorSlice parameter, TensorSlice gradient, TensorSlice firstMoment, TensorSlice secondMoment, in AdamSettings settings,
        int step)
    {
        using var _ = Time("adam step");
        inner.AdamStep(parameter, gradient, firstMoment, secondMoment, settings, step);
    }
}
