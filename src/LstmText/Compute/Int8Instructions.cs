using LstmText.Compute.Cpu;

namespace LstmText.Compute;

/// <summary>What int8 inference (<see cref="Layers.Lstm.QuantizeWeights"/>, <see cref="Layers.Linear.QuantizeWeights"/>) runs on here.</summary>
public static class Int8Instructions
{
    /// <summary>"avx-vnni" where the CPU has AVX-VNNI (<c>vpdpbusd</c>), otherwise "scalar" (plain integer code, same results).</summary>
    public static string Active => Int8Product.Fastest == Int8Kernel.AvxVnni ? "avx-vnni" : "scalar";
}
