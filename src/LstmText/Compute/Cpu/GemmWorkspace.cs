using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LstmText.Compute.Cpu;

/// <summary>
/// One thread's packing buffers: pinned, 64-byte aligned, allocated on first use and replaced only when a
/// larger GEMM needs more, so steady-state calls allocate nothing.
/// </summary>
internal sealed unsafe class GemmWorkspace
{
    private const int CacheLineFloats = 16;

    private float[] packedA = [];
    private float[] packedB = [];
    private float[] vector = [];

    /// <summary>Room for <paramref name="length"/> floats of packed A panels.</summary>
    public float* PackedA(int length) => Reserve(ref packedA, length);

    /// <summary>Room for <paramref name="length"/> floats of packed B panels.</summary>
    public float* PackedB(int length) => Reserve(ref packedB, length);

    /// <summary>Room for a gathered strided vector of <paramref name="length"/> floats.</summary>
    public float* Vector(int length) => Reserve(ref vector, length);

    private static float* Reserve(ref float[] buffer, int length)
    {
        if (buffer.Length < length + CacheLineFloats)
            buffer = GC.AllocateUninitializedArray<float>(length + CacheLineFloats, pinned: true);
        var start = (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
        return (float*)((start + 63) & ~(nuint)63);
    }
}
