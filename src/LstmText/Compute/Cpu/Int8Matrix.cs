namespace LstmText.Compute.Cpu;

/// <summary>
/// A weight matrix W (rows × columns, as an <c>nn.Linear</c> or LSTM weight is stored) quantized for inference as
/// PyTorch's dynamic quantization does it: every row r to int8 with its own scale, W[r, c] ≈ scale[r] · q[r, c],
/// q in [−127, 127] (symmetric, no zero point). Products with float activations go through <see cref="Int8Product"/>.
/// </summary>
/// <remarks>
/// <para>The int8 values are kept in the layout of the VNNI dot-product instruction (<c>vpdpbusd</c>): panels of
/// <see cref="PanelRows"/> rows, and within a panel groups of 4 columns, so one 32-byte load holds 4 consecutive
/// columns of 8 rows. Columns are padded to a multiple of 4 and rows to a multiple of <see cref="PanelRows"/> with
/// zeros, which contribute nothing to a product.</para>
/// <para>Memory: about a quarter of the float matrix (rows·columns bytes), plus 8 bytes per row.</para>
/// </remarks>
internal sealed class Int8Matrix
{
    /// <summary>Rows of W in one packed panel: one iteration of the product's inner loop computes this many outputs.</summary>
    public const int PanelRows = 32;

    private Int8Matrix(int rows, int columns)
    {
        Rows = rows;
        Columns = columns;
        ColumnGroups = (columns + 3) / 4;
        Panels = (rows + PanelRows - 1) / PanelRows;
        Packed = new sbyte[(long)Panels * ColumnGroups * PanelRows * 4];
        Scales = new float[Panels * PanelRows];
        RowSums = new int[Panels * PanelRows];
    }

    /// <summary>Rows of W (outputs of the product).</summary>
    public int Rows { get; }

    /// <summary>Columns of W (inputs of the product).</summary>
    public int Columns { get; }

    /// <summary>Columns rounded up to groups of 4.</summary>
    public int ColumnGroups { get; }

    /// <summary>Panels of <see cref="PanelRows"/> rows.</summary>
    public int Panels { get; }

    /// <summary>The int8 values: panel p, column group g, row j of the panel, column 4g + i at [((p·G + g)·32 + j)·4 + i].</summary>
    public sbyte[] Packed { get; }

    /// <summary>scale[r] of every row (padding rows: 0).</summary>
    public float[] Scales { get; }

    /// <summary>Σ_c q[r, c] of every row, which removes the activations' zero point from a product.</summary>
    public int[] RowSums { get; }

    /// <summary>Quantizes a row-major <paramref name="rows"/> × <paramref name="columns"/> matrix (no gaps between rows).</summary>
    public static Int8Matrix Quantize(ReadOnlySpan<float> weight, int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        if (weight.Length < rows * columns)
            throw new ArgumentException($"{weight.Length} values do not fill a {rows}×{columns} matrix.", nameof(weight));
        var matrix = new Int8Matrix(rows, columns);
        var q = new sbyte[columns];
        for (int r = 0; r < rows; r++)
        {
            matrix.Scales[r] = Int8Rows.QuantizeRow(weight.Slice(r * columns, columns), q, r, nameof(weight));
            int sum = 0;
            int panel = r / PanelRows, within = r % PanelRows;
            for (int c = 0; c < columns; c++)
            {
                sum += q[c];
                matrix.Packed[matrix.IndexOf(panel, c / 4, within, c % 4)] = q[c];
            }
            matrix.RowSums[r] = sum;
        }
        return matrix;
    }

    /// <summary>
    /// A matrix from int8 values already quantized (row-major <paramref name="values"/>, each an integer in [−127, 127],
    /// held in floats as a model file's I8 tensor reads) and their per-row <paramref name="scales"/> (finite, not negative):
    /// what an int8 model file stores. Quantizing the float matrix they were made from gives the same matrix.
    /// </summary>
    /// <exception cref="ArgumentException">A value is not an integer in [−127, 127], or a scale is negative or not finite; the message says where.</exception>
    public static Int8Matrix FromQuantized(ReadOnlySpan<float> values, ReadOnlySpan<float> scales, int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        if (values.Length != (long)rows * columns || scales.Length != rows)
            throw new ArgumentException($"{values.Length} values and {scales.Length} scales do not make a {rows}×{columns} matrix.", nameof(values));
        var matrix = new Int8Matrix(rows, columns);
        for (int r = 0; r < rows; r++)
        {
            if (!(scales[r] >= 0f && float.IsFinite(scales[r])))
                throw new ArgumentException($"the scale of row {r} is {scales[r]}; a scale must be a finite number, not negative");
            int sum = 0, panel = r / PanelRows, within = r % PanelRows;
            for (int c = 0; c < columns; c++)
            {
                float value = values[r * columns + c];
                if (!(value >= -127f && value <= 127f) || value != MathF.Round(value))
                    throw new ArgumentException($"element {(long)r * columns + c} is {value}; an int8 weight must be an integer in [-127, 127]");
                int q = (int)value;
                sum += q;
                matrix.Packed[matrix.IndexOf(panel, c / 4, within, c % 4)] = (sbyte)q;
            }
            matrix.Scales[r] = scales[r];
            matrix.RowSums[r] = sum;
        }
        return matrix;
    }

    /// <summary>Writes q row-major into <paramref name="values"/> (rows·columns) and the row scales into <paramref name="scales"/>: what <see cref="FromQuantized"/> reads.</summary>
    public void CopyTo(Span<float> values, Span<float> scales)
    {
        for (int r = 0; r < Rows; r++)
        {
            for (int c = 0; c < Columns; c++) values[r * Columns + c] = ValueAt(r, c);
            scales[r] = Scales[r];
        }
    }

    /// <summary>q[r, c], the int8 value of one weight.</summary>
    public int ValueAt(int row, int column) => Packed[IndexOf(row / PanelRows, column / 4, row % PanelRows, column % 4)];

    /// <summary>scale[r] · q[r, c]: the weight as the int8 product sees it.</summary>
    public float DequantizedAt(int row, int column) => Scales[row] * ValueAt(row, column);

    private long IndexOf(int panel, int group, int rowInPanel, int columnInGroup) =>
        (((long)panel * ColumnGroups + group) * PanelRows + rowInPanel) * 4 + columnInGroup;
}
