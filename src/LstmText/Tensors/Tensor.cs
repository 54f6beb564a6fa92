namespace LstmText.Tensors;

/// <summary>
/// A dense float32 tensor: a <see cref="Shape"/> over contiguous row-major <see cref="TensorStorage"/>.
/// </summary>
/// <remarks>
/// <para>The storage says where the elements live. <see cref="Zeros(Shape)"/> and the other factories without an
/// allocator make host tensors; layers make theirs through their backend (<see cref="Zeros(ITensorAllocator, Shape)"/>),
/// so a device backend owns every buffer of a network. Storage is managed memory, so a tensor never needs disposing.</para>
/// <para>Heavy math on tensors goes through <see cref="Compute.IBackend"/>. Host code reads and writes elements only
/// explicitly: <see cref="Download"/>, <see cref="Upload"/> and <see cref="ToArray"/> work wherever the tensor lives;
/// <see cref="HostSpan"/> and the indexers are views of host memory and throw for a tensor that lives elsewhere.</para>
/// </remarks>
public sealed class Tensor
{
    private readonly float[]? _host;
    private readonly int _hostStart;

    private Tensor(Shape shape, TensorStorage storage, bool adoptReusableShape = false)
    {
        // A reused buffer's shape changes with the buffer's next use; any other tensor keeps a shape of its own.
        Shape = shape.IsReusable && !adoptReusableShape ? new Shape(shape.Dimensions) : shape;
        Storage = storage;
        _host = storage.HostArray;
        _hostStart = storage.HostStart;
    }

    /// <summary>The dimensions of this tensor.</summary>
    public Shape Shape { get; }

    /// <summary>The number of elements.</summary>
    public int Length => Shape.ElementCount;

    /// <summary>The memory behind the elements; it holds at least <see cref="Length"/> of them (more when the tensor is a view over a reused buffer).</summary>
    public TensorStorage Storage { get; }

    /// <summary>Whether the elements live in host memory, so that <see cref="HostSpan"/> and the indexers work.</summary>
    public bool IsOnHost => _host is not null;

    /// <summary>
    /// The elements in row-major order as a view of host memory: for host tensors only (tests, tools, the CPU path).
    /// </summary>
    /// <exception cref="InvalidOperationException">The tensor lives on a device; use <see cref="Download"/> or <see cref="Upload"/>.</exception>
    public Span<float> HostSpan => HostArray.AsSpan(_hostStart, Shape.ElementCount);

    /// <summary>
    /// The host array behind the tensor: the single accessor through which CPU kernels reach elements, element 0 at
    /// <see cref="HostStart"/>.
    /// </summary>
    internal float[] HostArray => _host ?? throw NotOnHost();

    /// <summary>The index in <see cref="HostArray"/> of element 0.</summary>
    internal int HostStart => _hostStart;

    /// <summary>Creates a host tensor of the given shape filled with zeros.</summary>
    public static Tensor Zeros(params ReadOnlySpan<int> dimensions) => Zeros(new Shape(dimensions));

    /// <summary>Creates a host tensor of the given shape filled with zeros.</summary>
    public static Tensor Zeros(Shape shape) => new(shape, HostStorage.Allocate(shape.ElementCount));

    /// <summary>Creates a tensor of the given shape filled with zeros, in storage made by <paramref name="allocator"/> (a backend).</summary>
    public static Tensor Zeros(ITensorAllocator allocator, params ReadOnlySpan<int> dimensions) => Zeros(allocator, new Shape(dimensions));

    /// <summary>Creates a tensor of the given shape filled with zeros, in storage made by <paramref name="allocator"/> (a backend).</summary>
    public static Tensor Zeros(ITensorAllocator allocator, Shape shape)
    {
        ArgumentNullException.ThrowIfNull(allocator);
        return new(shape, allocator.Allocate(shape.ElementCount));
    }

    /// <summary>Creates a zero tensor of <paramref name="tensor"/>'s shape where <paramref name="tensor"/> lives.</summary>
    public static Tensor ZerosLike(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return Zeros(tensor.Storage.Allocator, tensor.Shape);
    }

    /// <summary>A tensor of <paramref name="shape"/> over the first elements of <paramref name="storage"/> (no copy).</summary>
    internal static Tensor Over(TensorStorage storage, Shape shape)
    {
        if (storage.Length < shape.ElementCount)
            throw new ArgumentException($"Storage of {storage.Length} elements cannot hold a tensor of shape {shape}.", nameof(storage));
        return new Tensor(shape, storage, adoptReusableShape: true);
    }

    /// <summary>Creates a host tensor that holds a copy of <paramref name="values"/> with the given shape.</summary>
    /// <exception cref="ArgumentException">The number of values differs from the shape's element count.</exception>
    public static Tensor FromValues(ReadOnlySpan<float> values, params ReadOnlySpan<int> dimensions)
    {
        var tensor = Zeros(dimensions);
        tensor.Upload(values);
        return tensor;
    }

    /// <summary>Creates a host tensor filled with <paramref name="value"/>.</summary>
    public static Tensor Filled(float value, params ReadOnlySpan<int> dimensions)
    {
        var tensor = Zeros(dimensions);
        tensor.HostSpan.Fill(value);
        return tensor;
    }

    /// <summary>Copies every element into host memory (<paramref name="destination"/> holds exactly <see cref="Length"/>).</summary>
    /// <exception cref="ArgumentException">The destination's length differs from <see cref="Length"/>.</exception>
    public void Download(Span<float> destination)
    {
        RequireLength(destination.Length, nameof(destination));
        Storage.Download(0, destination);
    }

    /// <summary>Replaces every element with <paramref name="values"/> from host memory (exactly <see cref="Length"/> of them).</summary>
    /// <exception cref="ArgumentException">The number of values differs from <see cref="Length"/>.</exception>
    public void Upload(ReadOnlySpan<float> values)
    {
        RequireLength(values.Length, nameof(values));
        Storage.Upload(values, 0);
    }

    /// <summary>
    /// Copies every element into <paramref name="destination"/> (same element count), wherever either lives: within one
    /// memory a copy there, between host and a device an upload or download.
    /// </summary>
    /// <exception cref="ArgumentException">The element counts differ.</exception>
    public void CopyTo(Tensor destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        destination.RequireLength(Length, nameof(destination));
        Storage.CopyTo(0, destination.Storage, 0, Length);
    }

    /// <summary>Sets every element to zero, wherever the tensor lives.</summary>
    public void Clear() => Storage.Clear(0, Length);

    /// <summary>Element at a flat row-major index (host tensors only).</summary>
    /// <exception cref="InvalidOperationException">The tensor lives on a device.</exception>
    public float this[int index]
    {
        get => HostSpan[index];
        set => HostSpan[index] = value;
    }

    /// <summary>Element at (row, column) of a rank-2 host tensor.</summary>
    /// <exception cref="InvalidOperationException">The tensor lives on a device.</exception>
    public float this[int row, int column]
    {
        get => HostSpan[checked(row * Shape[1] + column)];
        set => HostSpan[checked(row * Shape[1] + column)] = value;
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

    /// <summary>A new tensor with the same shape and a copy of the elements, where this one lives.</summary>
    public Tensor Clone()
    {
        var copy = ZerosLike(this);
        CopyTo(copy);
        return copy;
    }

    /// <summary>A tensor that shares this storage under another shape with the same element count.</summary>
    /// <exception cref="ArgumentException">The element counts differ.</exception>
    public Tensor Reshape(params ReadOnlySpan<int> dimensions)
    {
        var shape = new Shape(dimensions);
        if (shape.ElementCount != Length)
            throw new ArgumentException($"Cannot reshape {Shape} ({Length} elements) to {shape}.", nameof(dimensions));
        return new Tensor(shape, Storage);
    }

    /// <summary>Downloads the elements into a new host array (for tests, inspection and saving).</summary>
    public float[] ToArray()
    {
        var values = new float[Length];
        Storage.Download(0, values);
        return values;
    }

    /// <summary>Describes the tensor's shape.</summary>
    public override string ToString() => $"Tensor{Shape}";

    private void RequireLength(int length, string name)
    {
        if (length != Length)
            throw new ArgumentException($"{length} values for a tensor of shape {Shape} ({Length} elements).", name);
    }

    private InvalidOperationException NotOnHost() =>
        new($"A tensor of shape {Shape} lives in {Storage.Location} memory, not on the host; copy it with Download or Upload.");
}
