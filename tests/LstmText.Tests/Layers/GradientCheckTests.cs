using LstmText.Layers;
using LstmText.Tensors;
using static LstmText.Tests.Layers.FiniteDifferences;

namespace LstmText.Tests.Layers;

/// <summary>Every layer's backward pass against finite differences of its forward pass.</summary>
public sealed class GradientCheckTests
{
    [Fact]
    public void Linear_gradients_match_finite_differences()
    {
        var random = new RandomSource(1);
        var linear = new Linear(5, 4, random);
        var input = RandomTensor(random, 3, 5);
        var weights = RandomTensor(random, 3, 4);
        var inputGradient = linear.Backward(ForwardOnce()).Clone();
        AssertGradients(() => WeightedSum(linear.Forward(input), weights),
            [("input", input, inputGradient), ("weight", linear.Weight.Value, linear.Weight.Gradient), ("bias", linear.Bias!.Value, linear.Bias.Gradient)]);

        Tensor ForwardOnce()
        {
            linear.Forward(input);
            return weights;
        }
    }

    [Fact]
    public void Embedding_gradient_matches_finite_differences_and_skips_padding()
    {
        var random = new RandomSource(2);
        var embedding = new Embedding(6, 3, random, paddingIndex: 2);
        int[] ids = [1, 2, 5, 1, 0];
        var weights = RandomTensor(random, 5, 3);
        embedding.Forward(ids);
        embedding.Backward(weights);
        var expected = embedding.Weight.Gradient.Clone();
        // The padding row is excluded: PyTorch gives it no gradient even though it is used.
        Assert.All(expected.HostSpan.Slice(2 * 3, 3).ToArray(), g => Assert.Equal(0f, g));
        var gradientWithoutPadding = expected;
        AssertGradients(() => WeightedSum(embedding.Forward(ids), weights) - PaddingContribution(),
            [("weight", embedding.Weight.Value, gradientWithoutPadding)], samples: 18);

        double PaddingContribution()
        {
            double sum = 0;
            for (int r = 0; r < ids.Length; r++)
                if (ids[r] == 2)
                    for (int j = 0; j < 3; j++) sum += (double)embedding.Weight.Value[2, j] * weights[r, j];
            return sum;
        }
    }

    [Theory]
    [InlineData(1, false, false)]
    [InlineData(2, true, false)]
    [InlineData(2, true, true)]
    [InlineData(3, false, true)]
    public void Lstm_gradients_match_finite_differences(int layers, bool bidirectional, bool padded)
    {
        var random = new RandomSource(3);
        int steps = 5, batch = 3, inputSize = 4, hidden = 3, d = bidirectional ? 2 : 1;
        var lstm = new Lstm(inputSize, hidden, random, layers, bidirectional);
        var input = RandomTensor(random, steps, batch, inputSize);
        var initial = new LstmState(RandomTensor(random, layers * d, batch, hidden), RandomTensor(random, layers * d, batch, hidden));
        var outputWeights = RandomTensor(random, steps, batch, d * hidden);
        var hiddenWeights = RandomTensor(random, layers * d, batch, hidden);
        var cellWeights = RandomTensor(random, layers * d, batch, hidden);
        int[]? lengths = padded ? [5, 2, 4] : null;

        double Loss()
        {
            var output = lstm.Forward(input, initial, lengths);
            return WeightedSum(output, outputWeights) + WeightedSum(lstm.FinalState.Hidden, hiddenWeights)
                + WeightedSum(lstm.FinalState.Cell, cellWeights);
        }

        Loss();
        var inputGradient = lstm.Backward(outputWeights, new LstmState(hiddenWeights, cellWeights)).Clone();
        var initialGradient = lstm.InitialStateGradient.Copy();
        AssertGradients(Loss,
        [
            ("input", input, inputGradient),
            ("h0", initial.Hidden, initialGradient.Hidden),
            ("c0", initial.Cell, initialGradient.Cell),
            .. lstm.Parameters.Select(p => (p.Name, p.Value, p.Gradient)),
        ]);
    }

    [Fact]
    public void Cross_entropy_gradient_matches_finite_differences()
    {
        var random = new RandomSource(4);
        var logits = RandomTensor(random, 6, 7);
        int[] targets = [3, -100, 0, 6, 6, 2];
        var loss = new CrossEntropyLoss();
        loss.Forward(logits, targets);
        var gradient = loss.Backward().Clone();
        AssertGradients(() => loss.Forward(logits, targets), [("logits", logits, gradient)], samples: 42, relative: 2e-2f, absolute: 5e-4f);
    }

    [Fact]
    public void Dropout_gradient_uses_the_same_mask_as_the_forward_pass()
    {
        var random = new RandomSource(5);
        var dropout = new Dropout(0.4f);
        var input = RandomTensor(random, 4, 8);
        var weights = RandomTensor(random, 4, 8);
        double Loss() => WeightedSum(dropout.Forward(input, new RandomSource(77)), weights);
        Loss();
        var gradient = dropout.Backward(weights).Clone();
        AssertGradients(Loss, [("input", input, gradient)], samples: 32);
        Assert.Contains(gradient.ToArray(), g => g == 0f);
    }
}
