using LstmText.Tensors;

namespace LstmText.Tests.Layers;

/// <summary>
/// Central finite differences, the independent check of every analytic gradient: nudge one value by ±ε,
/// re-run the forward pass, and compare (L₊ − L₋)/2ε with the gradient that backward computed.
/// </summary>
internal static class FiniteDifferences
{
    private const float Epsilon = 1e-2f;

    /// <summary>Checks up to <paramref name="samples"/> random elements of each (value, gradient) pair.</summary>
    public static void AssertGradients(Func<double> loss, IEnumerable<(string Name, Tensor Value, Tensor Gradient)> checks,
        int samples = 12, float relative = 2e-2f, float absolute = 2e-3f)
    {
        var random = new RandomSource(2024);
        foreach (var (name, value, gradient) in checks)
        {
            var values = value.HostSpan;
            int count = Math.Min(samples, values.Length);
            for (int s = 0; s < count; s++)
            {
                int i = values.Length <= samples ? s : random.NextInt(values.Length);
                float original = value[i];
                value[i] = original + Epsilon;
                double plus = loss();
                value[i] = original - Epsilon;
                double minus = loss();
                value[i] = original;
                double numeric = (plus - minus) / (2 * Epsilon);
                double analytic = gradient[i];
                double allowed = absolute + relative * Math.Abs(numeric);
                Assert.True(Math.Abs(numeric - analytic) <= allowed,
                    $"{name}[{i}]: finite difference {numeric:G6}, backward {analytic:G6}.");
            }
        }
    }

    /// <summary>Σ output ⊙ weights in double precision: a loss whose gradient is exactly the weights.</summary>
    public static double WeightedSum(Tensor output, Tensor weights)
    {
        double sum = 0;
        var o = output.HostSpan;
        var w = weights.HostSpan;
        for (int i = 0; i < o.Length; i++) sum += (double)o[i] * w[i];
        return sum;
    }

    public static Tensor RandomTensor(RandomSource random, params int[] dimensions)
    {
        var t = Tensor.Zeros(dimensions);
        random.FillNormal(t, 0f, 1f);
        return t;
    }
}
