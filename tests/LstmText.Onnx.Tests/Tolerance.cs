namespace LstmText.Onnx.Tests;

/// <summary>The agreement asked of ONNX Runtime and the library: 1e-5, relative for values past 1 in size.</summary>
internal static class Tolerance
{
    public const float Limit = 1e-5f;

    /// <summary>Asserts every |actual − expected| ≤ 1e-5·max(1, |expected|) and returns the largest |actual − expected|.</summary>
    public static double AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: expected {expected.Length} values, got {actual.Length}.");
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs((double)actual[i] - expected[i]);
            Assert.True(error <= Limit * Math.Max(1, Math.Abs(expected[i])),
                $"{what}: index {i}: expected {expected[i]:R}, got {actual[i]:R} (off by {error:E2}).");
            worst = Math.Max(worst, error);
        }
        return worst;
    }
}
