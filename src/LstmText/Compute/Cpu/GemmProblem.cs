namespace LstmText.Compute.Cpu;

/// <summary>
/// One SGEMM call in raw form, C = alpha·op(A)·op(B) + beta·C, with pointers that stay valid (pinned) for the
/// whole call. <see cref="Block"/> narrows it to a sub-block of C, which is how threads split the work.
/// </summary>
internal readonly unsafe struct GemmProblem
{
    public GemmProblem(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        TransposeA = transposeA;
        TransposeB = transposeB;
        M = m;
        N = n;
        K = k;
        Alpha = alpha;
        A = a;
        Lda = lda;
        B = b;
        Ldb = ldb;
        Beta = beta;
        C = c;
        Ldc = ldc;
    }

    public bool TransposeA { get; }
    public bool TransposeB { get; }
    public int M { get; }
    public int N { get; }
    public int K { get; }
    public float Alpha { get; }
    public float* A { get; }
    public int Lda { get; }
    public float* B { get; }
    public int Ldb { get; }
    public float Beta { get; }
    public float* C { get; }
    public int Ldc { get; }

    /// <summary>Multiply-adds in the whole product, the measure of how much a thread hand-off is worth.</summary>
    public long MultiplyAdds => (long)M * N * K;

    /// <summary>The address of op(A)[row, depth], whichever way A is stored.</summary>
    public float* AddressOfA(int row, int depth) => TransposeA ? A + (long)depth * Lda + row : A + (long)row * Lda + depth;

    /// <summary>The address of op(B)[depth, column], whichever way B is stored.</summary>
    public float* AddressOfB(int depth, int column) => TransposeB ? B + (long)column * Ldb + depth : B + (long)depth * Ldb + column;

    /// <summary>The same product restricted to rows [firstRow, firstRow + rows) and the given columns of C.</summary>
    public GemmProblem Block(int firstRow, int rows, int firstColumn, int columns) =>
        new(TransposeA, TransposeB, rows, columns, K, Alpha,
            AddressOfA(firstRow, 0), Lda, AddressOfB(0, firstColumn), Ldb, Beta,
            C + (long)firstRow * Ldc + firstColumn, Ldc);
}
