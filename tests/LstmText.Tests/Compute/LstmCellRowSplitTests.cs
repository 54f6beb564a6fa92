using LstmText.Compute;
using LstmText.Tensors;

namespace LstmText.Tests.Compute;

/// <summary>
/// A large step's cell kernels run with their rows split across the CPU backend's threads: every row must come out
/// as one thread computes it, bit for bit, padded rows included.
/// </summary>
public sealed class LstmCellRowSplitTests
{
    // 33 rows × 512 units is above the split threshold (2^14 units) and splits unevenly (16 + 17 rows).
    private const int Batch = 33, H = 512, Stride = 2 * H;

    [Fact]
    public void The_forward_and_backward_cells_give_the_same_bits_on_two_threads_as_on_one()
    {
        var one = Run(new CpuBackend(1));
        var two = Run(new CpuBackend(2));

        Assert.Equal(one.Length, two.Length);
        for (int i = 0; i < one.Length; i++)
            Assert.True(one[i].SequenceEqual(two[i]), $"buffer {i} differs");
    }

    /// <summary>Forward then backward on the same random step; returns every buffer either kernel writes.</summary>
    private static float[][] Run(CpuBackend backend)
    {
        var random = new RandomSource(5);
        Tensor Uniform(int length, float low, float high)
        {
            var t = Tensor.Zeros(length);
            random.FillUniform(t, low, high);
            return t;
        }

        var gates = Uniform(Batch * 4 * H, -6f, 6f);
        var previousCell = Uniform(Batch * H, -2f, 2f);
        var previousHidden = Uniform(Batch * H, -1f, 1f);
        var cell = Tensor.Zeros(Batch * H);
        var hidden = Tensor.Zeros(Batch * H);
        var output = Tensor.Zeros(Batch * Stride);
        var cellGradient = Uniform(Batch * H, -1f, 1f);
        var gateGradients = Tensor.Zeros(Batch * 4 * H);
        var previousHiddenGradient = Uniform(Batch * H, -1f, 1f);
        // Rows 3, 20 and 32 have ended by step 4 (one in each half and the last row).
        int[] lengths = Enumerable.Range(0, Batch).Select(b => b is 3 or 20 or 32 ? 4 : 9).ToArray();
        var step = new LstmStep
        {
            Batch = Batch, HiddenSize = H, Time = 4, Lengths = lengths, Gates = gates, PreviousCell = previousCell,
            Cell = cell, PreviousHidden = previousHidden, Hidden = hidden, Output = output, OutputStride = Stride,
            OutputGradient = Uniform(Batch * Stride, -1f, 1f), HiddenGradient = Uniform(Batch * H, -1f, 1f),
            CellGradient = cellGradient, GateGradients = gateGradients, PreviousHiddenGradient = previousHiddenGradient,
        };

        backend.LstmCellForward(step);
        var afterForward = new[] { gates.ToArray(), cell.ToArray(), hidden.ToArray(), output.ToArray() };
        backend.LstmCellBackward(step);
        return [.. afterForward, gateGradients.ToArray(), cellGradient.ToArray(), previousHiddenGradient.ToArray()];
    }
}
