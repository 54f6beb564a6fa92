using System.Diagnostics;

namespace LstmText.Compute.Cpu;

/// <summary>
/// A fork-join team of persistent background threads: the calling thread runs part 0 and the workers run the
/// rest. Workers spin briefly after each job (LSTM steps issue GEMMs back to back, and waking a sleeping thread
/// costs tens of microseconds), then sleep on a monitor so an idle backend burns no CPU.
/// </summary>
/// <remarks>
/// Every worker takes part in every job, even when it has no part to run, so no worker can lag one job behind
/// and mistake the next job's parameters for its own. Run allocates nothing.
/// </remarks>
internal sealed class WorkerTeam
{
    private static readonly long SpinTicks = Stopwatch.Frequency / 5_000; // 200 µs

    private readonly object gate = new();
    private IParallelWork? work;
    private int parts;
    private int generation;
    private int sleepers;
    private int unfinished;
    private Exception? failure;
    private volatile bool stopping;

    /// <summary>Starts <paramref name="size"/> − 1 background threads.</summary>
    public WorkerTeam(int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        Size = size;
        for (int member = 1; member < size; member++)
        {
            var thread = new Thread(WorkLoop) { IsBackground = true, Name = $"LstmText GEMM worker {member}" };
            thread.Start(member);
        }
    }

    /// <summary>The number of threads that run a job, the caller included.</summary>
    public int Size { get; }

    /// <summary>Runs parts 0..<paramref name="partCount"/>−1 of <paramref name="job"/> and returns when all are done.</summary>
    public void Run(IParallelWork job, int partCount)
    {
        if (partCount <= 1 || Size == 1)
        {
            job.Execute(0, 1);
            return;
        }
        partCount = Math.Min(partCount, Size);
        work = job;
        parts = partCount;
        failure = null;
        Volatile.Write(ref unfinished, Size - 1);
        Interlocked.Increment(ref generation);
        if (Volatile.Read(ref sleepers) > 0)
            lock (gate) Monitor.PulseAll(gate);

        try
        {
            job.Execute(0, partCount);
        }
        finally
        {
            WaitForWorkers();
            work = null;
        }
        if (failure is { } error)
            throw new AggregateException("A GEMM worker thread failed.", error);
    }

    /// <summary>Lets the worker threads end; the team must not run jobs afterwards.</summary>
    public void Stop()
    {
        stopping = true;
        Interlocked.Increment(ref generation);
        lock (gate) Monitor.PulseAll(gate);
    }

    private void WaitForWorkers()
    {
        int spins = 0;
        while (Volatile.Read(ref unfinished) != 0)
        {
            // On a loaded machine the worker may be descheduled; yielding lets it finish sooner.
            if (++spins < 64) Thread.SpinWait(16);
            else Thread.Yield();
        }
    }

    private void WorkLoop(object? state)
    {
        int member = (int)state!;
        int seen = 0;
        while (true)
        {
            seen = AwaitNextJob(seen);
            if (stopping) return;
            var job = work!;
            int partCount = parts;
            try
            {
                if (member < partCount) job.Execute(member, partCount);
            }
            catch (Exception error)
            {
                failure = error;
            }
            Interlocked.Decrement(ref unfinished);
        }
    }

    private int AwaitNextJob(int seen)
    {
        long deadline = Stopwatch.GetTimestamp() + SpinTicks;
        int current;
        while ((current = Volatile.Read(ref generation)) == seen)
        {
            if (Stopwatch.GetTimestamp() < deadline)
            {
                Thread.SpinWait(8);
                continue;
            }
            lock (gate)
            {
                // Announcing the sleep before re-reading the generation pairs with Run, which publishes the
                // generation before reading the sleeper count: one of the two always sees the other.
                Interlocked.Increment(ref sleepers);
                while ((current = Volatile.Read(ref generation)) == seen) Monitor.Wait(gate);
                Interlocked.Decrement(ref sleepers);
            }
            return current;
        }
        return current;
    }
}
