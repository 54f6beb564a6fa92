namespace LstmText.Tensors;

/// <summary>
/// A contiguous run of elements inside a <see cref="Tensor"/>: the unit that backend kernels read and write.
/// </summary>
/// <remarks>
/// A slice is a value type, so layers can address one time step or one row block per call without
/// allocating. A device backend maps the same (tensor, offset, length) triple to device memory.
/// </remarks>
public readonly struct TensorSlice
{
    /// <summary>Creates a slice; the range must lie inside the tensor.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is outside the tensor.</exception>
    public TensorSlice(Tensor tensor, int offset, int length)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if ((uint)offset > (uint)tensor.Length || (uint)length > (uint)(tensor.Length - offset))
            throw new ArgumentOutOfRangeException(nameof(length),
                $"Elements [{offset}, {offset + length}) lie outside a tensor of {tensor.Length} elements.");
        Tensor = tensor;
        Offset = offset;
        Length = length;
    }

    /// <summary>The tensor that owns the elements.</summary>
    public Tensor Tensor { get; }

    /// <summary>Index of the first element within the tensor's storage.</summary>
    public int Offset { get; }

    /// <summary>Number of elements.</summary>
    public int Length { get; }

    /// <summary>The elements, for CPU kernels.</summary>
    internal Span<float> Span => Tensor.Storage.AsSpan(Offset, Length);

    /// <summary>A narrower slice, relative to this one.</summary>
    public TensorSlice Slice(int offset, int length)
    {
        if ((uint)offset > (uint)Length || (uint)length > (uint)(Length - offset))
            throw new ArgumentOutOfRangeException(nameof(length),
                $"Elements [{offset}, {offset + length}) lie outside a slice of {Length} elements.");
        return new TensorSlice(Tensor, Offset + offset, length);
    }

    /// <summary>Converts a whole tensor to a slice.</summary>
    public static implicit operator TensorSlice(Tensor tensor) => tensor.All;
}
