using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace LstmText.Compute.Cpu;

/// <summary>
/// The m = 1 case (one row of C, e.g. generating with batch size 1): packing B for a single row would cost more
/// than the product, so this streams op(B) once, as dot products (B transposed) or as row updates (B not).
/// </summary>
internal static unsafe class MatrixVectorProduct
{
    public static void Run(in GemmProblem problem, GemmWorkspace workspace, GemmInstructionSet instructionSet)
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

        if (problem.TransposeB && instructionSet == GemmInstructionSet.Avx512 && Vector512.IsHardwareAccelerated)
        {
            DotProducts(x, problem.B, problem.Ldb, n, k, problem.Alpha, problem.Beta, problem.C);
            return;
        }
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

    /// <summary>
    /// c[j] = alpha · (x · b_j) + beta · c[j] for the n rows b_j of length k: four rows at a time share each load of x
    /// (four independent accumulators hide the FMA latency; a single Dot call per row re-reads x and reduces each time).
    /// Every row is summed in the same order whether it falls in a block of four or not, so the result of a row does not
    /// depend on where a thread's band of rows starts.
    /// </summary>
    private static void DotProducts(float* x, float* b, int ldb, int n, int k, float alpha, float beta, float* c)
    {
        int vectorEnd = k - k % Vector512<float>.Count;
        int j = 0;
        for (; j + 4 <= n; j += 4)
        {
            float* b0 = b + (long)j * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
            Vector512<float> s0 = Vector512<float>.Zero, s1 = s0, s2 = s0, s3 = s0;
            for (int p = 0; p < vectorEnd; p += Vector512<float>.Count)
            {
                var xv = Vector512.Load(x + p);
                s0 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(b0 + p), s0);
                s1 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(b1 + p), s1);
                s2 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(b2 + p), s2);
                s3 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(b3 + p), s3);
            }
            Store(c + j, Finish(s0, x, b0, vectorEnd, k), alpha, beta);
            Store(c + j + 1, Finish(s1, x, b1, vectorEnd, k), alpha, beta);
            Store(c + j + 2, Finish(s2, x, b2, vectorEnd, k), alpha, beta);
            Store(c + j + 3, Finish(s3, x, b3, vectorEnd, k), alpha, beta);
        }
        for (; j < n; j++)
        {
            float* row = b + (long)j * ldb;
            var sum = Vector512<float>.Zero;
            for (int p = 0; p < vectorEnd; p += Vector512<float>.Count)
                sum = Vector512.FusedMultiplyAdd(Vector512.Load(x + p), Vector512.Load(row + p), sum);
            Store(c + j, Finish(sum, x, row, vectorEnd, k), alpha, beta);
        }
    }

    /// <summary>The lanes' sum plus the tail past the last whole vector, in one fixed order.</summary>
    private static float Finish(Vector512<float> sum, float* x, float* row, int vectorEnd, int k)
    {
        float dot = Vector512.Sum(sum);
        for (int p = vectorEnd; p < k; p++) dot = MathF.FusedMultiplyAdd(x[p], row[p], dot);
        return dot;
    }

    private static void Store(float* c, float dot, float alpha, float beta) =>
        *c = beta == 0f ? alpha * dot : alpha * dot + beta * *c;
}
