namespace LstmText.Tensors;

/// <summary>
/// A contiguous run of elements inside a <see cref="Tensor"/>: the unit that backend kernels read and write.
/// </summary>
/// <remarks>
/// A slice is a value type, so layers can address one time step or one row block per call without
/// allocating. A backend maps the (tensor, offset, length) triple to its own memory through the tensor's
/// <see cref="TensorStorage"/>: the CPU backend to a span of the host array, a device backend to a device pointer.
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

    /// <summary>The elements in host memory, for CPU kernels (throws for a tensor that lives on a device).</summary>
    internal Span<float> Span => Tensor.HostArray.AsSpan(Tensor.HostStart + Offset, Length);

    /// <summary>Copies the elements into host memory (<paramref name="destination"/> holds exactly <see cref="Length"/>).</summary>
    public void Download(Span<float> destination)
    {
        if (destination.Length != Length)
            throw new ArgumentException($"{destination.Length} places for a slice of {Length} elements.", nameof(destination));
        Tensor.Storage.Download(Offset, destination);
    }

    /// <summary>Replaces the elements with <paramref name="values"/> from host memory (exactly <see cref="Length"/> of them).</summary>
    public void Upload(ReadOnlySpan<float> values)
    {
        if (values.Length != Length)
            throw new ArgumentException($"{values.Length} values for a slice of {Length} elements.", nameof(values));
        Tensor.Storage.Upload(values, Offset);
    }

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
