using System.Diagnostics;

namespace LstmText.Cli;

/// <summary>Times a piece of work the way every <c>lstmtext bench</c> command reports it: best and median of several runs.</summary>
internal static class BenchmarkClock
{
    /// <summary>Timings of one benchmark, in seconds per call.</summary>
    public readonly record struct Timing(double Best, double Median);

    /// <summary>
    /// Warms <paramref name="work"/> up for at least <paramref name="warmUp"/> (so the JIT has produced its final code and
    /// buffers exist), then times <paramref name="repeat"/> runs. Work shorter than 20 ms is timed in batches so the
    /// clock's resolution does not dominate.
    /// </summary>
    public static Timing Measure(Action work, int repeat, TimeSpan warmUp)
    {
        var warm = Stopwatch.StartNew();
        do work(); while (warm.Elapsed < warmUp);

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
