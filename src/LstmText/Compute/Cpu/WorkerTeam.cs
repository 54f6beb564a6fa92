using System.Diagnostics;

namespace LstmText.Compute.Cpu;

/// <summary>
/// A fork-join team of persistent background threads. A job's parts are claimed, not assigned: the calling thread and
/// every awake worker take the next unclaimed part until none is left, so a worker that the operating system has not
/// scheduled (a busy machine) leaves its part to the caller instead of making it wait; the caller then waits only for
/// parts a worker has started. Two threads are therefore never much slower than one, even when the other core is busy.
/// Workers spin briefly after each job (LSTM steps issue GEMMs back to back, and waking a sleeping thread costs tens of
/// microseconds), then sleep on a monitor so an idle backend burns no CPU.
/// </summary>
/// <remarks>
/// When the workers claim nothing for <see cref="MissesBeforeSolo"/> jobs in a row (the other cores are busy with other
/// programs), the caller runs the next <see cref="SoloJobs"/> jobs' parts alone without publishing them, so spinning
/// workers stop competing with it for the CPU; then it offers parts again.
/// The claim word packs the job's generation with the next part and the part count, so a worker that wakes up late can
/// only claim parts of the job that is running, never of one that has ended. Run allocates nothing.
/// </remarks>
internal sealed class WorkerTeam
{
    private static readonly long SpinTicks = Stopwatch.Frequency / 5_000; // 200 µs

    /// <summary>Jobs in a row in which no worker claimed a part before the caller runs alone.</summary>
    internal const int MissesBeforeSolo = 8;

    /// <summary>Jobs the caller then runs alone before it offers parts to the workers again.</summary>
    internal const int SoloJobs = 256;

    private readonly object gate = new();
    private readonly Func<bool>? workerMayClaim;
    private IParallelWork? work;
    private long claims; // generation << 32 | next unclaimed part << 16 | part count
    private int generation;
    private int sleepers;
    private int unfinished;
    private Exception? callerFailure;
    private Exception? workerFailure;
    private volatile bool stopping;
    private int missedJobs;
    private int soloJobsLeft;

    /// <summary>Starts <paramref name="size"/> − 1 background threads.</summary>
    public WorkerTeam(int size)
        : this(size, null)
    {
    }

    /// <summary>
    /// Starts <paramref name="size"/> − 1 background threads that claim parts only while <paramref name="workerMayClaim"/>
    /// says so (tests stand for a worker the operating system has not scheduled with it).
    /// </summary>
    internal WorkerTeam(int size, Func<bool>? workerMayClaim)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, MaxParts);
        Size = size;
        this.workerMayClaim = workerMayClaim;
        for (int member = 1; member < size; member++)
        {
            var thread = new Thread(WorkLoop) { IsBackground = true, Name = $"LstmText GEMM worker {member}" };
            thread.Start();
        }
    }

    /// <summary>The most parts (and threads) a job can have.</summary>
    public const int MaxParts = 0xFFFF;

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
        if (soloJobsLeft > 0)
        {
            soloJobsLeft--;
            for (int p = 0; p < partCount; p++) job.Execute(p, partCount);
            return;
        }
        work = job;
        callerFailure = null;
        workerFailure = null;
        Volatile.Write(ref unfinished, partCount);
        int next = generation + 1;
        // The parts are open for claims before any worker can see the new generation.
        Volatile.Write(ref claims, Pack(next, 0, partCount));
        // A full fence: the generation must be visible before the sleeper count is read (see AwaitNextJob).
        Interlocked.Exchange(ref generation, next);
        if (Volatile.Read(ref sleepers) > 0)
            lock (gate) Monitor.PulseAll(gate);

        int ownParts = 0;
        while (TryClaim(next, out int part, out int parts))
        {
            RunPart(job, part, parts, onCaller: true);
            ownParts++;
        }
        WaitForStartedParts();
        if (ownParts < partCount) missedJobs = 0;
        else if (++missedJobs >= MissesBeforeSolo)
        {
            missedJobs = 0;
            soloJobsLeft = SoloJobs;
        }
        work = null;
        if (callerFailure is { } own)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(own);
        if (workerFailure is { } error)
            throw new AggregateException("A GEMM worker thread failed.", error);
    }

    /// <summary>Lets the worker threads end; the team must not run jobs afterwards.</summary>
    public void Stop()
    {
        stopping = true;
        Interlocked.Increment(ref generation);
        lock (gate) Monitor.PulseAll(gate);
    }

    private static long Pack(int jobGeneration, int nextPart, int partCount) =>
        ((long)(uint)jobGeneration << 32) | ((long)nextPart << 16) | (uint)partCount;

    /// <summary>Claims the next unclaimed part of job <paramref name="jobGeneration"/>; false when none is left or that job has ended.</summary>
    private bool TryClaim(int jobGeneration, out int part, out int parts)
    {
        while (true)
        {
            long current = Volatile.Read(ref claims);
            part = (int)((current >> 16) & 0xFFFF);
            parts = (int)(current & 0xFFFF);
            if ((int)(current >> 32) != jobGeneration || part >= parts) return false;
            if (Interlocked.CompareExchange(ref claims, current + (1L << 16), current) == current) return true;
        }
    }

    private void RunPart(IParallelWork job, int part, int parts, bool onCaller)
    {
        try
        {
            job.Execute(part, parts);
        }
        catch (Exception error)
        {
            if (onCaller) Interlocked.CompareExchange(ref callerFailure, error, null);
            else Interlocked.CompareExchange(ref workerFailure, error, null);
        }
        finally
        {
            Interlocked.Decrement(ref unfinished);
        }
    }

    private void WaitForStartedParts()
    {
        int spins = 0;
        while (Volatile.Read(ref unfinished) != 0)
        {
            // On a loaded machine the worker running a part may be descheduled; yielding lets it finish sooner.
            if (++spins < 64) Thread.SpinWait(16);
            else Thread.Yield();
        }
    }

    private void WorkLoop()
    {
        int seen = 0;
        while (true)
        {
            seen = AwaitNextJob(seen);
            if (stopping) return;
            if (workerMayClaim is { } mayClaim && !mayClaim()) continue;
            // A successful claim proves the job is still running, so the job read after it is that job's.
            while (TryClaim(seen, out int part, out int parts)) RunPart(work!, part, parts, onCaller: false);
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
