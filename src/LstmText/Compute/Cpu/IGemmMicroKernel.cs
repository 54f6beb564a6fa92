namespace LstmText.Compute.Cpu;

/// <summary>
/// The innermost block of SGEMM: an <see cref="RowsPerTile"/>×<see cref="ColumnsPerTile"/> tile of C kept in
/// registers while it walks one packed panel of A and one of B. Implemented by structs, so the blocked driver is
/// specialised per kernel by the JIT and the call inlines.
/// </summary>
internal unsafe interface IGemmMicroKernel
{
    /// <summary>MR: rows of C per tile, i.e. the height of a packed A panel.</summary>
    static abstract int RowsPerTile { get; }

    /// <summary>NR: columns of C per tile, i.e. the width of a packed B panel.</summary>
    static abstract int ColumnsPerTile { get; }

    /// <summary>
    /// tile = Σₚ a[p]ᵀ·b[p] over <paramref name="depth"/> steps; then c = alpha·tile + beta·c, where beta = 0
    /// stores without reading c. <paramref name="a"/> holds MR values per step; <paramref name="b"/> holds NR
    /// values per step, <paramref name="bStride"/> apart (NR when packed, B's leading dimension when read in place).
    /// </summary>
    static abstract void Multiply(int depth, float* a, float* b, int bStride, float* c, int ldc, float alpha, float beta);
}
