using LstmText.Tensors;

namespace LstmText.Compute.Cpu;

/// <summary>
/// The int8 copies of a layer's weight matrices for inference (<c>Lstm</c>: W_ih and W_hh of every layer and
/// direction; <c>Linear</c>: W), made once from the float weights; biases stay float and are added by the
/// layer as before. Read-only once made, so every copy of a layer (<c>WithOwnBuffers</c>) shares it.
/// </summary>
internal sealed class Int8LayerWeights
{
    private readonly Int8Matrix[] _matrices;

    private Int8LayerWeights(Int8Matrix[] matrices) => _matrices = matrices;

    /// <summary>How many matrices: per LSTM layer and direction W_ih then W_hh; one for a linear layer.</summary>
    public int Count => _matrices.Length;

    /// <summary>Quantizes every weight matrix (rank-2 tensor) of <paramref name="weights"/>, in order.</summary>
    public static Int8LayerWeights Quantize(IEnumerable<Tensor> weights) =>
        new([.. weights.Where(w => w.Shape.Rank == 2)
            .Select(w => Int8Matrix.Quantize(w.All.Span, w.Shape[0], w.Shape[1]))]);

    /// <summary>Matrices already quantized (read from an int8 model file), in the order <see cref="Quantize"/> would make them.</summary>
    public static Int8LayerWeights FromMatrices(IEnumerable<Int8Matrix> matrices) => new([.. matrices]);

    /// <summary>The <paramref name="index"/>-th matrix.</summary>
    public Int8Matrix this[int index] => _matrices[index];

    /// <summary>
    /// C = A·W[index]ᵀ + beta·C for <paramref name="rows"/> rows of A (row length = the matrix's columns, rows
    /// <paramref name="lda"/> apart) into C (rows <paramref name="ldc"/> apart).
    /// </summary>
    public void Multiply(int index, TensorSlice a, int rows, int lda, float beta, TensorSlice c, int ldc) =>
        Int8Product.Multiply(a.Span, rows, lda, _matrices[index], beta, c.Span, ldc);

    /// <summary>
    /// C = A·W[index]ᵀ + table row ids[i] for every row i (<see cref="Int8Product.MultiplyAddingRows(ReadOnlySpan{float}, int, int, Int8Matrix, Int8Rows, ReadOnlySpan{int}, Span{float}, int)"/>).
    /// </summary>
    public void MultiplyAddingRows(int index, TensorSlice a, int rows, int lda, Int8Rows table, ReadOnlySpan<int> ids, TensorSlice c, int ldc) =>
        Int8Product.MultiplyAddingRows(a.Span, rows, lda, _matrices[index], table, ids, c.Span, ldc);
}
