using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LstmText.Tensors;

/// <summary>
/// Tensor storage in host memory: a managed float array, pinned when large so kernels can take its address, and then
/// starting at a 64-byte boundary.
/// </summary>
/// <remarks>
/// A pinned array's elements start wherever the allocator put the object (8-byte steps), so a 64-byte vector load
/// mostly straddled two cache lines; batch-1 generation streams every weight once per token, and its one-row product
/// ran about 12 % slower from such an array than from an aligned one (a microbenchmark of 2×512 steps' three 4 MB products).
/// The storage keeps up to 15 spare floats and starts its elements at the first boundary. Small arrays are not pinned
/// (the collector may move them), so their start is left as it comes.
/// </remarks>
public sealed class HostStorage : TensorStorage
{
    private const int PinnedThreshold = 16 * 1024;
    private const int AlignmentBytes = 64;
    private readonly float[] _array;
    private readonly int _start;

    private HostStorage(int length) : base(length, HostMemory.Instance)
    {
        if (length < PinnedThreshold)
        {
            _array = new float[length];
            return;
        }
        _array = GC.AllocateArray<float>(length + AlignmentBytes / sizeof(float) - 1, pinned: true);
        _start = FloatsToBoundary(_array);
    }

    private static unsafe int FloatsToBoundary(float[] pinned)
    {
        long address = (long)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(pinned));
        return (int)((AlignmentBytes - address % AlignmentBytes) % AlignmentBytes / sizeof(float));
    }

    /// <summary>New zero-filled host storage for <paramref name="length"/> elements.</summary>
    public static HostStorage Allocate(int length) => new(length);

    /// <inheritdoc/>
    public override string Location => "host";

    internal override float[] HostArray => _array;

    internal override int HostStart => _start;

    /// <inheritdoc/>
    public override void Download(int offset, Span<float> destination)
    {
        CheckRange(offset, destination.Length);
        _array.AsSpan(_start + offset, destination.Length).CopyTo(destination);
    }

    /// <inheritdoc/>
    public override void Upload(ReadOnlySpan<float> source, int offset)
    {
        CheckRange(offset, source.Length);
        source.CopyTo(_array.AsSpan(_start + offset, source.Length));
    }

    /// <inheritdoc/>
    public override void Clear(int offset, int length)
    {
        CheckRange(offset, length);
        _array.AsSpan(_start + offset, length).Clear();
    }

    /// <inheritdoc/>
    public override void CopyTo(int offset, TensorStorage destination, int destinationOffset, int length)
    {
        ArgumentNullException.ThrowIfNull(destination);
        CheckRange(offset, length);
        destination.Upload(_array.AsSpan(_start + offset, length), destinationOffset);
    }
}

/// <summary>The allocator of host memory: what tensors made without a backend, and the CPU backend's, live in.</summary>
public sealed class HostMemory : ITensorAllocator
{
    private HostMemory() { }

    /// <summary>The one host memory.</summary>
    public static HostMemory Instance { get; } = new();

    /// <inheritdoc/>
    public TensorStorage Allocate(int length) => HostStorage.Allocate(length);
}
