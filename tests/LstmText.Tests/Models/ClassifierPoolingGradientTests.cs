using LstmText.Layers;
using LstmText.Tensors;
using static LstmText.Tests.Layers.FiniteDifferences;

namespace LstmText.Tests.Models;

/// <summary>Every pooling's backward pass against finite differences, over a padded batch.</summary>
public sealed class ClassifierPoolingGradientTests
{
    private const int Steps = 4, Batch = 3, Hidden = 3, Directions = 2, Features = Hidden * Directions;
    private static readonly int[] Lengths = [4, 2, 1];

    public static TheoryData<SequencePooling> Poolings => new()
    {
        SequencePooling.LastState, SequencePooling.Mean, SequencePooling.Max, SequencePooling.Concat, SequencePooling.Attention,
    };

    internal static IPoolingLayer Create(SequencePooling kind, RandomSource random) => kind switch
    {
        SequencePooling.LastState => new LastStatePooling(Hidden, Directions),
        SequencePooling.Mean => new MeanPooling(Features),
        SequencePooling.Max => new MaxPooling(Features),
        SequencePooling.Concat => new ConcatPooling(Hidden, Directions),
        _ => new AttentionPooling(Features, random),
    };

    [Theory]
    [MemberData(nameof(Poolings))]
    public void Gradients_match_finite_differences_and_padding_gets_none(SequencePooling kind)
    {
        var random = new RandomSource(11);
        var pooling = Create(kind, random);
        var sequence = RandomTensor(random, Steps, Batch, Features);
        var weights = RandomTensor(random, Batch, pooling.OutputSize);
        pooling.Forward(sequence, Lengths);
        var sequenceGradient = pooling.Backward(weights).Clone();

        var checks = new List<(string, Tensor, Tensor)> { ("sequence", sequence, sequenceGradient) };
        checks.AddRange(pooling.Parameters.Select(p => (p.Name, p.Value, p.Gradient)));
        AssertGradients(() => WeightedSum(pooling.Forward(sequence, Lengths), weights), checks, samples: 80);

        for (int t = 0; t < Steps; t++)
            for (int b = 0; b < Batch; b++)
                if (t >= Lengths[b])
                    for (int f = 0; f < Features; f++)
                        Assert.Equal(0f, sequenceGradient[(t * Batch + b) * Features + f]);
    }

    [Theory]
    [MemberData(nameof(Poolings))]
    public void Padding_values_never_change_the_output(SequencePooling kind)
    {
        var random = new RandomSource(5);
        var pooling = Create(kind, random);
        var sequence = RandomTensor(random, Steps, Batch, Features);
        var before = pooling.Forward(sequence, Lengths).Clone();
        for (int t = 0; t < Steps; t++)
            for (int b = 0; b < Batch; b++)
                if (t >= Lengths[b])
                    for (int f = 0; f < Features; f++)
                        sequence[(t * Batch + b) * Features + f] = 1000f;
        Assert.Equal(before.ToArray(), pooling.Forward(sequence, Lengths).ToArray());
    }

    [Fact]
    public void Last_state_takes_the_forward_direction_at_the_last_valid_step_and_the_reverse_at_step_0()
    {
        var sequence = Tensor.Zeros(3, 2, 4);
        for (int i = 0; i < sequence.Length; i++) sequence[i] = i;
        var pooled = new LastStatePooling(2, 2).Forward(sequence, [3, 2]);
        // Row 0: forward half of step 2 (offset (2·2+0)·4 = 16), reverse half of step 0 (offset 2).
        // Row 1: forward half of step 1 (offset (1·2+1)·4 = 12), reverse half of step 0 (offset 4 + 2).
        Assert.Equal([16f, 17f, 2f, 3f, 12f, 13f, 6f, 7f], pooled.ToArray());
    }

    [Fact]
    public void A_length_of_zero_is_refused_with_the_row()
    {
        var pooling = new MeanPooling(2);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => pooling.Forward(Tensor.Zeros(2, 2, 2), [2, 0]));
        Assert.Contains("row 1", error.Message);
    }
}
