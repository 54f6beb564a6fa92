using LstmText.Compute;
using LstmText.Tensors;

namespace LstmText.Tests.Compute;

/// <summary><see cref="IBackend.GemmPackedWeight"/>: C = A·Wᵀ + beta·C with W packed once, against a double-precision reference.</summary>
public sealed class PackedWeightGemmTests
{
    public static TheoryData<GemmInstructionSet> SupportedInstructionSets() => GemmTests.SupportedInstructionSets();

    [Theory]
    [InlineData(1, 512, 128, 1f)]
    [InlineData(32, 512, 128, 1f)]
    [InlineData(32, 512, 128, 0f)]
    [InlineData(13, 100, 7, 1f)]
    [InlineData(5, 16, 4, 0.5f)]
    [InlineData(9, 33, 65, 1f)]
    [InlineData(1, 96, 200, 0f)]
    [InlineData(12, 2048, 512, 1f)]
    public void Matches_the_reference_with_row_gaps_in_a_and_c(int m, int n, int k, float beta)
    {
        foreach (var threads in new[] { 1, 2 })
            AssertMatchesReference(new CpuBackend(threads), m, n, k, beta);
    }

    [Theory]
    [MemberData(nameof(SupportedInstructionSets))]
    public void Every_instruction_set_matches_the_reference(GemmInstructionSet instructionSet)
    {
        var backend = new CpuBackend(2, instructionSet);
        foreach (var (m, n, k) in new[] { (1, 512, 128), (32, 512, 128), (7, 40, 9) })
            AssertMatchesReference(backend, m, n, k, 1f);
    }

    [Fact]
    public void Two_threads_and_concurrent_items_give_exactly_the_one_thread_result()
    {
        const int m = 32, n = 2048, k = 512;
        var oneThread = new CpuBackend(1);
        var twoThreads = new CpuBackend(2);
        var a = Random(m * k, 1);
        var w = Random(n * k, 2);
        var packed = Tensor.Zeros(oneThread.PackedWeightLength(n, k));
        oneThread.PackWeight(w, n, k, packed);
        var expected = Random(m * n, 3);
        var parallel = expected.Clone();
        var inItems = new[] { expected.Clone(), expected.Clone() };
        oneThread.GemmPackedWeight(m, n, k, a, k, packed, 1f, expected, n);
        twoThreads.GemmPackedWeight(m, n, k, a, k, packed, 1f, parallel, n);
        twoThreads.RunConcurrently(2, i => twoThreads.GemmPackedWeight(m, n, k, a, k, packed, 1f, inItems[i], n));
        Assert.Equal(expected.ToArray(), parallel.ToArray());
        Assert.Equal(expected.ToArray(), inItems[0].ToArray());
        Assert.Equal(expected.ToArray(), inItems[1].ToArray());
    }

    [Fact]
    public void A_packed_buffer_too_short_is_refused()
    {
        var backend = new CpuBackend(1);
        var w = Tensor.Zeros(8, 4);
        var shortBuffer = Tensor.Zeros(backend.PackedWeightLength(8, 4) - 1);
        Assert.Throws<ArgumentException>(() => backend.PackWeight(w, 8, 4, shortBuffer));
    }

    private static void AssertMatchesReference(CpuBackend backend, int m, int n, int k, float beta)
    {
        const int gap = 3;
        int lda = k + gap, ldc = n + gap;
        var a = Random(m * lda, (ulong)(m * 7 + n));
        var w = Random(n * k, (ulong)(k * 11 + 1));
        var c = Random(m * ldc, 99);
        var original = c.ToArray();
        var packed = Tensor.Zeros(backend.PackedWeightLength(n, k));
        backend.PackWeight(w, n, k, packed);
        backend.GemmPackedWeight(m, n, k, a, lda, packed, beta, c, ldc);

        var x = a.ToArray();
        var y = w.ToArray();
        var z = c.ToArray();
        for (int i = 0; i < m; i++)
        for (int j = 0; j < ldc; j++)
        {
            int index = i * ldc + j;
            if (j >= n)
            {
                Assert.True(original[index] == z[index], $"{backend.Name} m={m} n={n} k={k}: the gap at C[{i},{j}] was written.");
                continue;
            }
            double sum = 0, magnitude = 0;
            for (int p = 0; p < k; p++)
            {
                double product = (double)x[i * lda + p] * y[j * k + p];
                sum += product;
                magnitude += Math.Abs(product);
            }
            double expected = sum + beta * (double)original[index];
            double error = Math.Abs(z[index] - expected) / (magnitude + Math.Abs(beta * (double)original[index]) + 1e-30);
            Assert.True(error < 1e-5, $"{backend.Name} m={m} n={n} k={k} beta={beta}: C[{i},{j}] = {z[index]}, expected {expected}.");
        }
    }

    private static Tensor Random(int length, ulong seed)
    {
        var tensor = Tensor.Zeros(length);
        new RandomSource(seed).FillUniform(tensor, -1f, 1f);
        return tensor;
    }
}
