using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
        int line = 0;
        if (Avx.IsSupported && width % 8 == 0)
        {
            // Element by element this transpose costs as much as a tenth of a 1024³ product; 8×8 blocks in
            // registers make it a few percent.
            for (; line + 8 <= lines; line += 8)
                InterleaveEightLines(source + (long)line * stride, stride, depth, width, destination + line);
        }
        // Four lines at a time keeps four read streams and one write stream, which the prefetchers follow.
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

    /// <summary>Interleave for eight lines, eight depth steps at a time through an 8×8 register transpose.</summary>
    private static void InterleaveEightLines(float* source, int stride, int depth, int width, float* destination)
    {
        float* s0 = source, s1 = s0 + stride, s2 = s1 + stride, s3 = s2 + stride;
        float* s4 = s3 + stride, s5 = s4 + stride, s6 = s5 + stride, s7 = s6 + stride;
        int p = 0;
        for (; p + 8 <= depth; p += 8)
        {
            var t0 = Avx.UnpackLow(Avx.LoadVector256(s0 + p), Avx.LoadVector256(s1 + p));
            var t1 = Avx.UnpackHigh(Avx.LoadVector256(s0 + p), Avx.LoadVector256(s1 + p));
            var t2 = Avx.UnpackLow(Avx.LoadVector256(s2 + p), Avx.LoadVector256(s3 + p));
            var t3 = Avx.UnpackHigh(Avx.LoadVector256(s2 + p), Avx.LoadVector256(s3 + p));
            var t4 = Avx.UnpackLow(Avx.LoadVector256(s4 + p), Avx.LoadVector256(s5 + p));
            var t5 = Avx.UnpackHigh(Avx.LoadVector256(s4 + p), Avx.LoadVector256(s5 + p));
            var t6 = Avx.UnpackLow(Avx.LoadVector256(s6 + p), Avx.LoadVector256(s7 + p));
            var t7 = Avx.UnpackHigh(Avx.LoadVector256(s6 + p), Avx.LoadVector256(s7 + p));
            var u0 = Avx.Shuffle(t0, t2, 0x44);
            var u1 = Avx.Shuffle(t0, t2, 0xEE);
            var u2 = Avx.Shuffle(t1, t3, 0x44);
            var u3 = Avx.Shuffle(t1, t3, 0xEE);
            var u4 = Avx.Shuffle(t4, t6, 0x44);
            var u5 = Avx.Shuffle(t4, t6, 0xEE);
            var u6 = Avx.Shuffle(t5, t7, 0x44);
            var u7 = Avx.Shuffle(t5, t7, 0xEE);
            float* d = destination + (long)p * width;
            Avx.Store(d, Avx.Permute2x128(u0, u4, 0x20));
            Avx.Store(d + width, Avx.Permute2x128(u1, u5, 0x20));
            Avx.Store(d + 2 * width, Avx.Permute2x128(u2, u6, 0x20));
            Avx.Store(d + 3 * width, Avx.Permute2x128(u3, u7, 0x20));
            Avx.Store(d + 4 * width, Avx.Permute2x128(u0, u4, 0x31));
            Avx.Store(d + 5 * width, Avx.Permute2x128(u1, u5, 0x31));
            Avx.Store(d + 6 * width, Avx.Permute2x128(u2, u6, 0x31));
            Avx.Store(d + 7 * width, Avx.Permute2x128(u3, u7, 0x31));
        }
        for (; p < depth; p++)
        {
            float* d = destination + (long)p * width;
            d[0] = s0[p]; d[1] = s1[p]; d[2] = s2[p]; d[3] = s3[p];
            d[4] = s4[p]; d[5] = s5[p]; d[6] = s6[p]; d[7] = s7[p];
        }
    }
}
