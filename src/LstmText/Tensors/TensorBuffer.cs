namespace LstmText.Tensors;

/// <summary>
/// A layer's working tensor whose storage survives shape changes: it grows only when a larger shape is asked for,
/// so batches of varying length (inference, length buckets) do not allocate and page in fresh memory every call.
/// </summary>
/// <remarks>A tensor returned earlier shares the storage and is overwritten by the next use, as layer outputs are.</remarks>
internal sealed class TensorBuffer
{
    private float[] _storage = [];
    private Tensor? _current;

    /// <summary>A tensor of the given shape; its contents are zero whenever the shape differs from the last call's.</summary>
    public Tensor Reuse(params ReadOnlySpan<int> dimensions) => Get(clear: true, dimensions);

    /// <summary>A tensor of the given shape with unspecified contents, for callers that overwrite every element.</summary>
    public Tensor ReuseUninitialized(params ReadOnlySpan<int> dimensions) => Get(clear: false, dimensions);

    private Tensor Get(bool clear, ReadOnlySpan<int> dimensions)
    {
        if (_current is not null && _current.Shape.Is(dimensions)) return _current;
        var shape = new Shape(dimensions);
        if (shape.ElementCount > _storage.Length)
            _storage = Tensor.AllocateStorage(shape.ElementCount);
        else if (clear)
            _storage.AsSpan(0, shape.ElementCount).Clear();
        _current = Tensor.Over(_storage, shape);
        return _current;
    }
}
