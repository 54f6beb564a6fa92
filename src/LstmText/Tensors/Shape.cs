using System.Collections;

namespace LstmText.Tensors;

/// <summary>The dimensions of a tensor, outermost first (row-major).</summary>
/// <remarks>A shape is immutable, except the shape of a layer's reused buffer (a tensor a layer returns and overwrites
/// on its next call), which takes the dimensions of each use of the same rank; two shapes are equal when their dimensions
/// are. A tensor made from a buffer's shape gets a copy of it.</remarks>
public sealed class Shape : IEquatable<Shape>, IReadOnlyList<int>
{
    private readonly int[] _dimensions;

    /// <summary>Creates a shape from its dimensions; every dimension must be zero or more.</summary>
    /// <exception cref="ArgumentException">A dimension is negative or the element count overflows.</exception>
    public Shape(params ReadOnlySpan<int> dimensions)
    {
        _dimensions = dimensions.ToArray();
        ElementCount = CountOf(dimensions);
    }

    private Shape(ReadOnlySpan<int> dimensions, bool reusable) : this(dimensions) => IsReusable = reusable;

    /// <summary>A shape that <see cref="TryReuseAs"/> may change in place (a reused buffer's, see <see cref="TensorBuffer"/>).</summary>
    internal static Shape Reusable(ReadOnlySpan<int> dimensions) => new(dimensions, reusable: true);

    /// <summary>Whether this is a reused buffer's shape, which changes with each use.</summary>
    internal bool IsReusable { get; }

    /// <summary>Takes <paramref name="dimensions"/> in place when this is a reusable shape of the same rank.</summary>
    internal bool TryReuseAs(ReadOnlySpan<int> dimensions)
    {
        if (!IsReusable || dimensions.Length != _dimensions.Length) return false;
        ElementCount = CountOf(dimensions);
        dimensions.CopyTo(_dimensions);
        return true;
    }

    private static int CountOf(ReadOnlySpan<int> dimensions)
    {
        long count = 1;
        for (int i = 0; i < dimensions.Length; i++)
        {
            if (dimensions[i] < 0)
                throw new ArgumentException($"Dimension {i} of shape {Format(dimensions.ToArray())} is negative.", nameof(dimensions));
            count *= dimensions[i];
            if (count > Array.MaxLength)
                throw new ArgumentException($"Shape {Format(dimensions.ToArray())} holds more elements than one array can.", nameof(dimensions));
        }
        return (int)count;
    }

    /// <summary>The number of dimensions.</summary>
    public int Rank => _dimensions.Length;

    /// <summary>The product of all dimensions (1 for a scalar shape).</summary>
    public int ElementCount { get; private set; }

    /// <summary>The number of dimensions (same as <see cref="Rank"/>).</summary>
    public int Count => _dimensions.Length;

    /// <summary>The size of dimension <paramref name="index"/>; negative indices count from the end.</summary>
    public int this[int index] => _dimensions[index < 0 ? _dimensions.Length + index : index];

    /// <summary>The dimensions as a read-only span.</summary>
    public ReadOnlySpan<int> Dimensions => _dimensions;

    /// <inheritdoc/>
    public bool Equals(Shape? other) => other is not null && _dimensions.AsSpan().SequenceEqual(other._dimensions);

    /// <summary>Whether this shape has exactly the given dimensions.</summary>
    public bool Is(params ReadOnlySpan<int> dimensions) => _dimensions.AsSpan().SequenceEqual(dimensions);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as Shape);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (int d in _dimensions) hash.Add(d);
        return hash.ToHashCode();
    }

    /// <summary>Formats the shape as <c>[2, 3, 4]</c>.</summary>
    public override string ToString() => Format(_dimensions);

    /// <inheritdoc/>
    public IEnumerator<int> GetEnumerator() => ((IEnumerable<int>)_dimensions).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _dimensions.GetEnumerator();

    private static string Format(int[] dimensions) => "[" + string.Join(", ", dimensions) + "]";
}
