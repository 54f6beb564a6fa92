using System.Diagnostics;
using System.Runtime;

namespace LstmText.Cli;

/// <summary>Times a piece of work the way every <c>lstmtext bench</c> command reports it: best and median of several runs.</summary>
internal static class BenchmarkClock
{
    /// <summary>The warm-up ends after this long even if the JIT is still compiling.</summary>
    private static readonly TimeSpan LongestWarmUp = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long the JIT must have compiled nothing, besides two calls, before timing starts: longer than tiered
    /// compilation's pause before it starts counting calls (100 ms) and its background compile, inside which a short call
    /// compiles nothing while its first-tier code is still about to be replaced.
    /// </summary>
    private static readonly TimeSpan QuietSpan = TimeSpan.FromSeconds(0.5);

    /// <summary>Timings of one benchmark, in seconds per call.</summary>
    public readonly record struct Timing(double Best, double Median);

    /// <summary>
    /// Warms <paramref name="work"/> up for at least <paramref name="warmUp"/> and until two calls in a row, and half a
    /// second, have compiled no method (10 s at most), so the JIT has produced its final code and buffers exist, then
    /// times <paramref name="repeat"/> runs. Work shorter than 20 ms is timed in batches so the clock's resolution does not
    /// dominate.
    /// </summary>
    /// <remarks>
    /// A fixed warm-up was not enough when the work keeps every core busy: the JIT's background thread, which replaces
    /// first-tier code by optimized code, then gets little CPU, and on two cores int8 classification at two threads still
    /// ran partly first-tier code after one second (timed runs 2,100–5,200 rows/s from one process to the next; steady at
    /// about 4,600 once no method was compiled for two calls, after about 4 s). Two quiet calls alone were not enough for
    /// short calls: batch-1 generation from a 1×128 model (1,000 tokens, 4–35 ms a call) was timed at 21,000–32,000
    /// tokens/s in four processes of five and 253,000 in the fifth, its products still in first-tier code.
    /// </remarks>
    public static Timing Measure(Action work, int repeat, TimeSpan warmUp)
    {
        var warm = Stopwatch.StartNew();
        var sinceCompile = Stopwatch.StartNew();
        int quietCalls = 0;
        do
        {
            long compiled = JitInfo.GetCompiledMethodCount();
            work();
            if (JitInfo.GetCompiledMethodCount() == compiled) quietCalls++;
            else
            {
                quietCalls = 0;
                sinceCompile.Restart();
            }
        }
        while (warm.Elapsed < warmUp || ((quietCalls < 2 || sinceCompile.Elapsed < QuietSpan) && warm.Elapsed < LongestWarmUp));

        var runs = new double[Math.Max(1, repeat)];
        for (int run = 0; run < runs.Length; run++)
        {
            int calls = 1;
            while (true)
            {
                long start = Stopwatch.GetTimestamp();
                for (int call = 0; call < calls; call++) work();
                double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                if (seconds >= 0.02) { runs[run] = seconds / calls; break; }
                calls *= 2;
            }
        }
        Array.Sort(runs);
        return new Timing(runs[0], runs[runs.Length / 2]);
    }
}
