using LstmText.Compute.Cpu;

namespace LstmText.Compute;

public sealed partial class CpuBackend
{
    /// <summary>
    /// Below this many hidden units in a step (batch × H) the cell kernels stay on the calling thread: 2¹⁴ units take
    /// about 100 µs forward on one core here, so each half is well above a hand-off's few microseconds, while a small
    /// model's step (1×128 at batch 16: 2,048 units) is not split.
    /// </summary>
    private const long CellParallelUnits = 1L << 14;

    // Reused by every split cell call; only the holder of gemmGate touches it.
    private readonly CellRows cellRows = new();

    /// <summary>
    /// Runs the forward or backward cell of a large step with its rows split across the worker team; false (nothing
    /// done) when the step is small, this backend has one thread, or the team is busy. Rows are independent and each
    /// is computed as on one thread, so the results are the same bits.
    /// </summary>
    private bool TrySplitCellRows(in LstmStep step, bool backward)
    {
        if (Threads == 1 || step.Batch < 2 || (long)step.Batch * step.HiddenSize < CellParallelUnits || !TryTakeTeam())
            return false;
        try
        {
            cellRows.Start(step, backward);
            gemmTeam.Run(cellRows, Math.Min(Threads, step.Batch));
        }
        finally
        {
            cellRows.Finish();
            Monitor.Exit(gemmGate);
        }
        // The finalizer stops the team; this backend must stay reachable until the team has finished.
        GC.KeepAlive(this);
        return true;
    }

    /// <summary>One cell call as a team job: part p of P runs rows B·p/P .. B·(p+1)/P − 1.</summary>
    private sealed class CellRows : IParallelWork
    {
        private LstmStep step;
        private bool backward;

        public void Start(in LstmStep cellStep, bool isBackward)
        {
            step = cellStep;
            backward = isBackward;
        }

        /// <summary>Forgets the step, so its buffers are not kept alive by the backend.</summary>
        public void Finish() => step = default;

        public void Execute(int part, int parts)
        {
            int first = (int)((long)step.Batch * part / parts), end = (int)((long)step.Batch * (part + 1) / parts);
            if (backward) CellBackwardRows(step, first, end);
            else CellForwardRows(step, first, end);
        }
    }
}
