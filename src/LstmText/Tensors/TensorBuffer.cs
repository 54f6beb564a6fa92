namespace LstmText.Tensors;

/// <summary>
/// A layer's working tensor whose storage survives shape changes: it grows only when a larger shape is asked for,
/// so batches of varying length (inference, length buckets) do not allocate and page in fresh memory every call.
/// </summary>
/// <remarks>A tensor returned earlier shares the storage and is overwritten by the next use, as layer outputs are; while
/// the rank stays and the storage is large enough it is the same tensor object, reshaped in place, so a new shape
/// allocates nothing on the managed heap either. The storage is made by the allocator given (the layer's backend), so
/// it lives where the backend computes.</remarks>
internal sealed class TensorBuffer(ITensorAllocator allocator)
{
    private TensorStorage? _storage;
    private Tensor? _current;

    /// <summary>A tensor of the given shape; its contents are zero whenever the shape differs from the last call's.</summary>
    public Tensor Reuse(params ReadOnlySpan<int> dimensions) => Get(clear: true, dimensions);

    /// <summary>A tensor of the given shape with unspecified contents, for callers that overwrite every element.</summary>
    public Tensor ReuseUninitialized(params ReadOnlySpan<int> dimensions) => Get(clear: false, dimensions);

    private Tensor Get(bool clear, ReadOnlySpan<int> dimensions)
    {
        if (_current is not null && _current.Shape.Is(dimensions)) return _current;
        if (_current is not null && _current.Shape.Rank == dimensions.Length && ElementCount(dimensions) <= _storage!.Length
            && _current.Shape.TryReuseAs(dimensions))
        {
            if (clear) _storage.Clear(0, _current.Length);
            return _current;
        }
        var shape = Shape.Reusable(dimensions);
        if (_storage is null || shape.ElementCount > _storage.Length)
            _storage = allocator.Allocate(shape.ElementCount);
        else if (clear)
            _storage.Clear(0, shape.ElementCount);
        _current = Tensor.Over(_storage, shape);
        return _current;
    }

    private static long ElementCount(ReadOnlySpan<int> dimensions)
    {
        long count = 1;
        foreach (int d in dimensions) count *= Math.Max(0, d);
        return count;
    }
}
