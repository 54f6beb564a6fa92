using System.Diagnostics;
using FsCheck;
using FsCheck.Fluent;

namespace LstmText.Tests.Fuzz;

/// <summary>
/// How many cases each fuzz property runs: a few dozen in CI (seconds), or <c>LSTMTEXT_FUZZ_ITERATIONS</c> for a
/// longer pass (see README.md, section Fuzzing). The trait <c>Category=Fuzz</c> selects every fuzz test.
/// </summary>
internal static class FuzzSettings
{
    /// <summary>The environment variable that sets the cases per property.</summary>
    public const string IterationsVariable = "LSTMTEXT_FUZZ_ITERATIONS";

    /// <summary>The trait value of every fuzz test: <c>dotnet test --filter Category=Fuzz</c>.</summary>
    public const string Category = "Fuzz";

    /// <summary>
    /// The longest one case may take before it counts as a hang. This is not a speed test: a case takes milliseconds,
    /// and only a loop that never ends (or a load that builds gigabytes) comes near it.
    /// </summary>
    public static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(30);

    /// <summary>Cases per property: <c>LSTMTEXT_FUZZ_ITERATIONS</c> if set to a positive number, else <paramref name="ciDefault"/>.</summary>
    public static int Iterations(int ciDefault) =>
        int.TryParse(Environment.GetEnvironmentVariable(IterationsVariable), out int n) && n > 0 ? n : ciDefault;

    /// <summary>FsCheck's settings for a fuzz property: the iteration count, and failures thrown with their seed for replay.</summary>
    public static Config Config(int ciDefault) => FsCheck.Config.QuickThrowOnFailure.WithMaxTest(Iterations(ciDefault));

    /// <summary>
    /// Runs one case, returning the exception it threw (or null) after checking that it stayed within
    /// <see cref="HangLimit"/> and allocated, on this thread, at most <paramref name="memoryBound"/> bytes.
    /// </summary>
    public static Exception? RunBounded(string description, long memoryBound, Action body)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        Exception? error = null;
        try
        {
            body();
        }
        catch (Exception e)
        {
            error = e;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        if (clock.Elapsed > HangLimit)
            throw new Xunit.Sdk.XunitException($"{description}: took {clock.Elapsed.TotalSeconds:F1} s (hang limit {HangLimit.TotalSeconds} s)");
        if (allocated > memoryBound)
            throw new Xunit.Sdk.XunitException($"{description}: allocated {allocated:N0} bytes, more than the bound of {memoryBound:N0}");
        return error;
    }

    /// <summary>A generator of (mutation kind, seed) pairs: the seed drives a <see cref="Random"/> that makes the mutation reproducible.</summary>
    public static Arbitrary<(int Kind, int Seed)> Mutations(int kinds) =>
        Gen.Choose(0, kinds - 1).Zip(Gen.Choose(0, int.MaxValue)).Select(pair => (pair.Item1, pair.Item2)).ToArbitrary();
}
