using LstmText.Compute;
using LstmText.Tensors;

namespace LstmText.Tests.Compute;

/// <summary><see cref="IBackend.RunConcurrently"/> on the CPU backend: every item once, truly concurrent, same numbers.</summary>
public sealed class RunConcurrentlyTests
{
    [Theory]
    [InlineData(1, 0)]
    [InlineData(1, 5)]
    [InlineData(2, 1)]
    [InlineData(2, 2)]
    [InlineData(2, 7)]
    [InlineData(3, 100)]
    public void Every_item_runs_exactly_once(int threads, int count)
    {
        var backend = new CpuBackend(threads);
        var runs = new int[count];
        for (int round = 0; round < 50; round++)
            backend.RunConcurrently(count, item => Interlocked.Increment(ref runs[item]));
        Assert.All(runs, r => Assert.Equal(50, r));
    }

    [Fact]
    public void Two_items_on_two_threads_run_at_the_same_time()
    {
        // Each item waits for the other at a barrier: run one after another, the first would wait in vain.
        var backend = new CpuBackend(2);
        using var barrier = new Barrier(2);
        var met = new bool[2];
        backend.RunConcurrently(2, item => met[item] = barrier.SignalAndWait(TimeSpan.FromSeconds(30)));
        Assert.Equal([true, true], met);
    }

    [Fact]
    public void Nested_items_all_run_inside_their_outer_item()
    {
        var backend = new CpuBackend(2);
        var runs = new int[6, 4];
        backend.RunConcurrently(6, outer => backend.RunConcurrently(4, inner => Interlocked.Increment(ref runs[outer, inner])));
        Assert.All(runs.Cast<int>(), r => Assert.Equal(1, r));
    }

    [Fact]
    public void Gemms_inside_concurrent_items_give_exactly_the_one_thread_result()
    {
        // The LSTM's per-step shape (32×512×128) and its input projection's (a tall product) on a shared backend.
        var oneThread = new CpuBackend(1);
        var backend = new CpuBackend(2);
        (int M, int N, int K)[] shapes = [(32, 512, 128), (1, 512, 128), (700, 512, 100), (5, 40, 30)];
        var a = shapes.Select((s, i) => Random(s.M * s.K, (ulong)(10 + i))).ToArray();
        var b = shapes.Select((s, i) => Random(s.N * s.K, (ulong)(20 + i))).ToArray();
        var expected = shapes.Select((s, i) => Random(s.M * s.N, (ulong)(30 + i))).ToArray();
        var actual = expected.Select(c => c.Clone()).ToArray();
        for (int i = 0; i < shapes.Length; i++)
        {
            var (m, n, k) = shapes[i];
            oneThread.Gemm(Transpose.No, Transpose.Yes, m, n, k, 1f, a[i], k, b[i], k, 1f, expected[i], n);
        }
        backend.RunConcurrently(shapes.Length, i =>
        {
            var (m, n, k) = shapes[i];
            backend.Gemm(Transpose.No, Transpose.Yes, m, n, k, 1f, a[i], k, b[i], k, 1f, actual[i], n);
        });
        for (int i = 0; i < shapes.Length; i++) Assert.Equal(expected[i].ToArray(), actual[i].ToArray());
    }

    [Fact]
    public void The_first_failure_is_rethrown_and_the_backend_still_works()
    {
        var backend = new CpuBackend(2);
        var error = Assert.Throws<InvalidOperationException>(() =>
            backend.RunConcurrently(8, item =>
            {
                if (item == 3) throw new InvalidOperationException("item 3");
            }));
        Assert.Equal("item 3", error.Message);
        var runs = new int[8];
        backend.RunConcurrently(8, item => Interlocked.Increment(ref runs[item]));
        Assert.All(runs, r => Assert.Equal(1, r));
    }

    [Fact]
    public void A_warm_call_with_a_cached_delegate_allocates_nothing_on_the_calling_thread()
    {
        var backend = new CpuBackend(2);
        var sums = new long[2];
        Action<int> item = i => sums[i]++;
        for (int i = 0; i < 5; i++) backend.RunConcurrently(2, item);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) backend.RunConcurrently(2, item);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal([105L, 105L], sums);
    }

    private static Tensor Random(int length, ulong seed)
    {
        var tensor = Tensor.Zeros(length);
        new RandomSource(seed).FillUniform(tensor, -1f, 1f);
        return tensor;
    }
}
