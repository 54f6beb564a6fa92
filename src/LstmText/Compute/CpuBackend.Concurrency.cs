using System.Runtime.ExceptionServices;
using LstmText.Compute.Cpu;

namespace LstmText.Compute;

public sealed partial class CpuBackend
{
    // Set on a thread while it runs an item of RunConcurrently: that item's GEMMs then stay on its own thread, since
    // the other threads are busy with items of their own (splitting a small GEMM across a busy core only waits on it).
    [ThreadStatic] private static bool runningConcurrentItem;

    // Reused by every RunConcurrently that gets the team; only the holder of gemmGate touches it.
    private readonly ConcurrentItems concurrentItems = new();

    /// <inheritdoc/>
    public int Concurrency => Threads;

    /// <inheritdoc/>
    public void RunConcurrently(int count, Action<int> item)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentNullException.ThrowIfNull(item);
        if (count == 1)
        {
            // One item keeps the whole team for its own GEMMs (or its own nested items).
            item(0);
            return;
        }
        if (count == 0) return;
        if (Threads == 1 || !TryTakeTeam())
        {
            // Nested inside an item, or the team is busy with another caller: one after another, on this thread.
            RunHere(count, item);
            return;
        }
        try
        {
            concurrentItems.Start(item, count);
            gemmTeam.Run(concurrentItems, Math.Min(count, Threads));
            concurrentItems.Finish()?.Throw();
        }
        finally
        {
            Monitor.Exit(gemmGate);
        }
        // The finalizer stops the team; this backend must stay reachable until the team has finished.
        GC.KeepAlive(this);
    }

    /// <summary>
    /// Takes the worker team (enter <c>gemmGate</c>; the caller exits it) unless this thread runs an item of
    /// <see cref="RunConcurrently"/> or another caller holds the team: then the work stays on this thread.
    /// </summary>
    private bool TryTakeTeam() => !runningConcurrentItem && Monitor.TryEnter(gemmGate);

    private static void RunHere(int count, Action<int> item)
    {
        bool outer = runningConcurrentItem;
        runningConcurrentItem = true;
        try
        {
            for (int i = 0; i < count; i++) item(i);
        }
        finally
        {
            runningConcurrentItem = outer;
        }
    }

    /// <summary>
    /// The items of one <see cref="RunConcurrently"/> call as a team job: every thread takes the next unstarted item
    /// until none is left, so items of uneven cost still keep every thread busy.
    /// </summary>
    private sealed class ConcurrentItems : IParallelWork
    {
        private Action<int>? item;
        private int count;
        private int next;
        private ExceptionDispatchInfo? failure;

        public void Start(Action<int> work, int itemCount)
        {
            item = work;
            count = itemCount;
            next = 0;
            failure = null;
        }

        /// <summary>Forgets the items (so the caller's closure is not kept alive) and returns the first failure, if any.</summary>
        public ExceptionDispatchInfo? Finish()
        {
            item = null;
            return failure;
        }

        public void Execute(int part, int parts)
        {
            var work = item!;
            runningConcurrentItem = true;
            try
            {
                int i;
                while ((i = Interlocked.Increment(ref next) - 1) < count)
                {
                    try
                    {
                        work(i);
                    }
                    catch (Exception error)
                    {
                        Interlocked.CompareExchange(ref failure, ExceptionDispatchInfo.Capture(error), null);
                        // Unstarted items are skipped; the caller sees the first exception once running ones end.
                        Volatile.Write(ref next, count);
                    }
                }
            }
            finally
            {
                runningConcurrentItem = false;
            }
        }
    }
}
