namespace LstmText.Compute.Cpu;

/// <summary>
/// The cache-blocked SGEMM loop nest (Goto/BLIS order) around one micro-kernel, run by one thread on one block
/// of C. A depth block of op(B) is packed once and stays in L2/L3 while row blocks of op(A) are packed and
/// swept past it; each B micro-panel (depth × NR) stays in L1 while the kernel walks every A panel.
/// </summary>
internal static unsafe class PackedGemm<TKernel> where TKernel : struct, IGemmMicroKernel
{
    /// <summary>KC: a 256-deep B micro-panel of 32 columns is 32 KiB, within the 48 KiB L1.</summary>
    public const int DepthBlock = 256;

    /// <summary>MC: 192 packed rows × KC is 192 KiB of A, a tenth of a 2 MiB L2 core slice.</summary>
    public const int RowBlock = 192;

    /// <summary>NC: 2048 columns × KC is 2 MiB of packed B, which stays in L2/L3 across the row blocks.</summary>
    public const int ColumnBlock = 2048;

    /// <summary>
    /// Up to this many rows, op(B) that is not transposed is read in place: its rows already hold NR consecutive
    /// columns per depth step, and copying all of B costs more than the few row tiles that would reuse the copy.
    /// </summary>
    public const int InPlaceRows = 64;

    public static void Run(in GemmProblem problem, GemmWorkspace workspace)
    {
        int mr = TKernel.RowsPerTile, nr = TKernel.ColumnsPerTile;
        int depthBlock = Math.Min(DepthBlock, problem.K);
        int rowBlock = Math.Min(RowBlock, RoundUp(problem.M, mr));
        int columnBlock = Math.Min(ColumnBlock, RoundUp(problem.N, nr));
        float* packedA = workspace.PackedA(rowBlock * depthBlock);
        float* packedB = workspace.PackedB(columnBlock * depthBlock);
        float* edge = stackalloc float[mr * nr];

        for (int column0 = 0; column0 < problem.N; column0 += columnBlock)
        {
            int columns = Math.Min(columnBlock, problem.N - column0);
            for (int depth0 = 0; depth0 < problem.K; depth0 += depthBlock)
            {
                int depth = Math.Min(depthBlock, problem.K - depth0);
                // Later depth blocks add to what the first one stored.
                float beta = depth0 == 0 ? problem.Beta : 1f;
                bool readBInPlace = !problem.TransposeB && problem.M <= InPlaceRows;
                // In place, only the partial panel at the right edge is packed (zero-padded, so reads stay inside B).
                int packedColumns = readBInPlace ? columns % nr : columns;
                int firstPacked = columns - packedColumns;
                if (packedColumns > 0)
                    PanelPacking.PackB(problem, depth0, depth, column0 + firstPacked, packedColumns, nr, packedB + (long)firstPacked * depth);
                for (int row0 = 0; row0 < problem.M; row0 += rowBlock)
                {
                    int rows = Math.Min(rowBlock, problem.M - row0);
                    PanelPacking.PackA(problem, row0, rows, depth0, depth, mr, packedA);
                    for (int tileColumn = 0; tileColumn < columns; tileColumn += nr)
                    {
                        int tileColumns = Math.Min(nr, columns - tileColumn);
                        bool inPlace = tileColumn < firstPacked;
                        float* b = inPlace ? problem.AddressOfB(depth0, column0 + tileColumn) : packedB + (long)tileColumn * depth;
                        int bStride = inPlace ? problem.Ldb : nr;
                        for (int tileRow = 0; tileRow < rows; tileRow += mr)
                        {
                            int tileRows = Math.Min(mr, rows - tileRow);
                            float* a = packedA + (long)tileRow * depth;
                            float* c = problem.C + (long)(row0 + tileRow) * problem.Ldc + column0 + tileColumn;
                            if (tileRows == mr && tileColumns == nr)
                            {
                                TKernel.Multiply(depth, a, b, bStride, c, problem.Ldc, problem.Alpha, beta);
                            }
                            else
                            {
                                TKernel.Multiply(depth, a, b, bStride, edge, nr, 1f, 0f);
                                StoreEdge(edge, nr, c, problem.Ldc, tileRows, tileColumns, problem.Alpha, beta);
                            }
                        }
                    }
                }
            }
        }
    }

    private static void StoreEdge(float* tile, int tileStride, float* c, int ldc, int rows, int columns, float alpha, float beta)
    {
        for (int i = 0; i < rows; i++)
        {
            float* source = tile + i * tileStride;
            float* target = c + (long)i * ldc;
            if (beta == 0f)
                for (int j = 0; j < columns; j++) target[j] = alpha * source[j];
            else
                for (int j = 0; j < columns; j++) target[j] = alpha * source[j] + beta * target[j];
        }
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}
