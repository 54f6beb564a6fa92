using LstmText.Compute;
using LstmText.Data;
using LstmText.Layers;
using LstmText.Models;
using LstmText.Optimizers;
using LstmText.Tensors;
using LstmText.Training;

namespace LstmText.Tests.Layers;

/// <summary>
/// The trainer's own step (<see cref="TrainingStep{TBatch}"/>, with each kind's batch source filling its batch) allocates
/// nothing on the managed heap in steady state, for a language model and for a classifier.
/// </summary>
public sealed class SteadyStateAllocationTests
{
    [Fact]
    public void Language_model_training_step_allocates_nothing_after_warm_up()
    {
        var backend = new CpuBackend(threads: 2);
        var random = new RandomSource(1);
        const int vocabulary = 20, window = 12, batch = 4;
        // Tied weights exercise the hooks around the optimizer step; dropout the random source.
        var network = new LanguageModelNetwork(new LanguageModelArchitecture(vocabulary, 16, 16, 2, Dropout: 0.2, TieWeights: true), random, backend);
        var train = new int[batch * (8 * window + 1)];
        for (int i = 0; i < train.Length; i++) train[i] = random.NextInt(vocabulary);
        var batches = new LanguageModelBatches(network, train, batch, window);
        var optimizer = new Adam(network.OptimizedParameters.Select(p => p.Parameter), new AdamSettings(1e-3f), backend);
        var step = new TrainingStep<LanguageModelBatch>(network, new CrossEntropyObjective<LanguageModelBatch>(new CrossEntropyLoss(backend: backend)),
            optimizer, clipNorm: 1f);
        int position = 0;

        void TrainingStep()
        {
            var (next, positions, _) = batches.Next(0, position);
            Assert.True(float.IsFinite(step.Run(next, random)));
            batches.AfterStep();
            position += positions;
        }

        for (int i = 0; i < 3; i++) TrainingStep();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 4; i++) TrainingStep();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(batches.HasState);
    }

    [Theory]
    [InlineData(SequencePooling.Attention)]
    [InlineData(SequencePooling.Concat)]
    public void Classifier_training_step_allocates_nothing_after_warm_up(SequencePooling pooling)
    {
        var backend = new CpuBackend(threads: 2);
        var random = new RandomSource(2);
        const int vocabulary = 30, batchSize = 4;
        // Texts of many lengths (1 to 9 tokens), so batches of several shapes follow each other, and the last batch is
        // short (18 = 4 × 4 + 2): the layers' grow-only buffers take every shape without allocating once warm.
        var ids = Enumerable.Range(0, 18).Select(i => Enumerable.Range(0, 1 + i * 5 % 9).Select(_ => 2 + random.NextInt(vocabulary - 2)).ToArray()).ToArray();
        var labels = Enumerable.Range(0, ids.Length).Select(i => i % 3).ToArray();
        var architecture = new TextClassifierArchitecture
        {
            EmbeddingSize = 8, HiddenSize = 8, Bidirectional = true, Pooling = pooling, PoolingDropout = 0.1, HeadHiddenSize = 6,
        };
        var network = new ClassifierNetwork(architecture, vocabulary, 3, 0, random, backend);
        var batches = new ClassifierBatches(ids, labels, batchSize, seed: 5, unknownDropout: 0.2, unknownId: 1, paddingId: 0);
        var optimizer = new Adam(network.NamedParameters.Select(p => p.Parameter), new AdamSettings(1e-3f), backend);
        var loss = new CrossEntropyObjective<ClassifierBatch>(new CrossEntropyLoss([1f, 2f, 0.5f], backend: backend));
        var step = new TrainingStep<ClassifierBatch>(network, loss, optimizer, clipNorm: 1f);
        // The encoder frozen for the first epoch, as the trainer freezes it.
        var freezing = new ParameterFreezing().Freeze(network.EncoderParameters, untilEpoch: 1);

        void Epoch(int epoch)
        {
            if (freezing.Apply(epoch)) step.RefreshTrainable();
            for (int position = 0; position < batches.EpochLength; position++)
            {
                var (next, _, _) = batches.Next(epoch, position);
                Assert.True(float.IsFinite(step.Run(next, random)));
            }
        }

        Epoch(0);
        Assert.False(network.Embedding.Weight.IsTrainable);
        Epoch(1);
        Assert.True(network.Embedding.Weight.IsTrainable);
        // Steady state: epoch 1's batches again (the batch order is computed once an epoch).
        long before = GC.GetAllocatedBytesForCurrentThread();
        Epoch(1);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Classifier_batches_of_texts_of_many_lengths_are_filled_without_allocating()
    {
        var random = new RandomSource(3);
        var ids = Enumerable.Range(0, 14).Select(i => Enumerable.Range(0, 1 + i % 7).Select(_ => 2 + random.NextInt(20)).ToArray()).ToArray();
        var labels = Enumerable.Range(0, ids.Length).Select(i => i % 2).ToArray();
        var batches = new ClassifierBatches(ids, labels, 4, seed: 9, unknownDropout: 0.3, unknownId: 1, paddingId: 0);
        long tokens = 0;
        for (int position = 0; position < batches.EpochLength; position++) tokens += batches.Next(0, position).Tokens;
        Assert.Equal(ids.Sum(row => row.Length), tokens);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int position = 0; position < batches.EpochLength; position++) batches.Next(0, position);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }
}
