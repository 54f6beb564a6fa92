using LstmText.Compute;
using LstmText.Tensors;

namespace LstmText.Tests.Optimizers;

/// <summary>The CPU backend's Adam kernel, vectorised, against Adam's formula written out element by element in float.</summary>
public sealed class AdamKernelTests
{
    [Theory]
    [InlineData(false, 0f)]
    [InlineData(false, 0.01f)]
    [InlineData(true, 0.01f)]
    public void The_vectorised_step_gives_the_same_bits_as_the_formula_element_by_element(bool decoupled, float weightDecay)
    {
        // 37 elements: two whole vectors of 16 and a tail of 5.
        const int length = 37;
        var random = new RandomSource(3);
        Tensor Uniform(float low, float high)
        {
            var t = Tensor.Zeros(length);
            random.FillUniform(t, low, high);
            return t;
        }
        var parameter = Uniform(-1f, 1f);
        var gradient = Uniform(-0.5f, 0.5f);
        var firstMoment = Uniform(-0.1f, 0.1f);
        var secondMoment = Uniform(0f, 0.01f);
        var settings = new AdamSettings(2e-3f, 0.9f, 0.999f, 1e-8f, weightDecay, decoupled);
        const int step = 7;
        float[] p = parameter.ToArray(), g = gradient.ToArray(), m = firstMoment.ToArray(), v = secondMoment.ToArray();

        new CpuBackend(1).AdamStep(parameter, gradient, firstMoment, secondMoment, settings, step);

        // PyTorch's Adam/AdamW update, in float, with the bias corrections in double (as PyTorch computes them in Python).
        float stepSize = (float)(settings.LearningRate / (1 - Math.Pow(settings.Beta1, step)));
        float correction2Sqrt = (float)Math.Sqrt(1 - Math.Pow(settings.Beta2, step));
        float decay = decoupled ? 1f - settings.LearningRate * weightDecay : 1f, l2 = decoupled ? 0f : weightDecay;
        for (int k = 0; k < length; k++)
        {
            float pk = p[k] * decay;
            float gk = g[k] + l2 * pk;
            float mk = m[k] * settings.Beta1 + (1f - settings.Beta1) * gk;
            float vk = v[k] * settings.Beta2 + (1f - settings.Beta2) * gk * gk;
            float expected = pk - stepSize * (mk / (MathF.Sqrt(vk) / correction2Sqrt + settings.Epsilon));
            Assert.Equal(mk, firstMoment.HostSpan[k]);
            Assert.Equal(vk, secondMoment.HostSpan[k]);
            Assert.Equal(expected, parameter.HostSpan[k]);
        }
    }

    [Fact]
    public void Moments_of_another_length_are_refused()
    {
        var settings = new AdamSettings(1e-3f);
        Assert.Throws<ArgumentException>(() =>
            new CpuBackend(1).AdamStep(Tensor.Zeros(32), Tensor.Zeros(32), Tensor.Zeros(16), Tensor.Zeros(32), settings, 1));
    }
}
