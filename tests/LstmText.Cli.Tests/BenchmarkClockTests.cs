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

    private static int SizeOf<T>() where T : struct => System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
}
