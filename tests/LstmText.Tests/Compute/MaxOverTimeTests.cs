using LstmText.Compute;
using LstmText.Tensors;

namespace LstmText.Tests.Compute;

/// <summary><see cref="IBackend.MaxOverTime"/> on rows wider than a SIMD vector: values and first-on-tie positions.</summary>
public sealed class MaxOverTimeTests
{
    [Theory]
    [InlineData(3)]
    [InlineData(37)]
    [InlineData(256)]
    public void Gives_the_masked_maximum_and_the_first_step_that_reaches_it(int features)
    {
        const int steps = 11, batch = 3;
        int[] lengths = [11, 4, 1];
        var sequence = Tensor.Zeros(steps, batch, features);
        var random = new RandomSource(4);
        var span = sequence.HostSpan;
        // Few distinct values, so ties are common; step 2 of row 0 also holds a NaN, which never wins.
        for (int i = 0; i < span.Length; i++) span[i] = random.NextInt(5);
        span[(2 * batch + 0) * features + features - 1] = float.NaN;
        var maximum = Tensor.Zeros(batch, features);
        var positions = new int[batch * features];

        new CpuBackend(1).MaxOverTime(sequence, steps, batch, features, lengths, maximum, positions);

        for (int b = 0; b < batch; b++)
        for (int f = 0; f < features; f++)
        {
            float best = span[b * features + f];
            int where = 0;
            for (int t = 1; t < lengths[b]; t++)
            {
                float value = span[(t * batch + b) * features + f];
                if (value > best) (best, where) = (value, t);
            }
            Assert.Equal(best, maximum.HostSpan[b * features + f]);
            Assert.Equal(where, positions[b * features + f]);
        }
    }
}
