using LstmText.Compute;
using LstmText.Tensors;

namespace LstmText.Tests.Compute;

/// <summary>The fused forward cell kernel (hidden sizes that are whole SIMD vectors) against double-precision math.</summary>
public sealed class LstmCellForwardTests
{
    [Theory]
    [InlineData(16)]
    [InlineData(128)]
    [InlineData(12)]
    public void Gates_cell_hidden_and_output_match_double_precision(int h)
    {
        const int batch = 3, stride = 300;
        var random = new RandomSource(11);
        var gates = Tensor.Zeros(batch, 4 * h);
        // Wide pre-activations reach both saturated ends of σ and tanh, and values near 0 test tanh's small inputs.
        random.FillUniform(gates, -12f, 12f);
        gates.HostSpan[5] = 1e-4f;
        gates.HostSpan[2 * h + 1] = -3e-5f;
        // Far past where e^x over- or underflows in float: σ and tanh still saturate cleanly.
        gates.HostSpan[2] = 95f;
        gates.HostSpan[h + 2] = -120f;
        gates.HostSpan[2 * h + 3] = 300f;
        gates.HostSpan[3 * h + 4] = -1e30f;
        var previousCell = Tensor.Zeros(batch, h);
        random.FillUniform(previousCell, -3f, 3f);
        var previousHidden = Tensor.Zeros(batch, h);
        random.FillUniform(previousHidden, -1f, 1f);
        var cell = Tensor.Zeros(batch, h);
        var hidden = Tensor.Zeros(batch, h);
        var output = Tensor.Zeros(batch * stride);
        var pre = gates.ToArray();
        int[] lengths = [5, 2, 9];

        new CpuBackend(1).LstmCellForward(new LstmStep
        {
            Batch = batch, HiddenSize = h, Time = 3, Lengths = lengths, Gates = gates, PreviousCell = previousCell,
            Cell = cell, PreviousHidden = previousHidden, Hidden = hidden, Output = output, OutputStride = stride,
        });

        static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));
        for (int b = 0; b < batch; b++)
        for (int j = 0; j < h; j++)
        {
            int row = b * 4 * h;
            float cPrev = previousCell.HostSpan[b * h + j];
            if (b == 1)
            {
                // Step 3 is past row 1's length: state carried, output zero.
                Assert.Equal(cPrev, cell.HostSpan[b * h + j]);
                Assert.Equal(previousHidden.HostSpan[b * h + j], hidden.HostSpan[b * h + j]);
                Assert.Equal(0f, output.HostSpan[b * stride + j]);
                continue;
            }
            double i = Sigmoid(pre[row + j]), f = Sigmoid(pre[row + h + j]), g = Math.Tanh(pre[row + 2 * h + j]), o = Sigmoid(pre[row + 3 * h + j]);
            double c = f * cPrev + i * g, hNew = o * Math.Tanh(c);
            Assert.Equal(i, gates.HostSpan[row + j], 2e-7);
            Assert.Equal(f, gates.HostSpan[row + h + j], 2e-7);
            Assert.Equal(g, gates.HostSpan[row + 2 * h + j], 3e-7);
            Assert.Equal(o, gates.HostSpan[row + 3 * h + j], 2e-7);
            Assert.Equal(c, cell.HostSpan[b * h + j], 1e-6);
            Assert.Equal(hNew, hidden.HostSpan[b * h + j], 1e-6);
            Assert.Equal(hidden.HostSpan[b * h + j], output.HostSpan[b * stride + j]);
        }
    }
}
