namespace LstmText.Compute;

/// <summary>The SIMD width that the CPU backend's SGEMM micro-kernel runs on.</summary>
public enum GemmInstructionSet
{
    /// <summary>Plain scalar code, for machines without AVX2/FMA.</summary>
    Scalar,

    /// <summary>256-bit vectors with fused multiply-add (AVX2 + FMA).</summary>
    Avx2,

    /// <summary>512-bit vectors with fused multiply-add (AVX-512F).</summary>
    Avx512,
}
