namespace LstmText.Tensors;

/// <summary>
/// The memory behind one or more tensors: a run of float32 elements that lives somewhere (host memory, a device) and
/// was made by an <see cref="ITensorAllocator"/>.
/// </summary>
/// <remarks>
/// <para>Host code reaches the elements only through the explicit calls here (<see cref="Download"/>,
/// <see cref="Upload"/>) or, for host memory alone, through <see cref="Tensor.HostSpan"/>; backends reach them in
/// their own way (the CPU backend through its host array, a device backend through its device pointer).</para>
/// <para>New storage is zero-filled. Calls on one storage are not synchronised; callers keep one writer at a time.</para>
/// </remarks>
public abstract class TensorStorage
{
    /// <summary>Creates storage for <paramref name="length"/> elements made by <paramref name="allocator"/>.</summary>
    protected TensorStorage(int length, ITensorAllocator allocator)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentNullException.ThrowIfNull(allocator);
        Length = length;
        Allocator = allocator;
    }

    /// <summary>The number of elements.</summary>
    public int Length { get; }

    /// <summary>The allocator that made this storage; tensors derived from it (gradients, copies) are made there too.</summary>
    public ITensorAllocator Allocator { get; }

    /// <summary>Where the elements live, for messages: "host" or a device's name.</summary>
    public abstract string Location { get; }

    /// <summary>The host array behind this storage, or null when the elements do not live in host memory.</summary>
    /// <remarks>Only host storage has one; the CPU backend's kernels take their spans from it.</remarks>
    internal virtual float[]? HostArray => null;

    /// <summary>The index in <see cref="HostArray"/> of element 0 (host storage starts large arrays at a 64-byte boundary).</summary>
    internal virtual int HostStart => 0;

    /// <summary>Copies elements [<paramref name="offset"/>, offset + destination.Length) into host memory.</summary>
    public abstract void Download(int offset, Span<float> destination);

    /// <summary>Copies host values into elements [<paramref name="offset"/>, offset + source.Length).</summary>
    public abstract void Upload(ReadOnlySpan<float> source, int offset);

    /// <summary>Sets elements [<paramref name="offset"/>, offset + length) to zero.</summary>
    public abstract void Clear(int offset, int length);

    /// <summary>
    /// Copies <paramref name="length"/> elements from <paramref name="offset"/> to <paramref name="destination"/> at
    /// <paramref name="destinationOffset"/>; the destination may live elsewhere (a transfer then goes through the host).
    /// </summary>
    public virtual void CopyTo(int offset, TensorStorage destination, int destinationOffset, int length)
    {
        ArgumentNullException.ThrowIfNull(destination);
        float[] staging = new float[length];
        Download(offset, staging);
        destination.Upload(staging, destinationOffset);
    }

    /// <summary>Throws when [offset, offset + length) is not inside this storage.</summary>
    protected void CheckRange(int offset, int length)
    {
        if ((uint)offset > (uint)Length || (uint)length > (uint)(Length - offset))
            throw new ArgumentOutOfRangeException(nameof(length),
                $"Elements [{offset}, {offset + length}) lie outside storage of {Length} elements.");
    }
}

/// <summary>Makes <see cref="TensorStorage"/> in one place (host memory, a device): what a backend allocates with.</summary>
public interface ITensorAllocator
{
    /// <summary>New zero-filled storage for <paramref name="length"/> elements.</summary>
    TensorStorage Allocate(int length);
}
