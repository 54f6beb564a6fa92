using LstmText.Tensors;

namespace LstmText.Compute;

public sealed partial class CpuBackend
{
    // Placeholder, replaced by the packed kernel: a plain triple loop that states the contract.
    private string GemmInstructionSet => "reference";

    private void InitializeGemm()
    {
    }

    /// <inheritdoc/>
    public void Gemm(Transpose transposeA, Transpose transposeB, int m, int n, int k, float alpha,
        TensorSlice a, int lda, TensorSlice b, int ldb, float beta, TensorSlice c, int ldc)
    {
        var x = a.Span;
        var y = b.Span;
        var z = c.Span;
        for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++)
        {
            float sum = 0;
            for (int p = 0; p < k; p++)
            {
                float av = transposeA == Transpose.Yes ? x[p * lda + i] : x[i * lda + p];
                float bv = transposeB == Transpose.Yes ? y[j * ldb + p] : y[p * ldb + j];
                sum += av * bv;
            }
            z[i * ldc + j] = beta == 0f ? alpha * sum : alpha * sum + beta * z[i * ldc + j];
        }
    }
}
