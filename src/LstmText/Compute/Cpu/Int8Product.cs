using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LstmText.Compute.Cpu;

/// <summary>The instructions an int8 product runs on.</summary>
internal enum Int8Kernel
{
    /// <summary>Plain integer code, for any CPU.</summary>
    Scalar,

    /// <summary>AVX-VNNI <c>vpdpbusd</c> on 256-bit vectors (.NET 10 exposes no 512-bit form of it).</summary>
    AvxVnni,
}

/// <summary>
/// C = A·Wᵀ (+ beta·C) with W quantized per row to int8 (<see cref="Int8Matrix"/>) and every row of A quantized on the
/// fly to uint8 with its own scale and zero point, as PyTorch's dynamic quantization does (PyTorch: one scale per
/// call). Integer dot products are exact, so every kernel gives the same bits; the float epilogue is
/// C[i, j] = (sₐ[i]·s_w[j]) · (Σ qₐ·q_w − zₐ[i]·Σ q_w).
/// </summary>
/// <remarks>
/// Error: each activation is off by at most half its step sₐ/2 = (max − min)/510 of its row, each weight by half of
/// s_w/2 = max|W_j|/254; a product's error is bounded by the sum of both over its k terms (see
/// <see cref="ErrorBound"/>). Runs on the calling thread and allocates nothing once its per-thread scratch has grown. The
/// kernels are compiled fully optimized at once (as the float GEMM's are), not through tiering's slow instrumented stage.
/// </remarks>
internal static unsafe class Int8Product
{
    [ThreadStatic] private static byte[]? t_activations;
    [ThreadStatic] private static float[]? t_rowScales;
    [ThreadStatic] private static int[]? t_zeroPoints;

    /// <summary>The fastest kernel this CPU runs.</summary>
    public static Int8Kernel Fastest => AvxVnni.IsSupported ? Int8Kernel.AvxVnni : Int8Kernel.Scalar;

    /// <summary>
    /// C[i, j] = Σ_c A[i, c]·W[j, c] (+ beta·C[i, j]) for i &lt; <paramref name="m"/>, j &lt; W.Rows, with the int8 W
    /// and row-wise uint8 A; A's rows are <paramref name="lda"/> apart, C's <paramref name="ldc"/>.
    /// </summary>
    public static void Multiply(ReadOnlySpan<float> a, int m, int lda, Int8Matrix w, float beta, Span<float> c, int ldc) =>
        Multiply(a, m, lda, w, beta, c, ldc, Fastest);

    /// <inheritdoc cref="Multiply(ReadOnlySpan{float}, int, int, Int8Matrix, float, Span{float}, int)"/>
    public static void Multiply(ReadOnlySpan<float> a, int m, int lda, Int8Matrix w, float beta, Span<float> c, int ldc, Int8Kernel kernel) =>
        Run(a, m, lda, w, beta, null, default, c, ldc, kernel);

    /// <summary>
    /// C[i, j] = Σ_c A[i, c]·W[j, c] + scale[ids[i]]·q[ids[i], j]: the int8 product plus row ids[i] of an int8 table
    /// (<paramref name="rows"/>, as long as W has rows), added in the product's epilogue, so the table row is never
    /// copied into C first. The same arithmetic as <see cref="Multiply(ReadOnlySpan{float}, int, int, Int8Matrix, float, Span{float}, int)"/>
    /// with beta 0, then one float addition of the dequantized table value.
    /// </summary>
    /// <exception cref="ArgumentException">The table's rows are not as long as W has rows, an id is outside the table, or a span is too short.</exception>
    public static void MultiplyAddingRows(ReadOnlySpan<float> a, int m, int lda, Int8Matrix w, Int8Rows rows, ReadOnlySpan<int> ids,
        Span<float> c, int ldc) => MultiplyAddingRows(a, m, lda, w, rows, ids, c, ldc, Fastest);

    /// <inheritdoc cref="MultiplyAddingRows(ReadOnlySpan{float}, int, int, Int8Matrix, Int8Rows, ReadOnlySpan{int}, Span{float}, int)"/>
    public static void MultiplyAddingRows(ReadOnlySpan<float> a, int m, int lda, Int8Matrix w, Int8Rows rows, ReadOnlySpan<int> ids,
        Span<float> c, int ldc, Int8Kernel kernel)
    {
        if (rows.Length != w.Rows) throw new ArgumentException($"Table rows of {rows.Length} values cannot be added to {w.Rows} outputs.", nameof(rows));
        if (ids.Length < m) throw new ArgumentException($"{ids.Length} ids for {m} rows.", nameof(ids));
        for (int i = 0; i < m; i++)
            if ((uint)ids[i] >= (uint)rows.Rows) throw new ArgumentException($"Id {ids[i]} is outside a table of {rows.Rows} rows.", nameof(ids));
        Run(a, m, lda, w, 0f, rows, ids, c, ldc, kernel);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run(ReadOnlySpan<float> a, int m, int lda, Int8Matrix w, float beta, Int8Rows? rows, ReadOnlySpan<int> ids,
        Span<float> c, int ldc, Int8Kernel kernel)
    {
        int k = w.Columns, n = w.Rows, stride = w.ColumnGroups * 4;
        if (m <= 0) return;
        if (a.Length < (m - 1) * lda + k) throw new ArgumentException($"A holds {a.Length} values, too few for {m} rows of {k}.", nameof(a));
        if (c.Length < (m - 1) * ldc + n) throw new ArgumentException($"C holds {c.Length} values, too few for {m} rows of {n}.", nameof(c));
        if (kernel == Int8Kernel.AvxVnni && !AvxVnni.IsSupported) throw new PlatformNotSupportedException("This CPU has no AVX-VNNI.");

        if (rows is not null && Sse.IsSupported)
        {
            // The table rows are random and mostly out of cache: start fetching them now, while A is quantized, so the
            // epilogue finds them instead of stalling on each.
            fixed (sbyte* table = rows.Values)
                for (int i = 0; i < m; i++)
                {
                    sbyte* row = table + (long)ids[i] * n;
                    for (int offset = 0; offset < n; offset += 64) Sse.Prefetch0(row + offset);
                }
        }
        var activations = Scratch(ref t_activations, m * stride);
        var rowScales = Scratch(ref t_rowScales, m);
        var zeroPoints = Scratch(ref t_zeroPoints, m);
        for (int i = 0; i < m; i++)
            QuantizeRow(a.Slice(i * lda, k), activations.AsSpan(i * stride, stride), out rowScales[i], out zeroPoints[i]);

        fixed (byte* q = activations)
        fixed (sbyte* packed = w.Packed, tableValues = rows?.Values)
        fixed (float* scales = w.Scales, sa = rowScales, cp = c, tableScales = rows?.Scales)
        fixed (int* sums = w.RowSums, za = zeroPoints, tableIds = ids)
        {
            var job = new Job(q, stride, packed, w.ColumnGroups, scales, sums, sa, za, cp, ldc, n, beta, tableValues, tableScales, tableIds);
            if (kernel == Int8Kernel.AvxVnni)
            {
                // Panel by panel, every row of A against it: a panel (32 rows of W, k bytes each) stays in L1 while the
                // rows pass, instead of all of W streaming from L2 once per pair of rows. With 32 vector registers
                // (AVX-512's EVEX encoding) four rows share each loaded weight vector; with 16, two do.
                // A lone row reads every weight for one use, so m rows go in blocks of 4 and 3 as far as they can
                // (7 = 4 + 3, 9 = 3 + 3 + 3, 10 = 4 + 3 + 3), and only 1, 2 and 5 = 3 + 2 leave a smaller block.
                bool wide = Avx512F.VL.IsSupported;
                int threes = !wide ? 0 : (m % 4) switch
                {
                    3 => 1,
                    2 => m >= 6 ? 2 : 0,
                    1 => m >= 9 ? 3 : m == 5 ? 1 : 0,
                    _ => 0,
                };
                int fours = wide ? (m - 3 * threes) / 4 : 0;
                for (int p = 0; p < w.Panels; p++)
                {
                    int i = 0;
                    for (int b = 0; b < fours; b++, i += 4) VnniFourRows(job, i, p);
                    for (int b = 0; b < threes; b++, i += 3) VnniThreeRows(job, i, p);
                    for (; i + 1 < m; i += 2) VnniTwoRows(job, i, p);
                    if (i < m) VnniOneRow(job, i, p);
                }
            }
            else
            {
                for (int i = 0; i < m; i++)
                    for (int p = 0; p < w.Panels; p++) ScalarPanel(job, i, p);
            }
        }
    }

    /// <summary>
    /// A bound on |int8 product − float product| of row <paramref name="row"/> of A with row <paramref name="output"/>
    /// of W: Σ_c (|a_c|·|w_c − ŵ_c| + |ŵ_c|·sₐ/2), where ŵ is the dequantized weight and sₐ the row's activation step.
    /// </summary>
    public static double ErrorBound(ReadOnlySpan<float> row, Int8Matrix w, int output, ReadOnlySpan<float> weightRow)
    {
        float low = 0f, high = 0f;
        foreach (float x in row) { low = Math.Min(low, x); high = Math.Max(high, x); }
        double step = (high - low) / 255.0;
        double bound = 0;
        for (int col = 0; col < row.Length; col++)
        {
            double dequantized = w.DequantizedAt(output, col);
            bound += Math.Abs(row[col]) * Math.Abs(weightRow[col] - dequantized) + Math.Abs(dequantized) * step / 2;
        }
        return bound;
    }

    /// <summary>
    /// Quantizes one row to uint8: x ≈ s·(q − z), with [min, max] widened to hold 0 (so 0 is exact, as PyTorch keeps it);
    /// padding bytes past the row are 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void QuantizeRow(ReadOnlySpan<float> row, Span<byte> destination, out float scale, out int zeroPoint)
    {
        float low = 0f, high = 0f;
        int length = row.Length, c = 0;
        if (Vector256.IsHardwareAccelerated && length >= 8)
        {
            var lowest = Vector256<float>.Zero;
            var highest = Vector256<float>.Zero;
            if (Vector512.IsHardwareAccelerated && length >= 16)
            {
                var lowest16 = Vector512<float>.Zero;
                var highest16 = Vector512<float>.Zero;
                for (; c + 16 <= length; c += 16)
                {
                    var v = Vector512.Create(row.Slice(c, 16));
                    lowest16 = Vector512.Min(lowest16, v);
                    highest16 = Vector512.Max(highest16, v);
                }
                lowest = Vector256.Min(lowest16.GetLower(), lowest16.GetUpper());
                highest = Vector256.Max(highest16.GetLower(), highest16.GetUpper());
            }
            for (; c + 8 <= length; c += 8)
            {
                var v = Vector256.Create(row.Slice(c, 8));
                lowest = Vector256.Min(lowest, v);
                highest = Vector256.Max(highest, v);
            }
            var lowest4 = Vector128.Min(lowest.GetLower(), lowest.GetUpper());
            var highest4 = Vector128.Max(highest.GetLower(), highest.GetUpper());
            for (int lane = 0; lane < 4; lane++) { low = Math.Min(low, lowest4[lane]); high = Math.Max(high, highest4[lane]); }
        }
        for (; c < length; c++) { low = Math.Min(low, row[c]); high = Math.Max(high, row[c]); }
        destination[length..].Clear();
        if (!(high > low))
        {
            // All zero (or not finite): every q = 0 with scale 0 gives exact zeros; NaN and ∞ cannot be represented.
            if (float.IsNaN(high) || float.IsNaN(low) || float.IsInfinity(high) || float.IsInfinity(low))
                throw new ArgumentException("An activation is not finite; int8 inference needs finite inputs.", nameof(row));
            destination[..length].Clear();
            scale = 0f;
            zeroPoint = 0;
            return;
        }
        if (float.IsInfinity(high) || float.IsInfinity(low) || float.IsInfinity(high - low))
            throw new ArgumentException("An activation is not finite; int8 inference needs finite inputs.", nameof(row));
        scale = (high - low) / 255f;
        float inverse = 1f / scale;
        zeroPoint = Math.Clamp((int)MathF.Round(-low * inverse, MidpointRounding.ToEven), 0, 255);
        c = 0;
        if (Avx512F.IsSupported)
        {
            var factor = Vector512.Create(inverse);
            var zero = Vector512.Create(zeroPoint);
            fixed (float* x = row)
            fixed (byte* q = destination)
            {
                for (; c + 16 <= length; c += 16)
                {
                    // vcvtps2dq rounds to nearest even, as MathF.Round(ToEven) does below; vpmovusdb saturates at 255.
                    var rounded = Avx512F.ConvertToVector512Int32(Avx512F.LoadVector512(x + c) * factor) + zero;
                    Avx512F.ConvertToVector128ByteWithSaturation(Vector512.Max(rounded, Vector512<int>.Zero).AsUInt32()).Store(q + c);
                }
            }
        }
        else if (Avx2.IsSupported)
        {
            var factor = Vector256.Create(inverse);
            var zero = Vector256.Create(zeroPoint);
            var top = Vector256.Create(255);
            fixed (float* x = row)
            fixed (byte* q = destination)
            {
                for (; c + 32 <= length; c += 32)
                {
                    // vcvtps2dq rounds to nearest even, as MathF.Round(ToEven) does below.
                    var q0 = Avx.ConvertToVector256Int32(Avx.LoadVector256(x + c) * factor) + zero;
                    var q1 = Avx.ConvertToVector256Int32(Avx.LoadVector256(x + c + 8) * factor) + zero;
                    var q2 = Avx.ConvertToVector256Int32(Avx.LoadVector256(x + c + 16) * factor) + zero;
                    var q3 = Avx.ConvertToVector256Int32(Avx.LoadVector256(x + c + 24) * factor) + zero;
                    q0 = Vector256.Min(Vector256.Max(q0, Vector256<int>.Zero), top);
                    q1 = Vector256.Min(Vector256.Max(q1, Vector256<int>.Zero), top);
                    q2 = Vector256.Min(Vector256.Max(q2, Vector256<int>.Zero), top);
                    q3 = Vector256.Min(Vector256.Max(q3, Vector256<int>.Zero), top);
                    var low16 = Vector256.Narrow(q0.AsUInt32(), q1.AsUInt32());
                    var high16 = Vector256.Narrow(q2.AsUInt32(), q3.AsUInt32());
                    Vector256.Narrow(low16, high16).Store(q + c);
                }
            }
        }
        for (; c < length; c++)
            destination[c] = (byte)Math.Clamp((int)MathF.Round(row[c] * inverse, MidpointRounding.ToEven) + zeroPoint, 0, 255);
    }

    private static T[] Scratch<T>(ref T[]? buffer, int length)
    {
        if (buffer is null || buffer.Length < length) buffer = new T[Math.Max(length, 2 * (buffer?.Length ?? 0))];
        return buffer;
    }

    /// <summary>Everything a panel kernel reads: pinned pointers and sizes.</summary>
    private readonly struct Job(byte* activations, int stride, sbyte* packed, int groups, float* scales, int* rowSums,
        float* rowScales, int* zeroPoints, float* c, int ldc, int n, float beta, sbyte* tableValues, float* tableScales, int* tableIds)
    {
        /// <summary>An int8 table whose row ids[i] is added to row i (<see cref="MultiplyAddingRows(ReadOnlySpan{float}, int, int, Int8Matrix, Int8Rows, ReadOnlySpan{int}, Span{float}, int)"/>), or null.</summary>
        public readonly sbyte* TableValues = tableValues;
        public readonly float* TableScales = tableScales;
        public readonly int* TableIds = tableIds;
        public readonly byte* Activations = activations;
        public readonly int Stride = stride;
        public readonly sbyte* Packed = packed;
        public readonly int Groups = groups;
        public readonly float* Scales = scales;
        public readonly int* RowSums = rowSums;
        public readonly float* RowScales = rowScales;
        public readonly int* ZeroPoints = zeroPoints;
        public readonly float* C = c;
        public readonly int Ldc = ldc;
        public readonly int N = n;
        public readonly float Beta = beta;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScalarPanel(in Job job, int row, int panel)
    {
        byte* a = job.Activations + (long)row * job.Stride;
        sbyte* w = job.Packed + (long)panel * job.Groups * Int8Matrix.PanelRows * 4;
        int first = panel * Int8Matrix.PanelRows, count = Math.Min(Int8Matrix.PanelRows, job.N - first);
        for (int j = 0; j < count; j++)
        {
            int sum = 0;
            for (int g = 0; g < job.Groups; g++)
            {
                sbyte* q = w + ((long)g * Int8Matrix.PanelRows + j) * 4;
                byte* x = a + g * 4;
                sum += x[0] * q[0] + x[1] * q[1] + x[2] * q[2] + x[3] * q[3];
            }
            Store(job, row, first + j, sum);
        }
    }

    /// <summary>The float epilogue of one output; the vector epilogue below does the same operations in the same order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(in Job job, int row, int j, int sum)
    {
        float value = (sum - job.ZeroPoints[row] * job.RowSums[j]) * (job.RowScales[row] * job.Scales[j]);
        float* c = job.C + (long)row * job.Ldc + j;
        if (job.TableValues != null)
        {
            int id = job.TableIds[row];
            *c = value + job.TableScales[id] * job.TableValues[(long)id * job.N + j];
            return;
        }
        *c = job.Beta == 0f ? value : value + job.Beta * *c;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(in Job job, int row, int first, Vector256<int> sums)
    {
        if (first + 8 > job.N)
        {
            for (int j = first; j < job.N; j++) Store(job, row, j, sums[j - first]);
            return;
        }
        var corrected = sums - Vector256.Create(job.ZeroPoints[row]) * Avx.LoadVector256(job.RowSums + first);
        var scale = Vector256.Create(job.RowScales[row]) * Avx.LoadVector256(job.Scales + first);
        var value = Avx.ConvertToVector256Single(corrected) * scale;
        float* c = job.C + (long)row * job.Ldc + first;
        if (job.TableValues != null)
        {
            int id = job.TableIds[row];
            var table = Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(job.TableValues + (long)id * job.N + first));
            value += Vector256.Create(job.TableScales[id]) * table;
        }
        else if (job.Beta != 0f) value += Vector256.Create(job.Beta) * Avx.LoadVector256(c);
        Avx.Store(c, value);
    }

    /// <summary>The epilogue of 16 outputs: the operations of the 8-output <see cref="Store(in Job, int, int, Vector256{int})"/>, lane by lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(in Job job, int row, int first, Vector512<int> sums)
    {
        var corrected = sums - Vector512.Create(job.ZeroPoints[row]) * Vector512.Load(job.RowSums + first);
        var scale = Vector512.Create(job.RowScales[row]) * Vector512.Load(job.Scales + first);
        var value = Vector512.ConvertToSingle(corrected) * scale;
        float* c = job.C + (long)row * job.Ldc + first;
        if (job.TableValues != null)
        {
            int id = job.TableIds[row];
            var table = Vector512.ConvertToSingle(Avx512F.ConvertToVector512Int32(Vector128.Load(job.TableValues + (long)id * job.N + first)));
            value += Vector512.Create(job.TableScales[id]) * table;
        }
        else if (job.Beta != 0f) value += Vector512.Create(job.Beta) * Vector512.Load(c);
        value.Store(c);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void VnniOneRow(in Job job, int row, int panel)
    {
        byte* a = job.Activations + (long)row * job.Stride;
        sbyte* w = job.Packed + (long)panel * job.Groups * Int8Matrix.PanelRows * 4;
        Vector256<int> s0 = default, s1 = default, s2 = default, s3 = default;
        Vector256<int> t0 = default, t1 = default, t2 = default, t3 = default;
        int g = 0;
        // Two column groups per iteration into separate sums: eight independent chains hide vpdpbusd's latency.
        for (; g + 1 < job.Groups; g += 2, w += 256)
        {
            var x = Vector256.Create(*(int*)(a + g * 4)).AsByte();
            var y = Vector256.Create(*(int*)(a + g * 4 + 4)).AsByte();
            s0 = AvxVnni.MultiplyWideningAndAdd(s0, x, Avx.LoadVector256(w));
            s1 = AvxVnni.MultiplyWideningAndAdd(s1, x, Avx.LoadVector256(w + 32));
            s2 = AvxVnni.MultiplyWideningAndAdd(s2, x, Avx.LoadVector256(w + 64));
            s3 = AvxVnni.MultiplyWideningAndAdd(s3, x, Avx.LoadVector256(w + 96));
            t0 = AvxVnni.MultiplyWideningAndAdd(t0, y, Avx.LoadVector256(w + 128));
            t1 = AvxVnni.MultiplyWideningAndAdd(t1, y, Avx.LoadVector256(w + 160));
            t2 = AvxVnni.MultiplyWideningAndAdd(t2, y, Avx.LoadVector256(w + 192));
            t3 = AvxVnni.MultiplyWideningAndAdd(t3, y, Avx.LoadVector256(w + 224));
        }
        if (g < job.Groups)
        {
            var x = Vector256.Create(*(int*)(a + g * 4)).AsByte();
            s0 = AvxVnni.MultiplyWideningAndAdd(s0, x, Avx.LoadVector256(w));
            s1 = AvxVnni.MultiplyWideningAndAdd(s1, x, Avx.LoadVector256(w + 32));
            s2 = AvxVnni.MultiplyWideningAndAdd(s2, x, Avx.LoadVector256(w + 64));
            s3 = AvxVnni.MultiplyWideningAndAdd(s3, x, Avx.LoadVector256(w + 96));
        }
        StorePanel(job, row, panel * Int8Matrix.PanelRows, s0 + t0, s1 + t1, s2 + t2, s3 + t3);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void VnniFourRows(in Job job, int row, int panel)
    {
        byte* a = job.Activations + (long)row * job.Stride;
        long stride = job.Stride;
        sbyte* w = job.Packed + (long)panel * job.Groups * Int8Matrix.PanelRows * 4;
        Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default;
        Vector256<int> b0 = default, b1 = default, b2 = default, b3 = default;
        Vector256<int> c0 = default, c1 = default, c2 = default, c3 = default;
        Vector256<int> d0 = default, d1 = default, d2 = default, d3 = default;
        for (int g = 0; g < job.Groups; g++, w += 128, a += 4)
        {
            var w0 = Avx.LoadVector256(w);
            var w1 = Avx.LoadVector256(w + 32);
            var w2 = Avx.LoadVector256(w + 64);
            var w3 = Avx.LoadVector256(w + 96);
            var x = Vector256.Create(*(int*)a).AsByte();
            a0 = AvxVnni.MultiplyWideningAndAdd(a0, x, w0);
            a1 = AvxVnni.MultiplyWideningAndAdd(a1, x, w1);
            a2 = AvxVnni.MultiplyWideningAndAdd(a2, x, w2);
            a3 = AvxVnni.MultiplyWideningAndAdd(a3, x, w3);
            x = Vector256.Create(*(int*)(a + stride)).AsByte();
            b0 = AvxVnni.MultiplyWideningAndAdd(b0, x, w0);
            b1 = AvxVnni.MultiplyWideningAndAdd(b1, x, w1);
            b2 = AvxVnni.MultiplyWideningAndAdd(b2, x, w2);
            b3 = AvxVnni.MultiplyWideningAndAdd(b3, x, w3);
            x = Vector256.Create(*(int*)(a + 2 * stride)).AsByte();
            c0 = AvxVnni.MultiplyWideningAndAdd(c0, x, w0);
            c1 = AvxVnni.MultiplyWideningAndAdd(c1, x, w1);
            c2 = AvxVnni.MultiplyWideningAndAdd(c2, x, w2);
            c3 = AvxVnni.MultiplyWideningAndAdd(c3, x, w3);
            x = Vector256.Create(*(int*)(a + 3 * stride)).AsByte();
            d0 = AvxVnni.MultiplyWideningAndAdd(d0, x, w0);
            d1 = AvxVnni.MultiplyWideningAndAdd(d1, x, w1);
            d2 = AvxVnni.MultiplyWideningAndAdd(d2, x, w2);
            d3 = AvxVnni.MultiplyWideningAndAdd(d3, x, w3);
        }
        int first = panel * Int8Matrix.PanelRows;
        StorePanel(job, row, first, a0, a1, a2, a3);
        StorePanel(job, row + 1, first, b0, b1, b2, b3);
        StorePanel(job, row + 2, first, c0, c1, c2, c3);
        StorePanel(job, row + 3, first, d0, d1, d2, d3);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void VnniThreeRows(in Job job, int row, int panel)
    {
        byte* a = job.Activations + (long)row * job.Stride;
        long stride = job.Stride;
        sbyte* w = job.Packed + (long)panel * job.Groups * Int8Matrix.PanelRows * 4;
        Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default;
        Vector256<int> b0 = default, b1 = default, b2 = default, b3 = default;
        Vector256<int> c0 = default, c1 = default, c2 = default, c3 = default;
        for (int g = 0; g < job.Groups; g++, w += 128, a += 4)
        {
            var w0 = Avx.LoadVector256(w);
            var w1 = Avx.LoadVector256(w + 32);
            var w2 = Avx.LoadVector256(w + 64);
            var w3 = Avx.LoadVector256(w + 96);
            var x = Vector256.Create(*(int*)a).AsByte();
            a0 = AvxVnni.MultiplyWideningAndAdd(a0, x, w0);
            a1 = AvxVnni.MultiplyWideningAndAdd(a1, x, w1);
            a2 = AvxVnni.MultiplyWideningAndAdd(a2, x, w2);
            a3 = AvxVnni.MultiplyWideningAndAdd(a3, x, w3);
            x = Vector256.Create(*(int*)(a + stride)).AsByte();
            b0 = AvxVnni.MultiplyWideningAndAdd(b0, x, w0);
            b1 = AvxVnni.MultiplyWideningAndAdd(b1, x, w1);
            b2 = AvxVnni.MultiplyWideningAndAdd(b2, x, w2);
            b3 = AvxVnni.MultiplyWideningAndAdd(b3, x, w3);
            x = Vector256.Create(*(int*)(a + 2 * stride)).AsByte();
            c0 = AvxVnni.MultiplyWideningAndAdd(c0, x, w0);
            c1 = AvxVnni.MultiplyWideningAndAdd(c1, x, w1);
            c2 = AvxVnni.MultiplyWideningAndAdd(c2, x, w2);
            c3 = AvxVnni.MultiplyWideningAndAdd(c3, x, w3);
        }
        int first = panel * Int8Matrix.PanelRows;
        StorePanel(job, row, first, a0, a1, a2, a3);
        StorePanel(job, row + 1, first, b0, b1, b2, b3);
        StorePanel(job, row + 2, first, c0, c1, c2, c3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StorePanel(in Job job, int row, int first, Vector256<int> s0, Vector256<int> s1, Vector256<int> s2, Vector256<int> s3)
    {
        if (Avx512F.IsSupported && first + Int8Matrix.PanelRows <= job.N)
        {
            // A whole panel's 32 outputs in two 512-bit halves: half the epilogue's instructions, a large share at a
            // small k (H = 128: 128 vpdpbusd per row and panel, and about 50 more in four 8-wide epilogues).
            Store(job, row, first, Vector512.Create(s0, s1));
            Store(job, row, first + 16, Vector512.Create(s2, s3));
            return;
        }
        Store(job, row, first, s0);
        if (first + 8 < job.N) Store(job, row, first + 8, s1);
        if (first + 16 < job.N) Store(job, row, first + 16, s2);
        if (first + 24 < job.N) Store(job, row, first + 24, s3);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void VnniTwoRows(in Job job, int row, int panel)
    {
        byte* a = job.Activations + (long)row * job.Stride;
        byte* b = a + job.Stride;
        sbyte* w = job.Packed + (long)panel * job.Groups * Int8Matrix.PanelRows * 4;
        Vector256<int> s0 = default, s1 = default, s2 = default, s3 = default;
        Vector256<int> t0 = default, t1 = default, t2 = default, t3 = default;
        for (int g = 0; g < job.Groups; g++, w += 128)
        {
            var w0 = Avx.LoadVector256(w);
            var w1 = Avx.LoadVector256(w + 32);
            var w2 = Avx.LoadVector256(w + 64);
            var w3 = Avx.LoadVector256(w + 96);
            var x = Vector256.Create(*(int*)(a + g * 4)).AsByte();
            var y = Vector256.Create(*(int*)(b + g * 4)).AsByte();
            s0 = AvxVnni.MultiplyWideningAndAdd(s0, x, w0);
            s1 = AvxVnni.MultiplyWideningAndAdd(s1, x, w1);
            s2 = AvxVnni.MultiplyWideningAndAdd(s2, x, w2);
            s3 = AvxVnni.MultiplyWideningAndAdd(s3, x, w3);
            t0 = AvxVnni.MultiplyWideningAndAdd(t0, y, w0);
            t1 = AvxVnni.MultiplyWideningAndAdd(t1, y, w1);
            t2 = AvxVnni.MultiplyWideningAndAdd(t2, y, w2);
            t3 = AvxVnni.MultiplyWideningAndAdd(t3, y, w3);
        }
        int first = panel * Int8Matrix.PanelRows;
        StorePanel(job, row, first, s0, s1, s2, s3);
        StorePanel(job, row + 1, first, t0, t1, t2, t3);
    }
}
