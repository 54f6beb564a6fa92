using LstmText.Compute;
using LstmText.Layers;
using LstmText.Optimizers;
using LstmText.Tensors;

namespace LstmText.Tests.Layers;

/// <summary>A training step in steady state allocates nothing on the managed heap.</summary>
public sealed class SteadyStateAllocationTests
{
    [Fact]
    public void Training_step_allocates_nothing_after_warm_up()
    {
        var backend = new CpuBackend(threads: 2);
        var random = new RandomSource(1);
        const int vocabulary = 20, steps = 12, batch = 4;
        var embedding = new Embedding(vocabulary, 8, random, paddingIndex: 0, backend: backend);
        var lstm = new Lstm(8, 16, random, layers: 2, dropout: 0.2f, backend: backend);
        var decoder = new Linear(16, vocabulary, random, backend: backend);
        var loss = new CrossEntropyLoss(backend: backend);
        Parameter[] parameters = [.. embedding.Parameters, .. lstm.Parameters, .. decoder.Parameters];
        var optimizer = new Adam(parameters, new AdamSettings(1e-3f), backend);
        var ids = new int[steps * batch];
        var targets = new int[steps * batch];
        for (int i = 0; i < ids.Length; i++) (ids[i], targets[i]) = (random.NextInt(vocabulary), random.NextInt(vocabulary));
        var lengths = new int[] { 12, 7, 12, 3 };
        var state = LstmState.Zeros(2, batch, 16);

        void TrainingStep()
        {
            optimizer.ZeroGradients();
            var hidden = lstm.Forward(embedding.Forward(ids, steps, batch), state, lengths, random);
            loss.Forward(decoder.Forward(hidden), targets);
            embedding.Backward(lstm.Backward(decoder.Backward(loss.Backward())));
            GradientClipping.ClipByGlobalNorm(parameters, 1f, backend);
            optimizer.Step();
        }

        for (int i = 0; i < 3; i++) TrainingStep();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5; i++) TrainingStep();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }
}
