using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using LstmText.Compute.Cpu;
using LstmText.Tensors;

namespace LstmText.Compute;

public sealed partial class CpuBackend
{
    // Callers on other threads while a GEMM runs (e.g. two models sharing Default), and items of RunConcurrently,
    // use their own thread's buffers and one thread, instead of waiting for the team.
    [ThreadStatic] private static GemmWorkspace? oneThreadWorkspace;

    private readonly object gemmGate = new();
    private WorkerTeam gemmTeam = null!;
    private ParallelGemm parallelGemm = null!;
    private PackedWeightGemm packedWeightGemm = null!;

    /// <summary>Creates a backend whose GEMM runs on <paramref name="instructionSet"/>, so tests can check every path.</summary>
    /// <exception cref="PlatformNotSupportedException">This machine lacks the instruction set.</exception>
    internal CpuBackend(int threads, GemmInstructionSet instructionSet) : this(threads)
    {
        if (instructionSet > FastestSupportedGemmInstructionSet())
            throw new PlatformNotSupportedException($"This CPU does not support the {instructionSet} GEMM kernel.");
        GemmInstructionSet = instructionSet;
        parallelGemm = new ParallelGemm(gemmTeam, instructionSet);
    }

    /// <summary>Lets the GEMM worker threads of a backend that is no longer referenced end.</summary>
    /// <remarks>The workers hold the team, not the backend, so an unused backend can be collected.</remarks>
    ~CpuBackend() => gemmTeam?.Stop();

    /// <summary>The SIMD width of the SGEMM micro-kernel: the widest this CPU supports unless forced for tests.</summary>
    public GemmInstructionSet GemmInstructionSet { get; private set; }

    /// <summary>The widest GEMM kernel this CPU can run.</summary>
    internal static GemmInstructionSet FastestSupportedGemmInstructionSet()
    {
        if (Avx512F.IsSupported && Vector512.IsHardwareAccelerated) return GemmInstructionSet.Avx512;
        if (Fma.IsSupported && Avx2.IsSupported) return GemmInstructionSet.Avx2;
        return GemmInstructionSet.Scalar;
    }

    private void InitializeGemm()
    {
        GemmInstructionSet = FastestSupportedGemmInstructionSet();
        gemmTeam = new WorkerTeam(Threads);
        parallelGemm = new ParallelGemm(gemmTeam, GemmInstructionSet);
        packedWeightGemm = new PackedWeightGemm(gemmTeam);
    }

    /// <inheritdoc/>
    public int PackedWeightLength(int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        return GemmInstructionSet == GemmInstructionSet.Avx512
            ? checked((int)PackedWeightGemm.PackedLength(rows, columns))
            : checked(rows * columns);
    }

    /// <inheritdoc/>
    public unsafe void PackWeight(TensorSlice weight, int rows, int columns, TensorSlice packed)
    {
        RequireMatrix(weight, rows, columns, Math.Max(1, columns), nameof(weight));
        int length = PackedWeightLength(rows, columns);
        if (packed.Length < length)
            throw new ArgumentException($"A packed {rows}×{columns} weight needs {length} elements, but packed has {packed.Length}.", nameof(packed));
        if (GemmInstructionSet != GemmInstructionSet.Avx512)
        {
            // Other CPUs multiply through the general GEMM, which reads W as it is.
            weight.Span[..length].CopyTo(packed.Span);
            return;
        }
        fixed (float* w = weight.Span)
        fixed (float* p = packed.Span)
            PackedWeightGemm.Pack(w, rows, columns, p);
    }

    /// <inheritdoc/>
    public unsafe void GemmPackedWeight(int m, int n, int k, TensorSlice a, int lda, TensorSlice packedWeight, float beta,
        TensorSlice c, int ldc)
    {
        if (GemmInstructionSet != GemmInstructionSet.Avx512)
        {
            Gemm(Transpose.No, Transpose.Yes, m, n, k, 1f, a, lda, packedWeight, Math.Max(1, k), beta, c, ldc);
            return;
        }
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        RequireMatrix(c, m, n, ldc, nameof(c));
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            ScaleMatrix(c.Span, m, n, ldc, beta);
            return;
        }
        RequireMatrix(a, m, k, lda, nameof(a));
        int length = PackedWeightLength(n, k);
        if (packedWeight.Length < length)
            throw new ArgumentException($"A packed {n}×{k} weight has {length} elements, but packedWeight has {packedWeight.Length}.", nameof(packedWeight));

        fixed (float* pa = a.Span)
        fixed (float* pw = packedWeight.Span)
        fixed (float* pc = c.Span)
        {
            if (TryTakeTeam())
            {
                try
                {
                    packedWeightGemm.Run(pa, lda, pw, m, n, k, beta, pc, ldc);
                }
                finally
                {
                    Monitor.Exit(gemmGate);
                }
            }
            else
            {
                PackedWeightGemm.RunOnOneThread(pa, lda, pw, m, n, k, beta, pc, ldc);
            }
        }
        GC.KeepAlive(this);
    }

    /// <inheritdoc/>
    public unsafe void Gemm(Transpose transposeA, Transpose transposeB, int m, int n, int k, float alpha,
        TensorSlice a, int lda, TensorSlice b, int ldb, float beta, TensorSlice c, int ldc)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        bool tA = transposeA == Transpose.Yes, tB = transposeB == Transpose.Yes;
        RequireMatrix(c, m, n, ldc, nameof(c));
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0f)
        {
            ScaleMatrix(c.Span, m, n, ldc, beta);
            return;
        }
        RequireMatrix(a, tA ? k : m, tA ? m : k, lda, nameof(a));
        RequireMatrix(b, tB ? n : k, tB ? k : n, ldb, nameof(b));

        fixed (float* pa = a.Span)
        fixed (float* pb = b.Span)
        fixed (float* pc = c.Span)
        {
            var problem = new GemmProblem(tA, tB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
            if (TryTakeTeam())
            {
                try
                {
                    parallelGemm.Run(problem);
                }
                finally
                {
                    Monitor.Exit(gemmGate);
                }
            }
            else
            {
                ParallelGemm.RunOnOneThread(problem, GemmInstructionSet, oneThreadWorkspace ??= new GemmWorkspace());
            }
        }
        // The finalizer stops the team; this backend must stay reachable until the team has finished.
        GC.KeepAlive(this);
    }

    private static void ScaleMatrix(Span<float> c, int m, int n, int ldc, float beta)
    {
        for (int i = 0; i < m; i++)
        {
            var row = c.Slice(i * ldc, n);
            if (beta == 0f) row.Clear();
            else if (beta != 1f) TensorPrimitives.Multiply(row, beta, row);
        }
    }

    private static void RequireMatrix(TensorSlice slice, int rows, int columns, int leadingDimension, string name)
    {
        if (leadingDimension < Math.Max(1, columns))
            throw new ArgumentException(
                $"The leading dimension {leadingDimension} of {name} is smaller than its row length {columns}.", name);
        if (rows > 0 && columns > 0 && (long)(rows - 1) * leadingDimension + columns > slice.Length)
            throw new ArgumentException(
                $"A {rows}×{columns} matrix with leading dimension {leadingDimension} needs " +
                $"{(long)(rows - 1) * leadingDimension + columns} elements, but {name} has {slice.Length}.", name);
    }
}
