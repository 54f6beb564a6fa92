using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LstmText.Compute.Cpu;

/// <summary>
/// C = alpha·A·Bᵀ + beta·C for few rows of A (the LSTM's per-step h·W_hhᵀ with a batch of 32), as dot products.
/// Both A's rows and B's rows run along k, so 4×4 blocks of C accumulate straight from the source rows with no
/// packing: packing a 2048×512 B costs as much as the whole product when only 32 rows use it.
/// </summary>
internal static unsafe class DotProductGemm
{
    /// <summary>Up to this many rows of A the unpacked form beats packing op(B) (measured: 16 rows 92 vs 50 GFLOP/s, 32 rows 79 vs 77, 48 rows 69 vs 93).</summary>
    public const int MaximumRows = 32;

    public static bool Suits(in GemmProblem problem) =>
        !problem.TransposeA && problem.TransposeB && problem.M <= MaximumRows && problem.K >= 16;

    public static void Run(in GemmProblem problem)
    {
        int m = problem.M, n = problem.N;
        // A block of four B rows (k floats each) stays in L1 while every row block of A streams past it.
        for (int j = 0; j < n; j += 4)
        {
            int columns = Math.Min(4, n - j);
            for (int i = 0; i < m; i += 4)
            {
                int rows = Math.Min(4, m - i);
                if (rows == 4 && columns == 4) Block(problem, i, j);
                else EdgeBlock(problem, i, rows, j, columns);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block(in GemmProblem problem, int row, int column)
    {
        int k = problem.K, lda = problem.Lda, ldb = problem.Ldb;
        float* a0 = problem.A + (long)row * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
        float* b0 = problem.B + (long)column * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector512<float> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector512<float> c30 = default, c31 = default, c32 = default, c33 = default;
        int p = 0;
        for (; p + 16 <= k; p += 16)
        {
            var y0 = Vector512.Load(b0 + p);
            var y1 = Vector512.Load(b1 + p);
            var y2 = Vector512.Load(b2 + p);
            var y3 = Vector512.Load(b3 + p);
            var x = Vector512.Load(a0 + p);
            c00 = Avx512F.FusedMultiplyAdd(x, y0, c00);
            c01 = Avx512F.FusedMultiplyAdd(x, y1, c01);
            c02 = Avx512F.FusedMultiplyAdd(x, y2, c02);
            c03 = Avx512F.FusedMultiplyAdd(x, y3, c03);
            x = Vector512.Load(a1 + p);
            c10 = Avx512F.FusedMultiplyAdd(x, y0, c10);
            c11 = Avx512F.FusedMultiplyAdd(x, y1, c11);
            c12 = Avx512F.FusedMultiplyAdd(x, y2, c12);
            c13 = Avx512F.FusedMultiplyAdd(x, y3, c13);
            x = Vector512.Load(a2 + p);
            c20 = Avx512F.FusedMultiplyAdd(x, y0, c20);
            c21 = Avx512F.FusedMultiplyAdd(x, y1, c21);
            c22 = Avx512F.FusedMultiplyAdd(x, y2, c22);
            c23 = Avx512F.FusedMultiplyAdd(x, y3, c23);
            x = Vector512.Load(a3 + p);
            c30 = Avx512F.FusedMultiplyAdd(x, y0, c30);
            c31 = Avx512F.FusedMultiplyAdd(x, y1, c31);
            c32 = Avx512F.FusedMultiplyAdd(x, y2, c32);
            c33 = Avx512F.FusedMultiplyAdd(x, y3, c33);
        }
        float* c = problem.C + (long)row * problem.Ldc + column;
        Store(c, Sums(c00, c01, c02, c03) + Tail(a0, b0, b1, b2, b3, p, k), problem.Alpha, problem.Beta);
        Store(c + problem.Ldc, Sums(c10, c11, c12, c13) + Tail(a1, b0, b1, b2, b3, p, k), problem.Alpha, problem.Beta);
        Store(c + 2 * problem.Ldc, Sums(c20, c21, c22, c23) + Tail(a2, b0, b1, b2, b3, p, k), problem.Alpha, problem.Beta);
        Store(c + 3 * problem.Ldc, Sums(c30, c31, c32, c33) + Tail(a3, b0, b1, b2, b3, p, k), problem.Alpha, problem.Beta);
    }

    /// <summary>The four horizontal sums, with three horizontal adds instead of four full reductions.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Sums(Vector512<float> s0, Vector512<float> s1, Vector512<float> s2, Vector512<float> s3)
    {
        var h0 = s0.GetLower() + s0.GetUpper();
        var h1 = s1.GetLower() + s1.GetUpper();
        var h2 = s2.GetLower() + s2.GetUpper();
        var h3 = s3.GetLower() + s3.GetUpper();
        var h = Avx.HorizontalAdd(Avx.HorizontalAdd(h0, h1), Avx.HorizontalAdd(h2, h3));
        return h.GetLower() + h.GetUpper();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Tail(float* a, float* b0, float* b1, float* b2, float* b3, int start, int k)
    {
        float t0 = 0, t1 = 0, t2 = 0, t3 = 0;
        for (int p = start; p < k; p++)
        {
            t0 += a[p] * b0[p];
            t1 += a[p] * b1[p];
            t2 += a[p] * b2[p];
            t3 += a[p] * b3[p];
        }
        return Vector128.Create(t0, t1, t2, t3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* c, Vector128<float> sums, float alpha, float beta)
    {
        var result = sums * alpha;
        if (beta != 0f) result += Vector128.Load(c) * beta;
        result.Store(c);
    }

    private static void EdgeBlock(in GemmProblem problem, int row0, int rows, int column0, int columns)
    {
        for (int i = row0; i < row0 + rows; i++)
        for (int j = column0; j < column0 + columns; j++)
        {
            var a = new ReadOnlySpan<float>(problem.A + (long)i * problem.Lda, problem.K);
            var b = new ReadOnlySpan<float>(problem.B + (long)j * problem.Ldb, problem.K);
            float dot = TensorPrimitives.Dot(a, b);
            float* c = problem.C + (long)i * problem.Ldc + j;
            *c = problem.Beta == 0f ? problem.Alpha * dot : problem.Alpha * dot + problem.Beta * *c;
        }
    }
}
