using LstmText.Compute;
using LstmText.Compute.Cpu;
using LstmText.Tensors;

namespace LstmText.Tests.Compute;

public sealed class GemmTests
{
    private static readonly CpuBackend OneThread = new(1);
    private static readonly CpuBackend TwoThreads = new(2);

    public static TheoryData<Transpose, Transpose, int, int, int> ShapesForEveryTransposeCombination()
    {
        var data = new TheoryData<Transpose, Transpose, int, int, int>();
        (int M, int N, int K)[] shapes =
        [
            (1, 1, 1), (1, 65, 33), (3, 17, 31), (17, 33, 65), (31, 1, 129), (33, 129, 257),
            (65, 31, 17), (129, 257, 3), (257, 65, 129), (9, 33, 300), (200, 97, 513),
            (1, 7, 15), (1, 130, 16), (1, 517, 131), (1, 2048, 512),
        ];
        foreach (var a in new[] { Transpose.No, Transpose.Yes })
        foreach (var b in new[] { Transpose.No, Transpose.Yes })
        foreach (var (m, n, k) in shapes)
            data.Add(a, b, m, n, k);
        return data;
    }

    public static TheoryData<GemmInstructionSet> SupportedInstructionSets()
    {
        var data = new TheoryData<GemmInstructionSet>();
        foreach (var set in Enum.GetValues<GemmInstructionSet>())
            if (set <= CpuBackend.FastestSupportedGemmInstructionSet())
                data.Add(set);
        return data;
    }

    [Theory]
    [MemberData(nameof(ShapesForEveryTransposeCombination))]
    public void Gemm_matches_a_double_precision_reference_for_every_transpose_combination(
        Transpose transposeA, Transpose transposeB, int m, int n, int k)
    {
        foreach (var (alpha, beta) in new[] { (1f, 0f), (1f, 1f), (-0.5f, 2f), (1.5f, 0f) })
            foreach (var backend in new[] { OneThread, TwoThreads })
                AssertMatchesReference(backend, transposeA, transposeB, m, n, k, alpha, beta, padding: 0, seed: m * 31 + n * 7 + k);
    }

    [Theory]
    [MemberData(nameof(ShapesForEveryTransposeCombination))]
    public void Gemm_reads_and_writes_sub_matrices_with_leading_dimensions_wider_than_the_rows(
        Transpose transposeA, Transpose transposeB, int m, int n, int k)
    {
        AssertMatchesReference(TwoThreads, transposeA, transposeB, m, n, k, 0.75f, 0.5f, padding: 5, seed: 11 + m);
    }

    [Theory]
    [MemberData(nameof(SupportedInstructionSets))]
    public void Every_instruction_set_matches_the_reference(GemmInstructionSet instructionSet)
    {
        foreach (var threads in new[] { 1, 2 })
        {
            var backend = new CpuBackend(threads, instructionSet);
            Assert.Equal(instructionSet, backend.GemmInstructionSet);
            foreach (var a in new[] { Transpose.No, Transpose.Yes })
            foreach (var b in new[] { Transpose.No, Transpose.Yes })
            {
                AssertMatchesReference(backend, a, b, 67, 131, 300, 1f, 0f, padding: 3, seed: 1);
                AssertMatchesReference(backend, a, b, 200, 70, 257, -1f, 1f, padding: 0, seed: 2);
                AssertMatchesReference(backend, a, b, 1, 50, 40, 2f, 0.5f, padding: 1, seed: 3);
                AssertMatchesReference(backend, a, b, 40, 70, 300, 1f, 0.5f, padding: 2, seed: 4);
            }
        }
    }

    [Theory]
    [InlineData(Transpose.No, Transpose.No)]
    [InlineData(Transpose.No, Transpose.Yes)]
    [InlineData(Transpose.Yes, Transpose.No)]
    public void Gemm_keeps_float32_accumulation_within_1e5_for_a_depth_of_4096(Transpose transposeA, Transpose transposeB)
    {
        AssertMatchesReference(TwoThreads, transposeA, transposeB, 40, 70, 4096, 1f, 0f, padding: 0, seed: 4096);
    }

    [Theory]
    [InlineData(Transpose.No, Transpose.No, 1)]
    [InlineData(Transpose.No, Transpose.Yes, 1)]
    [InlineData(Transpose.Yes, Transpose.No, 37)]
    [InlineData(Transpose.Yes, Transpose.Yes, 37)]
    public void Beta_zero_ignores_NaN_in_the_old_output(Transpose transposeA, Transpose transposeB, int m)
    {
        int n = 45, k = 70;
        var a = Random(m * k, 5);
        var b = Random(k * n, 6);
        var c = Tensor.Filled(float.NaN, m, n);
        TwoThreads.Gemm(transposeA, transposeB, m, n, k, 1f, a, transposeA == Transpose.Yes ? m : k,
            b, transposeB == Transpose.Yes ? k : n, 0f, c, n);
        Assert.All(c.ToArray(), value => Assert.False(float.IsNaN(value)));

        var zeroDepth = Tensor.Filled(float.NaN, m, n);
        TwoThreads.Gemm(transposeA, transposeB, m, n, 0, 1f, a, 1, b, n, 0f, zeroDepth, n);
        Assert.All(zeroDepth.ToArray(), value => Assert.Equal(0f, value));
    }

    [Theory]
    [InlineData(Transpose.No, Transpose.Yes, 64, 2048, 512)]
    [InlineData(Transpose.No, Transpose.Yes, 32, 2048, 512)]
    [InlineData(Transpose.No, Transpose.No, 1000, 96, 300)]
    [InlineData(Transpose.Yes, Transpose.No, 512, 512, 64)]
    [InlineData(Transpose.No, Transpose.Yes, 1, 4096, 256)]
    public void Two_threads_give_exactly_the_result_of_one_thread(Transpose transposeA, Transpose transposeB, int m, int n, int k)
    {
        var a = Random(m * k, 7);
        var b = Random(k * n, 8);
        var single = Random(m * n, 9);
        var parallel = single.Clone();
        int lda = transposeA == Transpose.Yes ? m : k, ldb = transposeB == Transpose.Yes ? k : n;
        OneThread.Gemm(transposeA, transposeB, m, n, k, 0.5f, a, lda, b, ldb, 1f, single, n);
        TwoThreads.Gemm(transposeA, transposeB, m, n, k, 0.5f, a, lda, b, ldb, 1f, parallel, n);
        Assert.Equal(single.ToArray(), parallel.ToArray());
    }

    [Fact]
    public void A_warm_gemm_allocates_nothing_on_the_calling_thread()
    {
        int m = 64, n = 512, k = 2048;
        var backend = new CpuBackend(2);
        var a = Random(m * k, 10);
        var b = Random(n * k, 11);
        var c = Tensor.Zeros(m, n);
        for (int i = 0; i < 5; i++)
            backend.Gemm(Transpose.No, Transpose.Yes, m, n, k, 1f, a, k, b, k, 0f, c, n);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
            backend.Gemm(Transpose.No, Transpose.Yes, m, n, k, 1f, a, k, b, k, 0f, c, n);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Callers_on_several_threads_sharing_one_backend_each_get_their_own_correct_result()
    {
        var shared = new CpuBackend(2);
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 4 }, caller =>
        {
            for (int round = 0; round < 3; round++)
                AssertMatchesReference(shared, Transpose.No, caller % 2 == 0 ? Transpose.No : Transpose.Yes,
                    96 + caller, 80, 150, 1f, 0f, padding: 0, seed: caller * 10 + round);
        });
    }

    [Fact]
    public void Gemm_rejects_a_leading_dimension_shorter_than_a_row_and_a_slice_too_short_for_the_matrix()
    {
        var a = Tensor.Zeros(4, 4);
        var c = Tensor.Zeros(4, 4);
        Assert.Throws<ArgumentException>(() => OneThread.Gemm(Transpose.No, Transpose.No, 4, 4, 4, 1f, a, 3, a, 4, 0f, c, 4));
        Assert.Throws<ArgumentException>(() => OneThread.Gemm(Transpose.No, Transpose.No, 4, 4, 4, 1f, a.Slice(0, 15), 4, a, 4, 0f, c, 4));
    }

    [Fact]
    public void The_worker_team_runs_every_part_exactly_once_per_job()
    {
        var team = new WorkerTeam(3);
        var counter = new PartCounter(3);
        for (int job = 0; job < 2000; job++)
            team.Run(counter, 1 + job % 3);
        Assert.Equal(2000, counter.Runs[0]);
        Assert.Equal(Enumerable.Range(0, 2000).Count(job => job % 3 >= 1), counter.Runs[1]);
        Assert.Equal(Enumerable.Range(0, 2000).Count(job => job % 3 >= 2), counter.Runs[2]);
    }

    [Theory]
    [InlineData(2048, 512)]
    [InlineData(1031, 70)]
    [InlineData(9, 13)]
    public void One_row_times_a_transposed_matrix_gives_the_same_bits_on_one_thread_and_on_two(int n, int k)
    {
        // Batch-1 generation: a thread's band of rows may start anywhere, and each row must sum in the same order.
        var x = Random(k, 1);
        var w = Random(n * k, 2);
        float[] Product(CpuBackend backend)
        {
            var c = Tensor.Zeros(n);
            backend.Gemm(Transpose.No, Transpose.Yes, 1, n, k, 1f, x, k, w, k, 0f, c, n);
            return c.ToArray();
        }
        Assert.Equal(Product(OneThread), Product(TwoThreads));
    }

    [Fact]
    public async Task A_worker_that_is_not_scheduled_leaves_its_parts_to_the_caller_instead_of_stalling_it()
    {
        // The worker never claims (as when the operating system keeps it off the CPU): the caller runs every part itself.
        var team = new WorkerTeam(2, workerMayClaim: () => false);
        var threads = new PartThreads(2);
        var job = Task.Run(() =>
        {
            for (int i = 0; i < 200; i++) team.Run(threads, 2);
        });
        var finished = await Task.WhenAny(job, Task.Delay(TimeSpan.FromSeconds(60)));
        Assert.True(finished == job, "the caller waited for a worker that never ran");
        Assert.All(threads.Runs, runs => Assert.Equal(200, runs));
        Assert.All(threads.Callers, caller => Assert.Equal(threads.Callers[0], caller));
        team.Stop();
    }

    [Fact]
    public void The_worker_team_shares_the_parts_when_every_worker_runs_and_reports_a_failing_part()
    {
        var team = new WorkerTeam(4);
        var threads = new PartThreads(4);
        for (int i = 0; i < 500; i++) team.Run(threads, 4);
        Assert.All(threads.Runs, runs => Assert.Equal(500, runs));
        var failing = new FailingPart();
        var error = Record.Exception(() => team.Run(failing, 4));
        Assert.NotNull(error);
        Assert.Contains("part 2 failed", (error as AggregateException)?.InnerException?.Message ?? error.Message, StringComparison.Ordinal);
        team.Run(threads, 4); // the team still works after a failure
        Assert.All(threads.Runs, runs => Assert.Equal(501, runs));
        team.Stop();
    }

    [Fact]
    public void After_jobs_no_worker_claimed_the_caller_runs_alone_for_a_while_then_offers_parts_again()
    {
        bool workersAwake = false;
        var team = new WorkerTeam(2, workerMayClaim: () => Volatile.Read(ref workersAwake));
        var threads = new PartThreads(2) { PartTime = TimeSpan.FromMilliseconds(1) };
        int caller = Environment.CurrentManagedThreadId;
        for (int i = 0; i < WorkerTeam.MissesBeforeSolo; i++) team.Run(threads, 2);
        Volatile.Write(ref workersAwake, true);
        for (int i = 0; i < WorkerTeam.SoloJobs; i++)
        {
            team.Run(threads, 2);
            Assert.Equal(caller, threads.Callers[1]); // alone: the worker is not offered the part
        }
        bool shared = false;
        for (int i = 0; i < 2000 && !shared; i++)
        {
            team.Run(threads, 2);
            shared = threads.Callers[0] != threads.Callers[1];
        }
        Assert.True(shared, "the workers were never offered parts again");
        team.Stop();
    }

    private sealed class PartThreads(int size) : IParallelWork
    {
        public int[] Runs { get; } = new int[size];

        public int[] Callers { get; } = new int[size];

        public TimeSpan PartTime { get; init; }

        public void Execute(int part, int parts)
        {
            Interlocked.Increment(ref Runs[part]);
            Callers[part] = Environment.CurrentManagedThreadId;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (clock.Elapsed < PartTime) Thread.SpinWait(32);
        }
    }

    private sealed class FailingPart : IParallelWork
    {
        public void Execute(int part, int parts)
        {
            if (part == 2) throw new InvalidOperationException("part 2 failed");
        }
    }

    private sealed class PartCounter(int size) : IParallelWork
    {
        public int[] Runs { get; } = new int[size];

        public void Execute(int part, int parts) => Interlocked.Increment(ref Runs[part]);
    }

    /// <summary>
    /// Runs the GEMM on sub-matrices that start <paramref name="padding"/> elements into their tensors and whose
    /// leading dimensions are <paramref name="padding"/> wider than their rows, and compares every element of C
    /// (and the untouched padding) with a double-precision product.
    /// </summary>
    private static void AssertMatchesReference(CpuBackend backend, Transpose transposeA, Transpose transposeB,
        int m, int n, int k, float alpha, float beta, int padding, int seed)
    {
        bool tA = transposeA == Transpose.Yes, tB = transposeB == Transpose.Yes;
        int aRows = tA ? k : m, aColumns = tA ? m : k, bRows = tB ? n : k, bColumns = tB ? k : n;
        int lda = aColumns + padding, ldb = bColumns + padding, ldc = n + padding;
        var a = Random(padding + aRows * lda, seed);
        var b = Random(padding + bRows * ldb, seed + 1);
        var c = Random(padding + m * ldc, seed + 2);
        var original = c.ToArray();

        backend.Gemm(transposeA, transposeB, m, n, k, alpha,
            a.Slice(padding, a.Length - padding), lda, b.Slice(padding, b.Length - padding), ldb, beta,
            c.Slice(padding, c.Length - padding), ldc);

        var x = a.ToArray();
        var y = b.ToArray();
        var z = c.ToArray();
        for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++)
        {
            double sum = 0, magnitude = 0;
            for (int p = 0; p < k; p++)
            {
                double av = tA ? x[padding + p * lda + i] : x[padding + i * lda + p];
                double bv = tB ? y[padding + j * ldb + p] : y[padding + p * ldb + j];
                sum += av * bv;
                magnitude += Math.Abs(av * bv);
            }
            int index = padding + i * ldc + j;
            double expected = alpha * sum + beta * (double)original[index];
            double scale = Math.Abs(alpha) * magnitude + Math.Abs(beta * (double)original[index]) + 1e-30;
            double error = Math.Abs(z[index] - expected) / scale;
            Assert.True(error < 1e-5,
                $"{backend.Name} {transposeA}{transposeB} m={m} n={n} k={k} alpha={alpha} beta={beta}: " +
                $"C[{i},{j}] = {z[index]}, expected {expected} (relative error {error:E2}).");
        }
        for (int index = 0; index < z.Length; index++)
        {
            int row = (index - padding) / ldc, column = (index - padding) % ldc;
            bool inside = index >= padding && row < m && column < n;
            if (!inside) Assert.Equal(original[index], z[index]);
        }
    }

    private static Tensor Random(int length, int seed)
    {
        var random = new Random(seed);
        var tensor = Tensor.Zeros(length);
        var span = tensor.HostSpan;
        for (int i = 0; i < span.Length; i++) span[i] = (float)(random.NextDouble() * 2 - 1);
        return tensor;
    }
}
