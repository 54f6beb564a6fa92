using LstmText.Tensors;

namespace LstmText.Tests.Parity;

/// <summary>PyTorch parity: every number within 1e-5 relative, or 1e-6 absolute near zero.</summary>
internal static class Closeness
{
    public const float Relative = 1e-5f;
    public const float Absolute = 1e-6f;

    public static void AssertClose(Tensor expected, Tensor actual, string what, float relative = Relative, float absolute = Absolute)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: expected {expected.Length} values, got {actual.Length}.");
        AssertClose(expected.HostSpan, actual.HostSpan, what, relative, absolute);
    }

    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what,
        float relative = Relative, float absolute = Absolute)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: expected {expected.Length} values, got {actual.Length}.");
        int failures = 0;
        string first = "";
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            float e = expected[i], a = actual[i];
            float allowed = Math.Max(absolute, relative * Math.Abs(e));
            float error = Math.Abs(a - e);
            if (!(error <= allowed))
            {
                if (failures++ == 0) first = $"index {i}: expected {e:R}, got {a:R}";
                worst = Math.Max(worst, error / allowed);
            }
        }
        Assert.True(failures == 0, $"{what}: {failures} of {expected.Length} values differ ({first}; worst {worst:F1}× the tolerance).");
    }
}
