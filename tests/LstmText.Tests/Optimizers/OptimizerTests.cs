using LstmText.Compute;
using LstmText.Layers;
using LstmText.Optimizers;
using LstmText.Tensors;

namespace LstmText.Tests.Optimizers;

public sealed class OptimizerTests
{
    [Fact]
    public void Frozen_parameters_are_left_unchanged()
    {
        var trainable = new Parameter("a", Tensor.Filled(1f, 3));
        var frozen = new Parameter("b", Tensor.Filled(1f, 3)) { IsTrainable = false };
        trainable.Gradient.HostSpan.Fill(1f);
        frozen.Gradient.HostSpan.Fill(1f);
        new Adam([trainable, frozen], new AdamSettings(0.1f)).Step();
        Assert.All(frozen.Value.ToArray(), v => Assert.Equal(1f, v));
        Assert.All(trainable.Value.ToArray(), v => Assert.Equal(0.9f, v, 5));
    }

    [Fact]
    public void A_step_load_or_mark_bumps_the_version_and_a_frozen_parameter_keeps_its_own()
    {
        var trainable = new Parameter("a", Tensor.Filled(1f, 3));
        var frozen = new Parameter("b", Tensor.Filled(1f, 3)) { IsTrainable = false };
        var optimizer = new Sgd([trainable, frozen], new SgdSettings(0.1f));
        optimizer.Step();
        optimizer.Step();
        Assert.Equal(2, trainable.Version);
        Assert.Equal(0, frozen.Version);
        frozen.Load(Tensor.Zeros(3));
        Assert.Equal(1, frozen.Version);
        frozen.MarkChanged();
        Assert.Equal(2, frozen.Version);
        Assert.Throws<ArgumentException>(() => frozen.Load(Tensor.Zeros(4)));
        Assert.Equal(2, frozen.Version);
    }

    [Fact]
    public void Plain_sgd_subtracts_the_scaled_gradient()
    {
        var p = new Parameter("w", Tensor.FromValues([1f, -2f], 2));
        p.Gradient.HostSpan.Fill(0.5f);
        new Sgd([p], new SgdSettings(0.2f)).Step();
        Assert.Equal([0.9f, -2.1f], p.Value.ToArray());
    }

    [Fact]
    public void Clipping_scales_to_the_maximum_norm_and_leaves_small_gradients_alone()
    {
        var p = new Parameter("w", Tensor.Zeros(2));
        p.Gradient.HostSpan[0] = 3f;
        p.Gradient.HostSpan[1] = 4f;
        float norm = GradientClipping.ClipByGlobalNorm([p], 1f);
        Assert.Equal(5f, norm, 5);
        Assert.Equal(0.6f, p.Gradient[0], 5);
        Assert.Equal(0.8f, p.Gradient[1], 5);
        float second = GradientClipping.ClipByGlobalNorm([p], 10f);
        Assert.Equal(1f, second, 4);
        Assert.Equal(0.6f, p.Gradient[0], 5);
    }

    [Fact]
    public void Nesterov_without_momentum_is_rejected()
    {
        var p = new Parameter("w", Tensor.Zeros(1));
        Assert.Throws<ArgumentException>(() => new Sgd([p], new SgdSettings(0.1f, Nesterov: true)));
    }

    [Fact]
    public void Schedules_follow_their_formulas()
    {
        Assert.Equal(0.5f, LearningRateSchedule.Constant(0.5f).At(1000));
        var step = LearningRateSchedule.Step(1f, stepSize: 10, gamma: 0.5f);
        Assert.Equal(1f, step.At(9));
        Assert.Equal(0.5f, step.At(10));
        Assert.Equal(0.25f, step.At(25));
        var cosine = LearningRateSchedule.Cosine(1f, totalSteps: 100, minimum: 0.1f);
        Assert.Equal(1f, cosine.At(0), 6);
        Assert.Equal(0.55f, cosine.At(50), 6);
        Assert.Equal(0.1f, cosine.At(100), 6);
        Assert.Equal(0.1f, cosine.At(500), 6);
        var warm = LearningRateSchedule.Constant(1f).WithLinearWarmup(4);
        Assert.Equal([0.25f, 0.5f, 0.75f, 1f, 1f], Enumerable.Range(0, 5).Select(warm.At));
    }
}
