namespace LstmText.Tensors;

/// <summary>Tensor storage in host memory: a managed float array, pinned when large so kernels can take its address.</summary>
public sealed class HostStorage : TensorStorage
{
    private const int PinnedThreshold = 16 * 1024;
    private readonly float[] _array;

    private HostStorage(int length) : base(length, HostMemory.Instance)
    {
        _array = length >= PinnedThreshold ? GC.AllocateArray<float>(length, pinned: true) : new float[length];
    }

    /// <summary>New zero-filled host storage for <paramref name="length"/> elements.</summary>
    public static HostStorage Allocate(int length) => new(length);

    /// <inheritdoc/>
    public override string Location => "host";

    internal override float[] HostArray => _array;

    /// <inheritdoc/>
    public override void Download(int offset, Span<float> destination)
    {
        CheckRange(offset, destination.Length);
        _array.AsSpan(offset, destination.Length).CopyTo(destination);
    }

    /// <inheritdoc/>
    public override void Upload(ReadOnlySpan<float> source, int offset)
    {
        CheckRange(offset, source.Length);
        source.CopyTo(_array.AsSpan(offset, source.Length));
    }

    /// <inheritdoc/>
    public override void Clear(int offset, int length)
    {
        CheckRange(offset, length);
        _array.AsSpan(offset, length).Clear();
    }

    /// <inheritdoc/>
    public override void CopyTo(int offset, TensorStorage destination, int destinationOffset, int length)
    {
        ArgumentNullException.ThrowIfNull(destination);
        CheckRange(offset, length);
        destination.Upload(_array.AsSpan(offset, length), destinationOffset);
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
