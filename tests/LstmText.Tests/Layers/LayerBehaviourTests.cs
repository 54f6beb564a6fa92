using LstmText.Layers;
using LstmText.Tensors;

namespace LstmText.Tests.Layers;

public sealed class LayerBehaviourTests
{
    [Fact]
    public void Padding_changes_neither_valid_outputs_nor_final_states_nor_gradients()
    {
        // Row 1 alone (length 3) must give the same results as inside a padded batch of length 6.
        var random = new RandomSource(11);
        var lstm = new Lstm(3, 4, random, layers: 2, bidirectional: true);
        var batchInput = FiniteDifferences.RandomTensor(random, 6, 2, 3);
        var alone = Tensor.Zeros(3, 1, 3);
        for (int t = 0; t < 3; t++)
            for (int j = 0; j < 3; j++) alone[t * 3 + j] = batchInput[(t * 2 + 1) * 3 + j];

        var padded = lstm.Forward(batchInput, lengths: new[] { 6, 3 }).Clone();
        var paddedFinal = lstm.FinalState.Copy();
        var outputGradient = FiniteDifferences.RandomTensor(random, 6, 2, 8);
        for (int t = 3; t < 6; t++)
            for (int j = 0; j < 8; j++) outputGradient[(t * 2 + 1) * 8 + j] = 1000f; // must be ignored: padding
        var paddedInputGradient = lstm.Backward(outputGradient).Clone();
        var paddedWeightGradient = lstm.Parameters[0].Gradient.Clone();

        var singleLstm = new Lstm(3, 4, new RandomSource(0), layers: 2, bidirectional: true);
        for (int i = 0; i < lstm.Parameters.Count; i++) singleLstm.Parameters[i].Load(lstm.Parameters[i].Value);
        var single = singleLstm.Forward(alone);
        var singleGradient = Tensor.Zeros(3, 1, 8);
        for (int t = 0; t < 3; t++)
            for (int j = 0; j < 8; j++) singleGradient[t * 8 + j] = outputGradient[(t * 2 + 1) * 8 + j];

        for (int t = 0; t < 6; t++)
            for (int j = 0; j < 8; j++)
            {
                float expected = t < 3 ? single[t * 8 + j] : 0f;
                Assert.Equal(expected, padded[(t * 2 + 1) * 8 + j], 5);
            }
        for (int k = 0; k < 4; k++)
            for (int j = 0; j < 4; j++)
            {
                Assert.Equal(singleLstm.FinalState.Hidden[k * 4 + j], paddedFinal.Hidden[(k * 2 + 1) * 4 + j], 5);
                Assert.Equal(singleLstm.FinalState.Cell[k * 4 + j], paddedFinal.Cell[(k * 2 + 1) * 4 + j], 5);
            }

        // Gradients: remove row 0's contribution by running the batch with row 1 only having non-zero gradient.
        var onlyRowOne = outputGradient.Clone();
        for (int t = 0; t < 6; t++)
            for (int j = 0; j < 8; j++) onlyRowOne[(t * 2) * 8 + j] = 0f;
        foreach (var p in lstm.Parameters) p.ZeroGradient();
        lstm.Forward(batchInput, lengths: new[] { 6, 3 });
        lstm.Backward(onlyRowOne);
        singleLstm.Backward(singleGradient);
        for (int i = 0; i < lstm.Parameters.Count; i++)
        {
            var a = lstm.Parameters[i].Gradient.HostSpan;
            var b = singleLstm.Parameters[i].Gradient.HostSpan;
            for (int k = 0; k < a.Length; k++) Assert.Equal(b[k], a[k], 4);
        }
        Assert.NotEqual(0f, paddedInputGradient[1 * 3]);
        Assert.NotEqual(0f, paddedWeightGradient[0]);
    }

    [Fact]
    public void Dropout_keeps_expected_value_and_is_identity_in_evaluation()
    {
        var dropout = new Dropout(0.3f);
        var input = Tensor.Filled(1f, 100_000);
        Assert.Same(input, dropout.Forward(input, random: null));
        var output = dropout.Forward(input, new RandomSource(9));
        double mean = output.ToArray().Average();
        double zeros = output.ToArray().Count(v => v == 0f) / (double)output.Length;
        Assert.InRange(mean, 0.99, 1.01);
        Assert.InRange(zeros, 0.29, 0.31);
    }

    [Fact]
    public void Same_seed_gives_same_initialisation_and_another_seed_does_not()
    {
        var a = new Lstm(4, 5, new RandomSource(42), layers: 2);
        var b = new Lstm(4, 5, new RandomSource(42), layers: 2);
        var c = new Lstm(4, 5, new RandomSource(43), layers: 2);
        Assert.Equal(a.Parameters[1].Value.ToArray(), b.Parameters[1].Value.ToArray());
        Assert.NotEqual(a.Parameters[1].Value.ToArray(), c.Parameters[1].Value.ToArray());
        float bound = 1f / MathF.Sqrt(5);
        Assert.All(a.Parameters.SelectMany(p => p.Value.ToArray()), v => Assert.InRange(v, -bound, bound));
    }

    [Fact]
    public void Random_state_round_trips()
    {
        var random = new RandomSource(5);
        random.NextUInt64();
        var copy = RandomSource.FromState(random.State);
        Assert.Equal(random.NextUInt64(), copy.NextUInt64());
        Assert.Equal(random.NextNormal(), copy.NextNormal());
    }

    [Fact]
    public void Wrong_shapes_are_reported_with_the_shapes()
    {
        var lstm = new Lstm(3, 4, new RandomSource(1));
        var error = Assert.Throws<ArgumentException>(() => lstm.Forward(Tensor.Zeros(2, 5, 7)));
        Assert.Contains("[T, B, 3]", error.Message);
        Assert.Contains("[2, 5, 7]", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => lstm.Forward(Tensor.Zeros(2, 2, 3), lengths: new[] { 1, 3 }));
    }
}
