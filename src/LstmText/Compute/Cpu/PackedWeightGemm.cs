using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LstmText.Compute.Cpu;

/// <summary>
/// C = A·Wᵀ + beta·C for few rows of A against a weight W (n×k) packed once by <see cref="Pack"/> into panels of 32 of
/// its rows, each stored depth-major (k × 32): the LSTM's per-step h·W_hhᵀ, where one packing serves every step.
/// Tiles of C accumulate from broadcasts of A's elements (read in place) times two vectors of a panel, so no tile needs
/// a horizontal sum, and the panel (k·32 floats, 16 KiB at k = 128) stays in L1 while every row tile passes over it.
/// </summary>
/// <remarks>AVX-512 only: <see cref="CpuBackend"/> keeps W as it is, and uses its general GEMM, on other CPUs.</remarks>
internal sealed unsafe class PackedWeightGemm : IParallelWork
{
    /// <summary>Columns of C (rows of W) in one panel: two 16-float vectors.</summary>
    public const int PanelWidth = 32;

    /// <summary>Below about 2¹⁹ multiply-adds a thread hand-off costs more than it saves (as for the general GEMM).</summary>
    private const long ParallelThreshold = 1L << 19;

    private readonly WorkerTeam team;
    private Problem problem;

    public PackedWeightGemm(WorkerTeam team) => this.team = team;

    /// <summary>Floats that the packed form of an n×k weight occupies.</summary>
    public static long PackedLength(int n, int k) => (long)(n + PanelWidth - 1) / PanelWidth * PanelWidth * k;

    /// <summary>Packs the n×k row-major weight <paramref name="w"/> (leading dimension k) into panels; the last panel's missing rows are zeros.</summary>
    public static void Pack(float* w, int n, int k, float* packed)
    {
        for (int panel0 = 0; panel0 < n; panel0 += PanelWidth)
        {
            int width = Math.Min(PanelWidth, n - panel0);
            float* target = packed + (long)panel0 * k;
            // W's rows are read in order; each becomes one column of the panel.
            for (int j = 0; j < PanelWidth; j++)
            {
                float* source = w + (long)(panel0 + j) * k;
                for (int p = 0; p < k; p++) target[(long)p * PanelWidth + j] = j < width ? source[p] : 0f;
            }
        }
    }

    /// <summary>Computes the product, splitting the panels across the team when it is large enough.</summary>
    public void Run(float* a, int lda, float* packed, int m, int n, int k, float beta, float* c, int ldc)
    {
        var product = new Problem(a, lda, packed, m, n, k, beta, c, ldc);
        int panels = (n + PanelWidth - 1) / PanelWidth;
        if (team.Size == 1 || panels == 1 || (long)m * n * k < ParallelThreshold)
        {
            RunPanels(product, 0, panels);
            return;
        }
        problem = product;
        team.Run(this, Math.Min(team.Size, panels));
    }

    /// <summary>Computes the product on the calling thread.</summary>
    public static void RunOnOneThread(float* a, int lda, float* packed, int m, int n, int k, float beta, float* c, int ldc) =>
        RunPanels(new Problem(a, lda, packed, m, n, k, beta, c, ldc), 0, (n + PanelWidth - 1) / PanelWidth);

    /// <inheritdoc/>
    public void Execute(int part, int parts)
    {
        int panels = (problem.N + PanelWidth - 1) / PanelWidth;
        int first = (int)((long)panels * part / parts), end = (int)((long)panels * (part + 1) / parts);
        RunPanels(problem, first, end - first);
    }

    private static void RunPanels(in Problem product, int firstPanel, int panelCount)
    {
        int m = product.M, k = product.K;
        float* edge = stackalloc float[8 * PanelWidth];
        int panel = firstPanel, endPanel = firstPanel + panelCount;
        if (m == 1)
        {
            // One row: four panels at a time give eight independent accumulators, enough to hide the FMA latency.
            for (; panel + 4 <= endPanel && (panel + 4) * PanelWidth <= product.N; panel += 4)
                RowTimesFourPanels(product.A, product.Packed + (long)panel * PanelWidth * k, k, product.C + panel * PanelWidth, product.Beta);
        }
        for (; panel < endPanel; panel++)
        {
            int column0 = panel * PanelWidth;
            int columns = Math.Min(PanelWidth, product.N - column0);
            float* b = product.Packed + (long)column0 * k;
            for (int row0 = 0; row0 < m;)
            {
                int rows = m - row0 >= 8 ? 8 : m - row0 >= 4 ? 4 : 1;
                float* a = product.A + (long)row0 * product.Lda;
                float* c = product.C + (long)row0 * product.Ldc + column0;
                if (columns == PanelWidth)
                {
                    Tile(rows, a, product.Lda, b, k, c, product.Ldc, product.Beta);
                }
                else
                {
                    Tile(rows, a, product.Lda, b, k, edge, PanelWidth, 0f);
                    for (int i = 0; i < rows; i++)
                    for (int j = 0; j < columns; j++)
                    {
                        float* target = c + (long)i * product.Ldc + j;
                        *target = product.Beta == 0f ? edge[i * PanelWidth + j] : edge[i * PanelWidth + j] + product.Beta * *target;
                    }
                }
                row0 += rows;
            }
        }
    }

    private static void Tile(int rows, float* a, int lda, float* b, int k, float* c, int ldc, float beta)
    {
        if (rows == 8) EightRows(a, lda, b, k, c, ldc, beta);
        else if (rows == 4) FourRows(a, lda, b, k, c, ldc, beta);
        else OneRow(a, b, k, c, beta);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void EightRows(float* a, int lda, float* b, int k, float* c, int ldc, float beta)
    {
        float* a0 = a, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda, a6 = a5 + lda, a7 = a6 + lda;
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < k; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var x = Vector512.Create(a0[p]);
            c00 = Avx512F.FusedMultiplyAdd(x, b0, c00);
            c01 = Avx512F.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a1[p]);
            c10 = Avx512F.FusedMultiplyAdd(x, b0, c10);
            c11 = Avx512F.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a2[p]);
            c20 = Avx512F.FusedMultiplyAdd(x, b0, c20);
            c21 = Avx512F.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a3[p]);
            c30 = Avx512F.FusedMultiplyAdd(x, b0, c30);
            c31 = Avx512F.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(a4[p]);
            c40 = Avx512F.FusedMultiplyAdd(x, b0, c40);
            c41 = Avx512F.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(a5[p]);
            c50 = Avx512F.FusedMultiplyAdd(x, b0, c50);
            c51 = Avx512F.FusedMultiplyAdd(x, b1, c51);
            x = Vector512.Create(a6[p]);
            c60 = Avx512F.FusedMultiplyAdd(x, b0, c60);
            c61 = Avx512F.FusedMultiplyAdd(x, b1, c61);
            x = Vector512.Create(a7[p]);
            c70 = Avx512F.FusedMultiplyAdd(x, b0, c70);
            c71 = Avx512F.FusedMultiplyAdd(x, b1, c71);
            b += PanelWidth;
        }
        Store(c, c00, c01, beta);
        Store(c + ldc, c10, c11, beta);
        Store(c + 2 * ldc, c20, c21, beta);
        Store(c + 3 * ldc, c30, c31, beta);
        Store(c + 4 * ldc, c40, c41, beta);
        Store(c + 5 * ldc, c50, c51, beta);
        Store(c + 6 * ldc, c60, c61, beta);
        Store(c + 7 * ldc, c70, c71, beta);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FourRows(float* a, int lda, float* b, int k, float* c, int ldc, float beta)
    {
        float* a0 = a, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<float> c20 = default, c21 = default, c30 = default, c31 = default;
        for (int p = 0; p < k; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var x = Vector512.Create(a0[p]);
            c00 = Avx512F.FusedMultiplyAdd(x, b0, c00);
            c01 = Avx512F.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a1[p]);
            c10 = Avx512F.FusedMultiplyAdd(x, b0, c10);
            c11 = Avx512F.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a2[p]);
            c20 = Avx512F.FusedMultiplyAdd(x, b0, c20);
            c21 = Avx512F.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a3[p]);
            c30 = Avx512F.FusedMultiplyAdd(x, b0, c30);
            c31 = Avx512F.FusedMultiplyAdd(x, b1, c31);
            b += PanelWidth;
        }
        Store(c, c00, c01, beta);
        Store(c + ldc, c10, c11, beta);
        Store(c + 2 * ldc, c20, c21, beta);
        Store(c + 3 * ldc, c30, c31, beta);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OneRow(float* a, float* b, int k, float* c, float beta)
    {
        Vector512<float> c0 = default, c1 = default;
        for (int p = 0; p < k; p++)
        {
            var x = Vector512.Create(a[p]);
            c0 = Avx512F.FusedMultiplyAdd(x, Vector512.Load(b), c0);
            c1 = Avx512F.FusedMultiplyAdd(x, Vector512.Load(b + 16), c1);
            b += PanelWidth;
        }
        Store(c, c0, c1, beta);
    }

    /// <summary>One row of A against four consecutive full panels (128 columns of C).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowTimesFourPanels(float* a, float* b, int k, float* c, float beta)
    {
        long panel = (long)PanelWidth * k;
        float* p0 = b, p1 = b + panel, p2 = p1 + panel, p3 = p2 + panel;
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default;
        Vector512<float> c4 = default, c5 = default, c6 = default, c7 = default;
        for (int p = 0; p < k; p++)
        {
            var x = Vector512.Create(a[p]);
            c0 = Avx512F.FusedMultiplyAdd(x, Vector512.Load(p0), c0);
            c1 = Avx512F.FusedMultiplyAdd(x, Vector512.Load(p0 + 16), c1);
            c2 = Avx512F.FusedMultiplyAdd(x, Vector512.Load(p1), c2);
            c3 = Avx512F.FusedMultiplyAdd(x, Vector512.Load(p1 + 16), c3);
            c4 = Avx512F.FusedMultiplyAdd(x, Vector512.Load(p2), c4);
            c5 = Avx512F.FusedMultiplyAdd(x, Vector512.Load(p2 + 16), c5);
            c6 = Avx512F.FusedMultiplyAdd(x, Vector512.Load(p3), c6);
            c7 = Avx512F.FusedMultiplyAdd(x, Vector512.Load(p3 + 16), c7);
            p0 += PanelWidth;
            p1 += PanelWidth;
            p2 += PanelWidth;
            p3 += PanelWidth;
        }
        Store(c, c0, c1, beta);
        Store(c + PanelWidth, c2, c3, beta);
        Store(c + 2 * PanelWidth, c4, c5, beta);
        Store(c + 3 * PanelWidth, c6, c7, beta);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* row, Vector512<float> left, Vector512<float> right, float beta)
    {
        if (beta == 0f)
        {
            left.Store(row);
            right.Store(row + 16);
        }
        else
        {
            var keep = Vector512.Create(beta);
            Avx512F.FusedMultiplyAdd(Vector512.Load(row), keep, left).Store(row);
            Avx512F.FusedMultiplyAdd(Vector512.Load(row + 16), keep, right).Store(row + 16);
        }
    }

    private readonly struct Problem(float* a, int lda, float* packed, int m, int n, int k, float beta, float* c, int ldc)
    {
        public float* A { get; } = a;
        public int Lda { get; } = lda;
        public float* Packed { get; } = packed;
        public int M { get; } = m;
        public int N { get; } = n;
        public int K { get; } = k;
        public float Beta { get; } = beta;
        public float* C { get; } = c;
        public int Ldc { get; } = ldc;
    }
}
