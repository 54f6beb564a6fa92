using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using LstmText.Tensors;

namespace LstmText.Compute;

/// <summary>
/// The managed CPU backend: a packed, register-blocked SGEMM on AVX-512/AVX2 FMA over a small team of
/// threads, fused LSTM gate kernels, and <see cref="TensorPrimitives"/> for element-wise math.
/// </summary>
public sealed partial class CpuBackend : IBackend
{
    /// <summary>The shared instance, using every core of the machine.</summary>
    public static CpuBackend Default { get; } = new(Environment.ProcessorCount);

    /// <summary>Creates a backend that runs GEMMs on up to <paramref name="threads"/> threads.</summary>
    public CpuBackend(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        Threads = threads;
        InitializeGemm();
    }

    /// <summary>The number of threads a GEMM may use.</summary>
    public int Threads { get; }

    /// <inheritdoc/>
    public string Name => $"cpu-{GemmInstructionSet} ({Threads} thread{(Threads == 1 ? "" : "s")})";

    /// <inheritdoc/>
    /// <remarks>The CPU backend computes on host memory: its tensors are <see cref="HostStorage"/>.</remarks>
    public TensorStorage Allocate(int length) => HostStorage.Allocate(length);

    /// <inheritdoc/>
    public void Fill(TensorSlice destination, float value) => destination.Span.Fill(value);

    /// <inheritdoc/>
    public void Copy(TensorSlice source, TensorSlice destination)
    {
        RequireSameLength(source, destination);
        source.Span.CopyTo(destination.Span);
    }

    /// <inheritdoc/>
    public void CopyRows(TensorSlice source, int sourceStride, TensorSlice destination, int destinationStride, int rows, int rowLength)
    {
        var from = source.Span;
        var to = destination.Span;
        for (int r = 0; r < rows; r++)
            from.Slice(r * sourceStride, rowLength).CopyTo(to.Slice(r * destinationStride, rowLength));
    }

    /// <inheritdoc/>
    public void Add(TensorSlice a, TensorSlice b, TensorSlice destination)
    {
        RequireSameLength(a, b);
        RequireSameLength(a, destination);
        TensorPrimitives.Add(a.Span, b.Span, destination.Span);
    }

    /// <inheritdoc/>
    public void AddScaled(TensorSlice source, float alpha, TensorSlice destination)
    {
        RequireSameLength(source, destination);
        TensorPrimitives.MultiplyAdd(source.Span, alpha, destination.Span, destination.Span);
    }

    /// <inheritdoc/>
    public void Multiply(TensorSlice a, TensorSlice b, TensorSlice destination)
    {
        RequireSameLength(a, b);
        RequireSameLength(a, destination);
        TensorPrimitives.Multiply(a.Span, b.Span, destination.Span);
    }

    /// <inheritdoc/>
    public void Scale(TensorSlice destination, float factor) =>
        TensorPrimitives.Multiply(destination.Span, factor, destination.Span);

    /// <inheritdoc/>
    public double SumOfSquares(TensorSlice values)
    {
        // Blocks of float sums keep TensorPrimitives' speed; adding the blocks in double keeps large sums exact enough.
        var span = values.Span;
        double total = 0;
        for (int start = 0; start < span.Length; start += 4096)
            total += TensorPrimitives.SumOfSquares(span.Slice(start, Math.Min(4096, span.Length - start)));
        return total;
    }

    /// <inheritdoc/>
    public void AddToEachRow(TensorSlice matrix, int rows, int columns, TensorSlice vector)
    {
        var m = matrix.Span;
        var v = vector.Span[..columns];
        for (int r = 0; r < rows; r++)
        {
            var row = m.Slice(r * columns, columns);
            TensorPrimitives.Add(row, v, row);
        }
    }

    /// <inheritdoc/>
    public void AddColumnSums(TensorSlice matrix, int rows, int columns, TensorSlice accumulator)
    {
        // Bias gradients sum thousands of rows: float partial sums over short blocks of rows (vectorised), then the
        // blocks added in double, keep the rounding error near PyTorch's cascade summation.
        const int BlockRows = 16;
        var m = matrix.Span;
        var sums = accumulator.Span[..columns];
        float[] blockSum = ArrayPool<float>.Shared.Rent(columns);
        double[] total = ArrayPool<double>.Shared.Rent(columns);
        var block = blockSum.AsSpan(0, columns);
        var exact = total.AsSpan(0, columns);
        exact.Clear();
        for (int start = 0; start < rows; start += BlockRows)
        {
            m.Slice(start * columns, columns).CopyTo(block);
            int end = Math.Min(rows, start + BlockRows);
            for (int r = start + 1; r < end; r++)
                TensorPrimitives.Add(block, m.Slice(r * columns, columns), block);
            for (int j = 0; j < columns; j++) exact[j] += block[j];
        }
        for (int j = 0; j < columns; j++) sums[j] = (float)(sums[j] + exact[j]);
        ArrayPool<float>.Shared.Return(blockSum);
        ArrayPool<double>.Shared.Return(total);
    }

    /// <inheritdoc/>
    public void Gather(TensorSlice table, int rowLength, ReadOnlySpan<int> ids, TensorSlice destination)
    {
        var from = table.Span;
        var to = destination.Span;
        int tableRows = from.Length / rowLength;
        for (int r = 0; r < ids.Length; r++)
        {
            int id = ids[r];
            if ((uint)id >= (uint)tableRows)
                throw new ArgumentOutOfRangeException(nameof(ids), $"Id {id} at position {r} is outside a table of {tableRows} rows.");
            from.Slice(id * rowLength, rowLength).CopyTo(to.Slice(r * rowLength, rowLength));
        }
    }

    /// <inheritdoc/>
    public void ScatterAdd(TensorSlice gradient, int rowLength, ReadOnlySpan<int> ids, TensorSlice tableGradient, int skippedId)
    {
        var from = gradient.Span;
        var to = tableGradient.Span;
        int tableRows = to.Length / rowLength;
        for (int r = 0; r < ids.Length; r++)
        {
            int id = ids[r];
            if (id == skippedId) continue;
            if ((uint)id >= (uint)tableRows)
                throw new ArgumentOutOfRangeException(nameof(ids), $"Id {id} at position {r} is outside a table of {tableRows} rows.");
            var row = to.Slice(id * rowLength, rowLength);
            TensorPrimitives.Add(row, from.Slice(r * rowLength, rowLength), row);
        }
    }

    /// <inheritdoc/>
    public void DropoutMask(TensorSlice mask, float probability, RandomSource random)
    {
        if (probability is < 0f or >= 1f)
            throw new ArgumentOutOfRangeException(nameof(probability), $"Dropout probability {probability} is not in [0, 1).");
        var span = mask.Span;
        float keep = 1f / (1f - probability);
        for (int i = 0; i < span.Length; i++)
            span[i] = random.NextFloat() < probability ? 0f : keep;
    }

    /// <inheritdoc/>
    public void Softmax(TensorSlice logits, int rows, int columns, TensorSlice probabilities)
    {
        var x = logits.Span;
        var y = probabilities.Span;
        for (int r = 0; r < rows; r++)
            TensorPrimitives.SoftMax(x.Slice(r * columns, columns), y.Slice(r * columns, columns));
    }

    /// <inheritdoc/>
    public void LogSoftmax(TensorSlice logits, int rows, int columns, TensorSlice logProbabilities)
    {
        var x = logits.Span;
        var y = logProbabilities.Span;
        for (int r = 0; r < rows; r++)
        {
            var row = x.Slice(r * columns, columns);
            var output = y.Slice(r * columns, columns);
            float logSumExp = LogSumExp(row, output);
            TensorPrimitives.Subtract(row, logSumExp, output);
        }
    }

    /// <inheritdoc/>
    public (double LossSum, int Count) SoftmaxCrossEntropy(TensorSlice logits, int rows, int columns,
        ReadOnlySpan<int> targets, int ignoreIndex, TensorSlice logitGradient)
    {
        if (targets.Length != rows)
            throw new ArgumentException($"{targets.Length} targets for {rows} rows of logits.", nameof(targets));
        int count = 0;
        for (int r = 0; r < rows; r++)
        {
            int target = targets[r];
            if (target == ignoreIndex) continue;
            if ((uint)target >= (uint)columns)
                throw new ArgumentOutOfRangeException(nameof(targets), $"Target {target} at row {r} is not a class in [0, {columns}).");
            count++;
        }

        var x = logits.Span;
        var gradient = logitGradient.Span;
        float scale = count == 0 ? 0f : 1f / count;
        double lossSum = 0;
        for (int r = 0; r < rows; r++)
        {
            var row = x.Slice(r * columns, columns);
            var gradientRow = gradient.Slice(r * columns, columns);
            int target = targets[r];
            if (target == ignoreIndex)
            {
                gradientRow.Clear();
                continue;
            }
            float logSumExp = LogSumExp(row, gradientRow);
            lossSum += logSumExp - row[target];
            // gradientRow holds exp(x − max); turn it into (softmax − one-hot) / count.
            TensorPrimitives.Subtract(row, logSumExp, gradientRow);
            TensorPrimitives.Exp(gradientRow, gradientRow);
            TensorPrimitives.Multiply(gradientRow, scale, gradientRow);
            gradientRow[target] -= scale;
        }
        return (lossSum, count);
    }

    /// <summary>log Σ exp(row), using <paramref name="scratch"/> (same length) as working space.</summary>
    private static float LogSumExp(ReadOnlySpan<float> row, Span<float> scratch)
    {
        float max = TensorPrimitives.Max(row);
        TensorPrimitives.Subtract(row, max, scratch);
        TensorPrimitives.Exp(scratch, scratch);
        return max + MathF.Log(TensorPrimitives.Sum(scratch));
    }

    /// <inheritdoc/>
    public void LstmCellForward(in LstmStep step)
    {
        if (!TrySplitCellRows(step, backward: false)) CellForwardRows(step, 0, step.Batch);
    }

    /// <summary>The forward cell of rows <paramref name="firstRow"/>..<paramref name="endRow"/>−1 of <paramref name="step"/>.</summary>
    private static void CellForwardRows(in LstmStep step, int firstRow, int endRow)
    {
        int h = step.HiddenSize;
        var gates = step.Gates.Span;
        var previousCell = step.PreviousCell.Span;
        var cell = step.Cell.Span;
        var previousHidden = step.PreviousHidden.Span;
        var hidden = step.Hidden.Span;
        var output = step.Output.Span;
        var lengths = step.Lengths.Span;
        for (int b = firstRow; b < endRow; b++)
        {
            var cPrev = previousCell.Slice(b * h, h);
            var c = cell.Slice(b * h, h);
            var hNew = hidden.Slice(b * h, h);
            var outRow = output.Slice(b * step.OutputStride, h);
            if (!lengths.IsEmpty && step.Time >= lengths[b])
            {
                cPrev.CopyTo(c);
                previousHidden.Slice(b * h, h).CopyTo(hNew);
                outRow.Clear();
                continue;
            }
            var g4 = gates.Slice(b * 4 * h, 4 * h);
            if (Vector512.IsHardwareAccelerated && h % Vector512<float>.Count == 0)
            {
                CellForwardOfRow(g4, cPrev, c, hNew, outRow, h);
                continue;
            }
            var inputAndForget = g4[..(2 * h)];
            var candidate = g4.Slice(2 * h, h);
            var outputGate = g4.Slice(3 * h, h);
            TensorPrimitives.Sigmoid(inputAndForget, inputAndForget);
            TensorPrimitives.Tanh(candidate, candidate);
            TensorPrimitives.Sigmoid(outputGate, outputGate);
            var inputGate = g4[..h];
            var forgetGate = g4.Slice(h, h);
            TensorPrimitives.Multiply(forgetGate, cPrev, c);
            TensorPrimitives.MultiplyAdd(inputGate, candidate, c, c);
            TensorPrimitives.Tanh(c, hNew);
            TensorPrimitives.Multiply(hNew, outputGate, hNew);
            hNew.CopyTo(outRow);
        }
    }

    /// <summary>
    /// The forward cell arithmetic of one row in a single pass over 16 hidden units at a time, while the four gates of
    /// those units are in registers: the activated gates go back in place (backward reads them), then c, h and the output.
    /// </summary>
    private static void CellForwardOfRow(Span<float> gates, ReadOnlySpan<float> previousCell, Span<float> cell, Span<float> hidden,
        Span<float> output, int h)
    {
        ref float g = ref MemoryMarshal.GetReference(gates);
        ref float cPrev = ref MemoryMarshal.GetReference(previousCell);
        ref float c = ref MemoryMarshal.GetReference(cell);
        ref float hNew = ref MemoryMarshal.GetReference(hidden);
        ref float outRow = ref MemoryMarshal.GetReference(output);
        for (nuint j = 0; j < (nuint)h; j += (nuint)Vector512<float>.Count)
        {
            var input = Sigmoid(Vector512.LoadUnsafe(ref g, j));
            var forget = Sigmoid(Vector512.LoadUnsafe(ref g, (nuint)h + j));
            var candidate = Tanh(Vector512.LoadUnsafe(ref g, 2 * (nuint)h + j));
            var outputGate = Sigmoid(Vector512.LoadUnsafe(ref g, 3 * (nuint)h + j));
            input.StoreUnsafe(ref g, j);
            forget.StoreUnsafe(ref g, (nuint)h + j);
            candidate.StoreUnsafe(ref g, 2 * (nuint)h + j);
            outputGate.StoreUnsafe(ref g, 3 * (nuint)h + j);
            var newCell = input * candidate + forget * Vector512.LoadUnsafe(ref cPrev, j);
            newCell.StoreUnsafe(ref c, j);
            var newHidden = outputGate * Tanh(newCell);
            newHidden.StoreUnsafe(ref hNew, j);
            newHidden.StoreUnsafe(ref outRow, j);
        }
    }

    /// <summary>
    /// σ(x) = 1 / (1 + e^(−x)), within 2e-7 of the exact value (absolute; tested against double precision):
    /// <see cref="FastExp"/> and a refined reciprocal instead of a division.
    /// </summary>
    private static Vector512<float> Sigmoid(Vector512<float> x) => Reciprocal(Vector512<float>.One + FastExp(-x));

    /// <summary>
    /// tanh(x) = 2σ(2x) − 1: one exponential and one reciprocal, as <see cref="Sigmoid"/>, within 3e-7 of the exact value
    /// (absolute; relative accuracy is lost only where |tanh x| is below 1e-3, where the cell adds it to values of order one).
    /// e^(−2x) is clamped, so it never overflows.
    /// </summary>
    private static Vector512<float> Tanh(Vector512<float> x)
    {
        var sigmoidOfDouble = Reciprocal(Vector512<float>.One + FastExp(x * Vector512.Create(-2f)));
        return Vector512.FusedMultiplyAdd(sigmoidOfDouble, Vector512.Create(2f), -Vector512<float>.One);
    }

    /// <summary>
    /// 1/x for x ≥ 1 (the cell's denominators): AVX-512's 14-bit estimate and one Newton step, within 2^−26 relative; a
    /// division where AVX-512 is missing. A division per gate cost as much as the rest of the cell.
    /// </summary>
    private static Vector512<float> Reciprocal(Vector512<float> x)
    {
        if (!Avx512F.IsSupported) return Vector512<float>.One / x;
        var estimate = Avx512F.Reciprocal14(x);
        // r' = r·(2 − x·r)
        return estimate * Vector512.FusedMultiplyAdd(-x, estimate, Vector512.Create(2f));
    }

    /// <summary>
    /// e^x in float arithmetic, within 1e-7 relative for x in [−87, 88]: x = n·ln 2 + r with |r| ≤ ln 2 / 2, e^r as
    /// 1 + r + r²·p(r) with p a degree-4 polynomial fitted for least relative error on that interval
    /// (tools/fixtures/fit_exp.py; 3e-9 in exact arithmetic), then 2^n put in by AVX-512's <c>vscalefps</c>. x is first
    /// clamped to [−87.3, 88], so e^x never overflows and a very negative x gives about 2^−126 instead of 0, which the cell
    /// cannot tell apart. <see cref="Vector512.Exp(Vector512{float})"/> computes in double and was most of the cell's time.
    /// </summary>
    private static Vector512<float> FastExp(Vector512<float> x)
    {
        x = Vector512.Min(Vector512.Max(x, Vector512.Create(-87.3f)), Vector512.Create(88f));
        var n = Vector512.Round(x * Vector512.Create(1.44269504088896341f));
        // r = x − n·ln 2, with ln 2 split in two so n·C1 is exact.
        var r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-0.693359375f), x);
        r = Vector512.FusedMultiplyAdd(n, Vector512.Create(2.12194440e-4f), r);
        var p = Vector512.Create(1.383155700750649e-3f);
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(8.368699811398983e-3f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(4.1668083518743515e-2f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.666652113199234e-1f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(4.999999403953552e-1f));
        var er = Vector512.FusedMultiplyAdd(p, r * r, r) + Vector512<float>.One;
        if (Avx512F.IsSupported) return Avx512F.Scale(er, n);
        var twoToN = (Vector512.ConvertToInt32(n) + Vector512.Create(127)) << 23;
        return er * twoToN.AsSingle();
    }

    /// <inheritdoc/>
    public void LstmCellBackward(in LstmStep step)
    {
        if (!TrySplitCellRows(step, backward: true)) CellBackwardRows(step, 0, step.Batch);
    }

    /// <summary>The backward cell of rows <paramref name="firstRow"/>..<paramref name="endRow"/>−1 of <paramref name="step"/>.</summary>
    private static void CellBackwardRows(in LstmStep step, int firstRow, int endRow)
    {
        int h = step.HiddenSize;
        var gates = step.Gates.Span;
        var previousCell = step.PreviousCell.Span;
        var cell = step.Cell.Span;
        var outputGradient = step.OutputGradient.Span;
        var hiddenGradient = step.HiddenGradient.Span;
        var cellGradient = step.CellGradient.Span;
        var gateGradients = step.GateGradients.Span;
        var previousHiddenGradient = step.PreviousHiddenGradient.Span;
        var lengths = step.Lengths.Span;
        float[] rented = ArrayPool<float>.Shared.Rent(2 * h);
        var tanhCell = rented.AsSpan(0, h);
        var dh = rented.AsSpan(h, h);
        for (int b = firstRow; b < endRow; b++)
        {
            var dc = cellGradient.Slice(b * h, h);
            var dhPrevious = previousHiddenGradient.Slice(b * h, h);
            var dGates = gateGradients.Slice(b * 4 * h, 4 * h);
            if (!lengths.IsEmpty && step.Time >= lengths[b])
            {
                // A padded step is the identity on (h, c): the gradients pass through untouched.
                hiddenGradient.Slice(b * h, h).CopyTo(dhPrevious);
                dGates.Clear();
                continue;
            }
            TensorPrimitives.Add(hiddenGradient.Slice(b * h, h), outputGradient.Slice(b * step.OutputStride, h), dh);
            TensorPrimitives.Tanh(cell.Slice(b * h, h), tanhCell);
            var g4 = gates.Slice(b * 4 * h, 4 * h);
            var cPrev = previousCell.Slice(b * h, h);
            GateGradientsOfRow(g4, cPrev, tanhCell, dh, dc, dGates, h);
            dhPrevious.Clear();
        }
        ArrayPool<float>.Shared.Return(rented);
    }

    /// <summary>
    /// The fused backward arithmetic of one row: from the activations i, f, g, o, tanh(c) and the incoming dh and dc,
    /// the four gate pre-activation gradients, and dc replaced by the gradient of the previous cell.
    /// </summary>
    private static void GateGradientsOfRow(ReadOnlySpan<float> gates, ReadOnlySpan<float> previousCell, ReadOnlySpan<float> tanhCell,
        ReadOnlySpan<float> dh, Span<float> dc, Span<float> dGates, int h)
    {
        var input = gates[..h];
        var forget = gates.Slice(h, h);
        var candidate = gates.Slice(2 * h, h);
        var output = gates.Slice(3 * h, h);
        var dInput = dGates[..h];
        var dForget = dGates.Slice(h, h);
        var dCandidate = dGates.Slice(2 * h, h);
        var dOutput = dGates.Slice(3 * h, h);
        int j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var one = Vector<float>.One;
            for (; j <= h - Vector<float>.Count; j += Vector<float>.Count)
            {
                var i = new Vector<float>(input[j..]);
                var f = new Vector<float>(forget[j..]);
                var g = new Vector<float>(candidate[j..]);
                var o = new Vector<float>(output[j..]);
                var tc = new Vector<float>(tanhCell[j..]);
                var dhj = new Vector<float>(dh[j..]);
                var dcj = new Vector<float>(dc[j..]) + dhj * o * (one - tc * tc);
                (dcj * g * i * (one - i)).CopyTo(dInput[j..]);
                (dcj * new Vector<float>(previousCell[j..]) * f * (one - f)).CopyTo(dForget[j..]);
                (dcj * i * (one - g * g)).CopyTo(dCandidate[j..]);
                (dhj * tc * o * (one - o)).CopyTo(dOutput[j..]);
                (dcj * f).CopyTo(dc[j..]);
            }
        }
        for (; j < h; j++)
        {
            float i = input[j], f = forget[j], g = candidate[j], o = output[j], tc = tanhCell[j], dhj = dh[j];
            float dcj = dc[j] + dhj * o * (1f - tc * tc);
            dInput[j] = dcj * g * i * (1f - i);
            dForget[j] = dcj * previousCell[j] * f * (1f - f);
            dCandidate[j] = dcj * i * (1f - g * g);
            dOutput[j] = dhj * tc * o * (1f - o);
            dc[j] = dcj * f;
        }
    }

    /// <inheritdoc/>
    public void SgdStep(TensorSlice parameter, TensorSlice gradient, TensorSlice velocity, in SgdSettings settings, bool firstStep)
    {
        RequireSameLength(parameter, gradient);
        var p = parameter.Span;
        var grad = gradient.Span;
        var buffer = settings.Momentum != 0f ? velocity.Span : default;
        for (int k = 0; k < p.Length; k++)
        {
            float d = grad[k];
            if (settings.WeightDecay != 0f) d += settings.WeightDecay * p[k];
            if (settings.Momentum != 0f)
            {
                float v = firstStep ? d : settings.Momentum * buffer[k] + (1f - settings.Dampening) * d;
                buffer[k] = v;
                d = settings.Nesterov ? d + settings.Momentum * v : v;
            }
            p[k] -= settings.LearningRate * d;
        }
    }

    /// <inheritdoc/>
    public void AdamStep(TensorSlice parameter, TensorSlice gradient, TensorSlice firstMoment, TensorSlice secondMoment,
        in AdamSettings settings, int step)
    {
        RequireSameLength(parameter, gradient);
        RequireSameLength(parameter, firstMoment);
        RequireSameLength(parameter, secondMoment);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(step);
        var p = parameter.Span;
        var grad = gradient.Span;
        var m = firstMoment.Span;
        var v = secondMoment.Span;
        // The corrections are computed in double, as PyTorch computes them in Python floats.
        double biasCorrection1 = 1 - Math.Pow(settings.Beta1, step);
        double biasCorrection2Sqrt = Math.Sqrt(1 - Math.Pow(settings.Beta2, step));
        float stepSize = (float)(settings.LearningRate / biasCorrection1);
        float correction2Sqrt = (float)biasCorrection2Sqrt;
        float decay = settings.DecoupledWeightDecay ? 1f - settings.LearningRate * settings.WeightDecay : 1f;
        float l2 = settings.DecoupledWeightDecay ? 0f : settings.WeightDecay;
        float beta1 = settings.Beta1, beta2 = settings.Beta2, eps = settings.Epsilon;
        int k = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            // The scalar formula below, 16 elements at a time with the same operations in the same order (no fused
            // multiply-adds; square root and division are correctly rounded either way): the same bits.
            var vDecay = Vector512.Create(decay);
            var vL2 = Vector512.Create(l2);
            var vBeta1 = Vector512.Create(beta1);
            var vOneMinusBeta1 = Vector512.Create(1f - beta1);
            var vBeta2 = Vector512.Create(beta2);
            var vOneMinusBeta2 = Vector512.Create(1f - beta2);
            var vStepSize = Vector512.Create(stepSize);
            var vCorrection2Sqrt = Vector512.Create(correction2Sqrt);
            var vEps = Vector512.Create(eps);
            ref float rp = ref MemoryMarshal.GetReference(p);
            ref float rg = ref MemoryMarshal.GetReference(grad);
            ref float rm = ref MemoryMarshal.GetReference(m);
            ref float rv = ref MemoryMarshal.GetReference(v);
            for (; k <= p.Length - Vector512<float>.Count; k += Vector512<float>.Count)
            {
                nuint at = (nuint)k;
                var pk = Vector512.LoadUnsafe(ref rp, at) * vDecay;
                var g = Vector512.LoadUnsafe(ref rg, at) + vL2 * pk;
                var mk = Vector512.LoadUnsafe(ref rm, at) * vBeta1 + vOneMinusBeta1 * g;
                var vk = Vector512.LoadUnsafe(ref rv, at) * vBeta2 + vOneMinusBeta2 * g * g;
                mk.StoreUnsafe(ref rm, at);
                vk.StoreUnsafe(ref rv, at);
                (pk - vStepSize * (mk / (Vector512.Sqrt(vk) / vCorrection2Sqrt + vEps))).StoreUnsafe(ref rp, at);
            }
        }
        for (; k < p.Length; k++)
        {
            float pk = p[k] * decay;
            float g = grad[k] + l2 * pk;
            float mk = m[k] * beta1 + (1f - beta1) * g;
            float vk = v[k] * beta2 + (1f - beta2) * g * g;
            m[k] = mk;
            v[k] = vk;
            p[k] = pk - stepSize * (mk / (MathF.Sqrt(vk) / correction2Sqrt + eps));
        }
    }

    private static void RequireSameLength(TensorSlice a, TensorSlice b)
    {
        if (a.Length != b.Length)
            throw new ArgumentException($"Operands hold {a.Length} and {b.Length} elements; they must match.");
    }
}
