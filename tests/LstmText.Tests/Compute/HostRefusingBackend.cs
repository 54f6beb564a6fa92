using LstmText.Compute;
using LstmText.Tensors;

namespace LstmText.Tests.Compute;

/// <summary>
/// A stand-in for a device backend: its tensors live in <see cref="DeviceStorage"/>, which has no host array, so
/// <see cref="Tensor.HostSpan"/>, the indexers and the CPU kernels refuse them; the host reaches them only through
/// <see cref="TensorStorage.Download"/> and <see cref="TensorStorage.Upload"/>. Each operation downloads its operands
/// into host tensors, runs the CPU backend's kernel on them and uploads what the kernel wrote, as a driver would
/// launch a device kernel. An operand that does not live in this backend's storage is an error: it means some code
/// made a tensor without asking the backend, and a device backend could not compute on it.
/// </summary>
internal sealed class HostRefusingBackend : IBackend
{
    private readonly CpuBackend _cpu = new(1);

    /// <summary>Elements copied from "device" to host (downloads), for tests that check the traffic.</summary>
    public long DownloadedElements { get; private set; }

    /// <summary>Elements copied from host to "device" (uploads).</summary>
    public long UploadedElements { get; private set; }

    public string Name => "host-refusing test device";

    public int Concurrency => 1;

    public TensorStorage Allocate(int length) => new DeviceStorage(length, this);

    public void RunConcurrently(int count, Action<int> item)
    {
        ArgumentNullException.ThrowIfNull(item);
        for (int i = 0; i < count; i++) item(i);
    }

    // ---- staging: what a device backend's launcher would do with device pointers ----

    /// <summary>A host copy of a slice that lives in this backend's storage (an empty slice stays empty).</summary>
    private TensorSlice In(TensorSlice slice)
    {
        if (slice.Tensor is null) return default;
        if (slice.Tensor.Storage is not DeviceStorage storage || storage.Allocator != this)
            throw new InvalidOperationException(
                $"An operand of shape {slice.Tensor.Shape} lives in {slice.Tensor.Storage.Location} memory, not on {Name}: it was made without the backend.");
        var host = Tensor.Zeros(slice.Length);
        storage.Download(slice.Offset, host.HostSpan);
        DownloadedElements += slice.Length;
        return host.All;
    }

    /// <summary>Uploads what a kernel wrote into the host copy back to the slice.</summary>
    private void Out(TensorSlice slice, TensorSlice host)
    {
        if (slice.Tensor is null) return;
        slice.Tensor.Storage.Upload(host.Tensor.HostSpan, slice.Offset);
        UploadedElements += slice.Length;
    }

    private TensorSlice Fresh(TensorSlice slice) => slice.Tensor is null ? default : In(slice);

    // ---- the operations ----

    public void Gemm(Transpose transposeA, Transpose transposeB, int m, int n, int k, float alpha,
        TensorSlice a, int lda, TensorSlice b, int ldb, float beta, TensorSlice c, int ldc)
    {
        var hc = In(c);
        _cpu.Gemm(transposeA, transposeB, m, n, k, alpha, In(a), lda, In(b), ldb, beta, hc, ldc);
        Out(c, hc);
    }

    public int PackedWeightLength(int rows, int columns) => _cpu.PackedWeightLength(rows, columns);

    public void PackWeight(TensorSlice weight, int rows, int columns, TensorSlice packed)
    {
        var hp = In(packed);
        _cpu.PackWeight(In(weight), rows, columns, hp);
        Out(packed, hp);
    }

    public void GemmPackedWeight(int m, int n, int k, TensorSlice a, int lda, TensorSlice packedWeight, float beta, TensorSlice c, int ldc)
    {
        var hc = In(c);
        _cpu.GemmPackedWeight(m, n, k, In(a), lda, In(packedWeight), beta, hc, ldc);
        Out(c, hc);
    }

    public void Fill(TensorSlice destination, float value)
    {
        var h = In(destination);
        _cpu.Fill(h, value);
        Out(destination, h);
    }

    public void Copy(TensorSlice source, TensorSlice destination)
    {
        var h = In(destination);
        _cpu.Copy(In(source), h);
        Out(destination, h);
    }

    public void CopyRows(TensorSlice source, int sourceStride, TensorSlice destination, int destinationStride, int rows, int rowLength)
    {
        var h = In(destination);
        _cpu.CopyRows(In(source), sourceStride, h, destinationStride, rows, rowLength);
        Out(destination, h);
    }

    public void Add(TensorSlice a, TensorSlice b, TensorSlice destination)
    {
        var h = In(destination);
        _cpu.Add(In(a), In(b), h);
        Out(destination, h);
    }

    public void AddScaled(TensorSlice source, float alpha, TensorSlice destination)
    {
        var h = In(destination);
        _cpu.AddScaled(In(source), alpha, h);
        Out(destination, h);
    }

    public void Multiply(TensorSlice a, TensorSlice b, TensorSlice destination)
    {
        var h = In(destination);
        _cpu.Multiply(In(a), In(b), h);
        Out(destination, h);
    }

    public void Scale(TensorSlice destination, float factor)
    {
        var h = In(destination);
        _cpu.Scale(h, factor);
        Out(destination, h);
    }

    public double SumOfSquares(TensorSlice values) => _cpu.SumOfSquares(In(values));

    public void AddToEachRow(TensorSlice matrix, int rows, int columns, TensorSlice vector)
    {
        var h = In(matrix);
        _cpu.AddToEachRow(h, rows, columns, In(vector));
        Out(matrix, h);
    }

    public void AddColumnSums(TensorSlice matrix, int rows, int columns, TensorSlice accumulator)
    {
        var h = In(accumulator);
        _cpu.AddColumnSums(In(matrix), rows, columns, h);
        Out(accumulator, h);
    }

    public void Gather(TensorSlice table, int rowLength, ReadOnlySpan<int> ids, TensorSlice destination)
    {
        var h = In(destination);
        _cpu.Gather(In(table), rowLength, ids, h);
        Out(destination, h);
    }

    public void ScatterAdd(TensorSlice gradient, int rowLength, ReadOnlySpan<int> ids, TensorSlice tableGradient, int skippedId)
    {
        var h = In(tableGradient);
        _cpu.ScatterAdd(In(gradient), rowLength, ids, h, skippedId);
        Out(tableGradient, h);
    }

    public void DropoutMask(TensorSlice mask, float probability, RandomSource random)
    {
        var h = In(mask);
        _cpu.DropoutMask(h, probability, random);
        Out(mask, h);
    }

    public void Softmax(TensorSlice logits, int rows, int columns, TensorSlice probabilities)
    {
        var h = In(probabilities);
        _cpu.Softmax(In(logits), rows, columns, h);
        Out(probabilities, h);
    }

    public void LogSoftmax(TensorSlice logits, int rows, int columns, TensorSlice logProbabilities)
    {
        var h = In(logProbabilities);
        _cpu.LogSoftmax(In(logits), rows, columns, h);
        Out(logProbabilities, h);
    }

    public (double LossSum, int Count) SoftmaxCrossEntropy(TensorSlice logits, int rows, int columns,
        ReadOnlySpan<int> targets, int ignoreIndex, TensorSlice logitGradient)
    {
        var h = In(logitGradient);
        var result = _cpu.SoftmaxCrossEntropy(In(logits), rows, columns, targets, ignoreIndex, h);
        Out(logitGradient, h);
        return result;
    }

    public void LstmCellForward(in LstmStep step)
    {
        var host = Staged(step);
        _cpu.LstmCellForward(host);
        Out(step.Gates, host.Gates);
        Out(step.Cell, host.Cell);
        Out(step.Hidden, host.Hidden);
        Out(step.Output, host.Output);
    }

    public void LstmCellBackward(in LstmStep step)
    {
        var host = Staged(step);
        _cpu.LstmCellBackward(host);
        Out(step.CellGradient, host.CellGradient);
        Out(step.GateGradients, host.GateGradients);
        Out(step.PreviousHiddenGradient, host.PreviousHiddenGradient);
    }

    private LstmStep Staged(in LstmStep step) => new()
    {
        Batch = step.Batch,
        HiddenSize = step.HiddenSize,
        Time = step.Time,
        Lengths = step.Lengths,
        OutputStride = step.OutputStride,
        Gates = Fresh(step.Gates),
        PreviousCell = Fresh(step.PreviousCell),
        Cell = Fresh(step.Cell),
        PreviousHidden = Fresh(step.PreviousHidden),
        Hidden = Fresh(step.Hidden),
        Output = Fresh(step.Output),
        OutputGradient = Fresh(step.OutputGradient),
        HiddenGradient = Fresh(step.HiddenGradient),
        CellGradient = Fresh(step.CellGradient),
        GateGradients = Fresh(step.GateGradients),
        PreviousHiddenGradient = Fresh(step.PreviousHiddenGradient),
    };

    public void WeightedSumOverTime(TensorSlice sequence, TensorSlice weights, int steps, int batch, int features,
        ReadOnlySpan<int> lengths, TensorSlice destination)
    {
        var h = In(destination);
        _cpu.WeightedSumOverTime(In(sequence), In(weights), steps, batch, features, lengths, h);
        Out(destination, h);
    }

    public void WeightedSumOverTimeBackward(TensorSlice outputGradient, TensorSlice sequence, TensorSlice weights, int steps, int batch,
        int features, ReadOnlySpan<int> lengths, TensorSlice sequenceGradient, TensorSlice weightGradient)
    {
        var hs = In(sequenceGradient);
        var hw = Fresh(weightGradient);
        _cpu.WeightedSumOverTimeBackward(In(outputGradient), In(sequence), In(weights), steps, batch, features, lengths, hs, hw);
        Out(sequenceGradient, hs);
        Out(weightGradient, hw);
    }

    public void MaxOverTime(TensorSlice sequence, int steps, int batch, int features, ReadOnlySpan<int> lengths,
        TensorSlice destination, Span<int> positions)
    {
        var h = In(destination);
        _cpu.MaxOverTime(In(sequence), steps, batch, features, lengths, h, positions);
        Out(destination, h);
    }

    public void MaxOverTimeBackward(TensorSlice outputGradient, ReadOnlySpan<int> positions, int batch, int features,
        TensorSlice sequenceGradient)
    {
        var h = In(sequenceGradient);
        _cpu.MaxOverTimeBackward(In(outputGradient), positions, batch, features, h);
        Out(sequenceGradient, h);
    }

    public void SoftmaxOverTime(TensorSlice scores, int steps, int batch, ReadOnlySpan<int> lengths, TensorSlice probabilities)
    {
        var h = In(probabilities);
        _cpu.SoftmaxOverTime(In(scores), steps, batch, lengths, h);
        Out(probabilities, h);
    }

    public void SoftmaxOverTimeBackward(TensorSlice probabilities, TensorSlice probabilityGradient, int steps, int batch,
        ReadOnlySpan<int> lengths, TensorSlice scoreGradient)
    {
        var h = In(scoreGradient);
        _cpu.SoftmaxOverTimeBackward(In(probabilities), In(probabilityGradient), steps, batch, lengths, h);
        Out(scoreGradient, h);
    }

    public void Activate(ActivationKind kind, TensorSlice input, TensorSlice output)
    {
        var h = In(output);
        _cpu.Activate(kind, In(input), h);
        Out(output, h);
    }

    public void ActivationBackward(ActivationKind kind, TensorSlice output, TensorSlice outputGradient, TensorSlice inputGradient)
    {
        var h = In(inputGradient);
        _cpu.ActivationBackward(kind, In(output), In(outputGradient), h);
        Out(inputGradient, h);
    }

    public void SgdStep(TensorSlice parameter, TensorSlice gradient, TensorSlice velocity, in SgdSettings settings, bool firstStep)
    {
        var hp = In(parameter);
        var hv = Fresh(velocity);
        _cpu.SgdStep(hp, In(gradient), hv, settings, firstStep);
        Out(parameter, hp);
        Out(velocity, hv);
    }

    public void AdamStep(TensorSlice parameter, TensorSlice gradient, TensorSlice firstMoment, TensorSlice secondMoment,
        in AdamSettings settings, int step)
    {
        var hp = In(parameter);
        var hm = In(firstMoment);
        var hv = In(secondMoment);
        _cpu.AdamStep(hp, In(gradient), hm, hv, settings, step);
        Out(parameter, hp);
        Out(firstMoment, hm);
        Out(secondMoment, hv);
    }

    /// <summary>"Device memory": a private array that host code never gets a span of.</summary>
    private sealed class DeviceStorage(int length, HostRefusingBackend owner) : TensorStorage(length, owner)
    {
        private readonly float[] _memory = new float[length];

        public override string Location => owner.Name;

        public override void Download(int offset, Span<float> destination)
        {
            CheckRange(offset, destination.Length);
            _memory.AsSpan(offset, destination.Length).CopyTo(destination);
        }

        public override void Upload(ReadOnlySpan<float> source, int offset)
        {
            CheckRange(offset, source.Length);
            source.CopyTo(_memory.AsSpan(offset, source.Length));
        }

        public override void Clear(int offset, int length)
        {
            CheckRange(offset, length);
            _memory.AsSpan(offset, length).Clear();
        }
    }
}
