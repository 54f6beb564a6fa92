using LstmText.Layers;
using LstmText.Models;
using LstmText.Tensors;

namespace LstmText.Tests.Models;

/// <summary>
/// A language model's batch-1 inference steps read the first layer's input projection from token rows computed once per
/// token id (<c>LanguageModelNetwork.TokenRowFor</c>): the same bits as a step from the embedding, and never rows of
/// older weights.
/// </summary>
public sealed class LanguageModelTokenRowsTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Steps_from_token_rows_give_the_same_logits_as_steps_from_the_embedding_and_follow_weight_changes(bool quantized)
    {
        var network = new LanguageModelNetwork(new LanguageModelArchitecture(11, 40, 16, 2), new RandomSource(3));
        if (quantized)
        {
            network.Lstm.QuantizeWeights();
            network.Decoder.QuantizeWeights();
        }
        var withRows = network.WithOwnBuffers();
        var reference = network.WithOwnBuffers();
        reference.TokenRowsMemoryLimit = 0;
        var rowState = LstmState.Zeros(2, 1, 16);
        var referenceState = LstmState.Zeros(2, 1, 16);
        int[] tokens = [3, 5, 3, 0, 10, 5, 3];

        void StepBoth(int token)
        {
            var rowLogits = withRows.Forward([token], 1, 1, rowState, null).ToArray();
            withRows.Lstm.FinalState.Hidden.CopyTo(rowState.Hidden);
            withRows.Lstm.FinalState.Cell.CopyTo(rowState.Cell);
            var referenceLogits = reference.Forward([token], 1, 1, referenceState, null).ToArray();
            reference.Lstm.FinalState.Hidden.CopyTo(referenceState.Hidden);
            reference.Lstm.FinalState.Cell.CopyTo(referenceState.Cell);
            Assert.Equal(referenceLogits, rowLogits);
        }

        foreach (int token in tokens) StepBoth(token);

        // New embedding values (as fine-tuning writes them): the rows of tokens 3 and 5, computed above, are stale now.
        var embedding = network.Embedding.Weight.Value.Clone();
        new RandomSource(9).FillUniform(embedding, -0.5f, 0.5f);
        network.Embedding.Weight.Load(embedding);
        foreach (int token in tokens) StepBoth(token);
    }

    [Fact]
    public void A_table_over_the_memory_limit_is_not_kept()
    {
        var network = new LanguageModelNetwork(new LanguageModelArchitecture(50, 4, 8, 1), new RandomSource(1)).WithOwnBuffers();
        network.TokenRowsMemoryLimit = 50 * 4 * 8 * sizeof(float) - 1; // one float short of the [1, 50, 32] table
        var reference = network.WithOwnBuffers();
        reference.TokenRowsMemoryLimit = 0;
        var state = LstmState.Zeros(1, 1, 8);
        Assert.Equal(reference.Forward([7], 1, 1, state, null).ToArray(), network.Forward([7], 1, 1, state, null).ToArray());
        Assert.Null(network.TokenRows);
        network.TokenRowsMemoryLimit = 50 * 4 * 8 * sizeof(float);
        network.Forward([7], 1, 1, state, null);
        Assert.NotNull(network.TokenRows);
    }
}
