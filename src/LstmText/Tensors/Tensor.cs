namespace LstmText.Tensors;

/// <summary>
/// A dense float32 tensor: a <see cref="Shape"/> over contiguous row-major storage.
/// </summary>
/// <remarks>
/// Storage is managed memory, so a tensor never needs disposing. Buffers of 64 KiB or more are
/// allocated on the pinned object heap, so kernels can take their address without pinning each call.
/// Heavy math on tensors goes through <see cref="Compute.IBackend"/>; <see cref="Span"/> is for
/// filling inputs and reading results.
/// </remarks>
public sealed class Tensor
{
    private const int PinnedThreshold = 16 * 1024;

    private Tensor(Shape shape, float[] storage)
    {
        Shape = shape;
        Storage = storage;
    }

    /// <summary>The dimensions of this tensor.</summary>
    public Shape Shape { get; }

    /// <summary>The number of elements.</summary>
    public int Length => Shape.ElementCount;

    /// <summary>The elements in row-major order.</summary>
    public Span<float> Span => Storage.AsSpan(0, Shape.ElementCount);

    /// <summary>The backing array; it holds at least <see cref="Length"/> elements (more when the tensor is a view over a reused buffer).</summary>
    internal float[] Storage { get; }

    /// <summary>Creates a tensor of the given shape filled with zeros.</summary>
    public static Tensor Zeros(params ReadOnlySpan<int> dimensions) => Zeros(new Shape(dimensions));

    /// <summary>Creates a tensor of the given shape filled with zeros.</summary>
    public static Tensor Zeros(Shape shape)
    {
        return new Tensor(shape, AllocateStorage(shape.ElementCount));
    }

    /// <summary>Allocates storage for <paramref name="count"/> floats, pinned when large, zero-filled.</summary>
    internal static float[] AllocateStorage(int count) =>
        count >= PinnedThreshold ? GC.AllocateArray<float>(count, pinned: true) : new float[count];

    /// <summary>A tensor of <paramref name="shape"/> over the first elements of <paramref name="storage"/> (no copy).</summary>
    internal static Tensor Over(float[] storage, Shape shape)
    {
        if (storage.Length < shape.ElementCount)
            throw new ArgumentException($"Storage of {storage.Length} elements cannot hold a tensor of shape {shape}.", nameof(storage));
        return new Tensor(shape, storage);
    }

    /// <summary>Creates a tensor that holds a copy of <paramref name="values"/> with the given shape.</summary>
    /// <exception cref="ArgumentException">The number of values differs from the shape's element count.</exception>
    public static Tensor FromValues(ReadOnlySpan<float> values, params ReadOnlySpan<int> dimensions)
    {
        var tensor = Zeros(dimensions);
        if (values.Length != tensor.Length)
            throw new ArgumentException(
                $"{values.Length} values cannot fill a tensor of shape {tensor.Shape} ({tensor.Length} elements).", nameof(values));
        values.CopyTo(tensor.Span);
        return tensor;
    }

    /// <summary>Creates a tensor filled with <paramref name="value"/>.</summary>
    public static Tensor Filled(float value, params ReadOnlySpan<int> dimensions)
    {
        var tensor = Zeros(dimensions);
        tensor.Span.Fill(value);
        return tensor;
    }

    /// <summary>Element at a flat row-major index.</summary>
    public float this[int index]
    {
        get => Span[index];
        set => Span[index] = value;
    }

    /// <summary>Element at (row, column) of a rank-2 tensor.</summary>
    public float this[int row, int column]
    {
        get => Storage[checked(row * Shape[1] + column)];
        set => Storage[checked(row * Shape[1] + column)] = value;
    }

    /// <summary>A view of the whole tensor as a <see cref="TensorSlice"/>.</summary>
    public TensorSlice All => new(this, 0, Length);

    /// <summary>A view of <paramref name="length"/> elements starting at flat index <paramref name="offset"/>.</summary>
    public TensorSlice Slice(int offset, int length) => new(this, offset, length);

    /// <summary>A view of rows [<paramref name="firstRow"/>, firstRow + count) along the outermost dimension.</summary>
    public TensorSlice Rows(int firstRow, int count)
    {
        int rowLength = Shape.Rank == 0 ? 1 : Length / Math.Max(1, Shape[0]);
        return new TensorSlice(this, firstRow * rowLength, count * rowLength);
    }

    /// <summary>Whether this tensor's shape is exactly the given dimensions.</summary>
    public bool HasShape(params ReadOnlySpan<int> dimensions) => Shape.Is(dimensions);

    /// <summary>A new tensor with the same shape and a copy of the elements.</summary>
    public Tensor Clone() => FromValues(Span, Shape.Dimensions);

    /// <summary>A tensor that shares this storage under another shape with the same element count.</summary>
    /// <exception cref="ArgumentException">The element counts differ.</exception>
    public Tensor Reshape(params ReadOnlySpan<int> dimensions)
    {
        var shape = new Shape(dimensions);
        if (shape.ElementCount != Length)
            throw new ArgumentException($"Cannot reshape {Shape} ({Length} elements) to {shape}.", nameof(dimensions));
        return new Tensor(shape, Storage);
    }

    /// <summary>Copies the elements into a new array (for tests and inspection).</summary>
    public float[] ToArray() => Span.ToArray();

    /// <summary>Describes the tensor's shape.</summary>
    public override string ToString() => $"Tensor{Shape}";
}
