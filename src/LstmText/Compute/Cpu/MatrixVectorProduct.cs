using System.Numerics.Tensors;

namespace LstmText.Compute.Cpu;

/// <summary>
/// The m = 1 case (one row of C, e.g. generating with batch size 1): packing B for a single row would cost more
/// than the product, so this streams op(B) once, as dot products (B transposed) or as row updates (B not).
/// </summary>
internal static unsafe class MatrixVectorProduct
{
    public static void Run(in GemmProblem problem, GemmWorkspace workspace)
    {
        int n = problem.N, k = problem.K;
        float* x = problem.A;
        if (problem.TransposeA && k > 1 && problem.Lda != 1)
        {
            x = workspace.Vector(k);
            for (int p = 0; p < k; p++) x[p] = problem.A[(long)p * problem.Lda];
        }
        var row = new ReadOnlySpan<float>(x, k);
        var c = new Span<float>(problem.C, n);

        if (problem.TransposeB)
        {
            for (int j = 0; j < n; j++)
            {
                float dot = TensorPrimitives.Dot(row, new ReadOnlySpan<float>(problem.B + (long)j * problem.Ldb, k));
                c[j] = problem.Beta == 0f ? problem.Alpha * dot : problem.Alpha * dot + problem.Beta * c[j];
            }
            return;
        }

        if (problem.Beta == 0f) c.Clear();
        else if (problem.Beta != 1f) TensorPrimitives.Multiply(c, problem.Beta, c);
        for (int p = 0; p < k; p++)
        {
            var bRow = new ReadOnlySpan<float>(problem.B + (long)p * problem.Ldb, n);
            TensorPrimitives.MultiplyAdd(bRow, problem.Alpha * row[p], c, c);
        }
    }
}
