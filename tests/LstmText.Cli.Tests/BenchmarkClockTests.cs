using System.Reflection;

namespace LstmText.Cli.Tests;

/// <summary>The benchmarks' clock: what it runs before it times (never how long anything takes).</summary>
public sealed class BenchmarkClockTests
{
    private static readonly Type[] ValueTypes =
    [
        typeof(int), typeof(long), typeof(byte), typeof(short), typeof(double), typeof(float),
        typeof(char), typeof(bool), typeof(decimal), typeof(Guid), typeof(DateTime), typeof(TimeSpan),
    ];

    [Fact]
    public void The_warm_up_goes_on_while_calls_still_compile_methods()
    {
        // The first 12 calls each compile a method of their own (a generic method over a new value type, as tiered
        // compilation compiles while a workload warms up); the warm-up's minimum time is one tick, so only the rule
        // "two calls in a row compile nothing" keeps it going. Each call lasts over 20 ms, so a timed run is one call.
        var open = typeof(BenchmarkClockTests).GetMethod(nameof(SizeOf), BindingFlags.NonPublic | BindingFlags.Static)!;
        int calls = 0;
        void Work()
        {
            if (calls < ValueTypes.Length) open.MakeGenericMethod(ValueTypes[calls]).Invoke(null, null);
            calls++;
            Thread.Sleep(25);
        }

        BenchmarkClock.Measure(Work, repeat: 1, warmUp: TimeSpan.FromTicks(1));

        // 12 compiling calls, then two quiet ones, then the timed call (a fixed warm-up would have made 2 calls in all).
        // More when tests running beside this one make the JIT compile during a call: the count is process-wide.
        Assert.True(calls >= ValueTypes.Length + 2 + 1, $"{calls} calls");
    }

    [Fact]
    public void The_warm_up_waits_half_a_second_after_the_last_compiled_method()
    {
        // One compiling call, then quiet 25 ms calls: two quiet calls are not enough (tiered compilation waits 100 ms
        // before it counts calls, then compiles in the background, so a short call can compile nothing while its code is
        // about to be replaced). The clock must go on for half a second after the compile. This bounds a wait from below,
        // which load can only lengthen; it times nothing.
        var open = typeof(BenchmarkClockTests).GetMethod(nameof(SizeOf), BindingFlags.NonPublic | BindingFlags.Static)!;
        int calls = 0;
        long compiledAt = 0;
        void Work()
        {
            if (calls++ == 0)
            {
                open.MakeGenericMethod(typeof(System.Numerics.Complex)).Invoke(null, null);
                compiledAt = System.Diagnostics.Stopwatch.GetTimestamp();
            }
            Thread.Sleep(25);
        }

        BenchmarkClock.Measure(Work, repeat: 1, warmUp: TimeSpan.FromTicks(1));

        // Before: the compiling call, two quiet ones and the timed one, about 0.1 s in all.
        var afterCompile = System.Diagnostics.Stopwatch.GetElapsedTime(compiledAt);
        Assert.True(afterCompile >= TimeSpan.FromSeconds(0.5), $"timing ended {afterCompile.TotalMilliseconds:F0} ms after the compile");
    }

    private static int SizeOf<T>() where T : struct => System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
}
