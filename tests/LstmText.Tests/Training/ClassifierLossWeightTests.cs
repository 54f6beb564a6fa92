using LstmText.Compute;
using LstmText.Layers;
using LstmText.Optimizers;
using LstmText.Tensors;

namespace LstmText.Tests.Training;

/// <summary>Class weights in the cross-entropy (PyTorch semantics) and per-parameter learning-rate factors, which the classifier trainer uses.</summary>
public sealed class ClassifierLossWeightTests
{
    [Fact]
    public void Weighted_cross_entropy_is_the_weighted_mean_and_its_gradient_matches_finite_differences()
    {
        float[] values = [1.0f, -0.5f, 0.3f, 0.2f, 0.9f, -1.1f, -0.4f, 0.0f, 0.7f, 0.5f, 0.5f, -0.2f];
        int[] targets = [0, 1, 2, -100];
        float[] weights = [2f, 0.5f, 1f];
        var logits = Tensor.FromValues(values, 4, 3);
        var loss = new CrossEntropyLoss(weights);
        float value = loss.Forward(logits, targets);

        double weighted = 0, weightSum = 0;
        for (int r = 0; r < 3; r++)
        {
            var row = values.AsSpan(r * 3, 3).ToArray();
            double logSum = Math.Log(row.Sum(v => Math.Exp(v)));
            weighted += weights[targets[r]] * (logSum - row[targets[r]]);
            weightSum += weights[targets[r]];
        }
        Assert.Equal(weighted / weightSum, value, 5);
        Assert.Equal(weightSum, loss.WeightSum, 6);
        Assert.Equal(3, loss.CountedTargets);

        var gradient = loss.Backward().ToArray();
        const float h = 1e-2f;
        for (int i = 0; i < values.Length; i++)
        {
            var plus = (float[])values.Clone();
            var minus = (float[])values.Clone();
            plus[i] += h;
            minus[i] -= h;
            double numeric = (new CrossEntropyLoss(weights).Forward(Tensor.FromValues(plus, 4, 3), targets)
                - new CrossEntropyLoss(weights).Forward(Tensor.FromValues(minus, 4, 3), targets)) / (2 * h);
            Assert.Equal(numeric, gradient[i], 3);
        }
        Assert.Equal([0f, 0f, 0f], gradient[9..]);
    }

    [Fact]
    public void Equal_weights_give_the_unweighted_loss_and_gradient()
    {
        var logits = Tensor.FromValues([0.1f, 0.7f, -0.3f, 1.2f, 0.4f, 0.0f], 3, 2);
        int[] targets = [1, 0, 1];
        var plain = new CrossEntropyLoss();
        var same = new CrossEntropyLoss([3f, 3f]);
        Assert.Equal(plain.Forward(logits, targets), same.Forward(logits, targets), 6);
        var a = plain.Backward().ToArray();
        var b = same.Backward().ToArray();
        for (int i = 0; i < a.Length; i++) Assert.Equal(a[i], b[i], 6);
        Assert.Throws<ArgumentException>(() => new CrossEntropyLoss([1f, -1f]));
        Assert.Throws<ArgumentException>(() => new CrossEntropyLoss([1f, 1f, 1f]).Forward(logits, targets));
    }

    [Fact]
    public void A_learning_rate_factor_scales_the_step_of_its_parameters_only()
    {
        var scaled = new Parameter("a", Tensor.FromValues([1f], 1));
        var full = new Parameter("b", Tensor.FromValues([1f], 1));
        scaled.Gradient.HostSpan[0] = 1f;
        full.Gradient.HostSpan[0] = 1f;
        var sgd = new Sgd([scaled, full], new SgdSettings(0.1f));
        sgd.ScaleLearningRate([scaled], 0.5f);
        sgd.Step();
        Assert.Equal(0.95f, scaled.Value[0], 6);
        Assert.Equal(0.9f, full.Value[0], 6);
        Assert.Throws<ArgumentException>(() => sgd.ScaleLearningRate([new Parameter("c", Tensor.Zeros(1))], 0.1f));
    }
}
