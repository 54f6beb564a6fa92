using System.CommandLine;
using System.Globalization;
using LstmText.Compute;
using LstmText.Tensors;
using Spectre.Console;

namespace LstmText.Cli;

/// <summary><c>lstmtext bench gemm</c>: times the CPU backend's SGEMM and reports GFLOP/s (2·m·n·k / best time).</summary>
internal static class GemmBenchCommand
{
    public static Command Create()
    {
        var size = new Option<int>("--size") { Description = "m = n = k unless --m, --n or --k say otherwise.", DefaultValueFactory = _ => 1024 };
        var m = new Option<int?>("--m") { Description = "Rows of C (and of op(A))." };
        var n = new Option<int?>("--n") { Description = "Columns of C (and of op(B))." };
        var k = new Option<int?>("--k") { Description = "The shared (inner) dimension." };
        var threads = new Option<int>("--threads") { Description = "Threads for the GEMM.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var transpose = new Option<string>("--transpose") { Description = "Layout of A and B: nn, nt, tn or tt (t: the operand is stored transposed).", DefaultValueFactory = _ => "nn" };
        transpose.AcceptOnlyFromAmong("nn", "nt", "tn", "tt");
        var repeat = new Option<int>("--repeat") { Description = "Timed runs; the best one counts.", DefaultValueFactory = _ => 10 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };

        var command = new Command("gemm",
            "Time C = A·B on the CPU backend and report GFLOP/s.\n" +
            "Example: lstmtext bench gemm --m 32 --n 2048 --k 512 --transpose nt --threads 2 --json")
        {
            size, m, n, k, threads, transpose, repeat, json,
        };
        command.SetAction(parseResult =>
        {
            int rows = parseResult.GetValue(m) ?? parseResult.GetValue(size);
            int columns = parseResult.GetValue(n) ?? parseResult.GetValue(size);
            int depth = parseResult.GetValue(k) ?? parseResult.GetValue(size);
            string layout = parseResult.GetValue(transpose)!;
            var result = Measure(rows, columns, depth, layout, parseResult.GetValue(threads), Math.Max(1, parseResult.GetValue(repeat)));
            if (parseResult.GetValue(json)) BenchmarkOutput.WriteJson(parseResult, result.Figures);
            else Show(parseResult, result);
            return 0;
        });
        return command;
    }

    /// <summary>The GFLOP/s of C = A·B at these sizes and layout on a CPU backend of <paramref name="threads"/> threads (best of <paramref name="repeat"/> runs).</summary>
    public static double MeasureGigaflops(int m, int n, int k, string layout, int threads, int repeat) =>
        Measure(m, n, k, layout, threads, repeat).GigaflopsPerSecond;

    private static GemmMeasurement Measure(int m, int n, int k, string layout, int threads, int repeat)
    {
        var transposeA = layout[0] == 't' ? Transpose.Yes : Transpose.No;
        var transposeB = layout[1] == 't' ? Transpose.Yes : Transpose.No;
        var backend = new CpuBackend(threads);
        var random = new RandomSource(1);
        var a = Tensor.Zeros(m, k);
        var b = Tensor.Zeros(k, n);
        var c = Tensor.Zeros(m, n);
        foreach (var tensor in new[] { a, b })
        {
            var span = tensor.HostSpan;
            for (int i = 0; i < span.Length; i++) span[i] = random.NextFloat() - 0.5f;
        }
        int lda = transposeA == Transpose.Yes ? m : k, ldb = transposeB == Transpose.Yes ? k : n;

        void Multiply() => backend.Gemm(transposeA, transposeB, m, n, k, 1f, a, lda, b, ldb, 0f, c, n);

        // BenchmarkClock warms up until the JIT has produced its final code and the packing buffers exist.
        double best = BenchmarkClock.Measure(Multiply, repeat, TimeSpan.FromSeconds(0.5)).Best;
        return new GemmMeasurement(m, n, k, layout, threads, backend.GemmInstructionSet, best);
    }

    private static void Show(ParseResult parseResult, GemmMeasurement result)
    {
        var table = new Table().AddColumns("m", "n", "k", "layout", "threads", "kernel", "best time", "GFLOP/s");
        table.AddRow(
            result.M.ToString(CultureInfo.InvariantCulture), result.N.ToString(CultureInfo.InvariantCulture),
            result.K.ToString(CultureInfo.InvariantCulture), result.Layout, result.Threads.ToString(CultureInfo.InvariantCulture),
            result.InstructionSetName, $"{result.SecondsBest * 1e3:F3} ms", $"[bold]{result.GigaflopsPerSecond:F1}[/]");
        BenchmarkOutput.WriteTable(parseResult, table);
    }

    private sealed record GemmMeasurement(int M, int N, int K, string Layout, int Threads, GemmInstructionSet InstructionSet, double SecondsBest)
    {
        public double GigaflopsPerSecond => 2.0 * M * N * K / SecondsBest / 1e9;

        public string InstructionSetName => InstructionSet switch
        {
            GemmInstructionSet.Avx512 => "avx512",
            GemmInstructionSet.Avx2 => "avx2",
            _ => "scalar",
        };

        public Dictionary<string, object> Figures => new()
        {
            ["implementation"] = "lstmtext",
            ["m"] = M,
            ["n"] = N,
            ["k"] = K,
            ["transpose"] = Layout,
            ["threads"] = Threads,
            ["instruction_set"] = InstructionSetName,
            ["seconds_best"] = SecondsBest,
            ["gflops"] = GigaflopsPerSecond,
        };
    }
}
