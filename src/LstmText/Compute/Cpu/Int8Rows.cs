namespace LstmText.Compute.Cpu;

/// <summary>
/// Rows of float values (a classifier's token table: every token's first-layer input projection) kept as int8, each row
/// with its own scale, symmetric: x[r, c] ≈ scale[r] · q[r, c], q in [−127, 127]. An int8 product adds a row of it to
/// its result (<see cref="Int8Product.MultiplyAddingRows(ReadOnlySpan{float}, int, int, Int8Matrix, Int8Rows, ReadOnlySpan{int}, Span{float}, int)"/>) instead of a float row being copied in first: a quarter of
/// the bytes to fetch for a table too large for the caches.
/// </summary>
/// <remarks>Error: each value is off by at most half its row's step, max|x_r|/254. Memory: rows·(length + 4) bytes.</remarks>
internal sealed class Int8Rows
{
    private Int8Rows(int rows, int length)
    {
        Rows = rows;
        Length = length;
        Values = new sbyte[(long)rows * length];
        Scales = new float[rows];
    }

    /// <summary>How many rows.</summary>
    public int Rows { get; }

    /// <summary>Values per row.</summary>
    public int Length { get; }

    /// <summary>q, row-major without gaps.</summary>
    public sbyte[] Values { get; }

    /// <summary>scale[r] of every row (0 for a row of zeros).</summary>
    public float[] Scales { get; }

    /// <summary>Bytes a table of <paramref name="rows"/> rows of <paramref name="length"/> values takes.</summary>
    public static long SizeInBytes(long rows, int length) => rows * (length + sizeof(float));

    /// <summary>Quantizes <paramref name="rows"/> row-major rows of <paramref name="length"/> finite values.</summary>
    /// <exception cref="ArgumentException">Too few values, or one is not finite.</exception>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static Int8Rows Quantize(ReadOnlySpan<float> values, int rows, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        if (values.Length < (long)rows * length)
            throw new ArgumentException($"{values.Length} values do not fill {rows} rows of {length}.", nameof(values));
        var result = new Int8Rows(rows, length);
        for (int r = 0; r < rows; r++)
            result.Scales[r] = QuantizeRow(values.Slice(r * length, length), result.Values.AsSpan(r * length, length), r, nameof(values));
        return result;
    }

    /// <summary>
    /// Symmetric per-row quantization, the one rule of every int8 weight and table: q = round(x · 127 / max|x|) in
    /// [−127, 127], ties to even; returns the row's scale max|x| / 127 (a zero row: scale 0 and q = 0, so its products
    /// are exactly 0, as in float).
    /// </summary>
    /// <exception cref="ArgumentException">A value is not finite (named as row <paramref name="rowIndex"/> of <paramref name="parameterName"/>).</exception>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static float QuantizeRow(ReadOnlySpan<float> row, Span<sbyte> destination, int rowIndex, string parameterName)
    {
        float largest = 0f;
        foreach (float x in row)
        {
            if (!float.IsFinite(x)) throw new ArgumentException($"Row {rowIndex} holds {x}; only finite values can be quantized.", parameterName);
            largest = Math.Max(largest, Math.Abs(x));
        }
        float inverse = largest == 0f ? 0f : 127f / largest;
        for (int c = 0; c < row.Length; c++)
            destination[c] = (sbyte)Math.Clamp((int)MathF.Round(row[c] * inverse, MidpointRounding.ToEven), -127, 127);
        return largest / 127f;
    }

    /// <summary>scale[r] · q[r, c]: the value as a product adds it.</summary>
    public float DequantizedAt(int row, int column) => Scales[row] * Values[(long)row * Length + column];
}
