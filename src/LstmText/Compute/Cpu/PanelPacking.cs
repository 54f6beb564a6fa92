using System.Runtime.CompilerServices;

namespace LstmText.Compute.Cpu;

/// <summary>
/// Copies blocks of op(A) and op(B) into the panel order the micro-kernel streams: A in panels of MR rows
/// (MR values per depth step), B in panels of NR columns (NR values per depth step), zero-padded at the edges
/// so the kernel never branches on size. Packing also turns every transpose case into the same layout.
/// </summary>
internal static unsafe class PanelPacking
{
    /// <summary>Packs rows [row0, row0+rows) × depth [depth0, depth0+depth) of op(A) into panels of <paramref name="panelRows"/>.</summary>
    public static void PackA(in GemmProblem problem, int row0, int rows, int depth0, int depth, int panelRows, float* destination)
    {
        for (int panel = 0; panel < rows; panel += panelRows)
        {
            int valid = Math.Min(panelRows, rows - panel);
            float* output = destination + (long)panel * depth;
            if (problem.TransposeA)
            {
                // op(A) columns are contiguous: each depth step is one short contiguous copy.
                for (int p = 0; p < depth; p++)
                    CopyPadded(problem.AddressOfA(row0 + panel, depth0 + p), output + p * panelRows, valid, panelRows);
            }
            else
            {
                Interleave(problem.AddressOfA(row0 + panel, depth0), problem.Lda, valid, depth, panelRows, output);
            }
        }
    }

    /// <summary>Packs depth [depth0, depth0+depth) × columns [column0, column0+columns) of op(B) into panels of <paramref name="panelColumns"/>.</summary>
    public static void PackB(in GemmProblem problem, int depth0, int depth, int column0, int columns, int panelColumns, float* destination)
    {
        for (int panel = 0; panel < columns; panel += panelColumns)
        {
            int valid = Math.Min(panelColumns, columns - panel);
            float* output = destination + (long)panel * depth;
            if (problem.TransposeB)
            {
                Interleave(problem.AddressOfB(depth0, column0 + panel), problem.Ldb, valid, depth, panelColumns, output);
            }
            else
            {
                for (int p = 0; p < depth; p++)
                    CopyPadded(problem.AddressOfB(depth0 + p, column0 + panel), output + p * panelColumns, valid, panelColumns);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyPadded(float* source, float* destination, int valid, int width)
    {
        new ReadOnlySpan<float>(source, valid).CopyTo(new Span<float>(destination, valid));
        for (int j = valid; j < width; j++) destination[j] = 0f;
    }

    /// <summary>
    /// Writes <paramref name="lines"/> source lines (each <paramref name="depth"/> long, <paramref name="stride"/>
    /// apart) side by side: destination[p·width + line] = source[line·stride + p].
    /// </summary>
    private static void Interleave(float* source, int stride, int lines, int depth, int width, float* destination)
    {
        // Four lines at a time keeps four read streams and one write stream, which the prefetchers follow.
        int line = 0;
        for (; line + 4 <= lines; line += 4)
        {
            float* s0 = source + (long)line * stride, s1 = s0 + stride, s2 = s1 + stride, s3 = s2 + stride;
            float* d = destination + line;
            for (int p = 0; p < depth; p++, d += width)
            {
                d[0] = s0[p];
                d[1] = s1[p];
                d[2] = s2[p];
                d[3] = s3[p];
            }
        }
        for (; line < lines; line++)
        {
            float* s = source + (long)line * stride;
            float* d = destination + line;
            for (int p = 0; p < depth; p++, d += width) *d = s[p];
        }
        for (; line < width; line++)
        {
            float* d = destination + line;
            for (int p = 0; p < depth; p++, d += width) *d = 0f;
        }
    }
}
