using LstmText.Compute;
using LstmText.Layers;
using LstmText.Tensors;
using LstmText.Tests.Parity;

namespace LstmText.Tests.Layers;

/// <summary>A bidirectional LSTM runs its two directions concurrently; the numbers must be those of one thread.</summary>
public sealed class LstmConcurrentDirectionsTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(4, 2)]
    [InlineData(32, 2)]
    public void Two_threads_give_the_outputs_final_states_and_gradients_of_one_thread(int batch, int layers)
    {
        const int steps = 9, inputSize = 7, hidden = 16;
        var input = Tensor.Zeros(steps, batch, inputSize);
        new RandomSource(5).FillUniform(input, -1f, 1f);
        var lengths = Enumerable.Range(0, batch).Select(b => 1 + (b * 5 + 3) % steps).ToArray();
        var initial = LstmState.Zeros(layers * 2, batch, hidden);
        new RandomSource(6).FillUniform(initial.Hidden, -0.5f, 0.5f);
        new RandomSource(7).FillUniform(initial.Cell, -0.5f, 0.5f);
        var outputGradient = Tensor.Zeros(steps, batch, 2 * hidden);
        new RandomSource(8).FillUniform(outputGradient, -1f, 1f);

        (float[] Output, float[] Hidden, float[] Cell, float[] InputGradient, float[][] Gradients) Run(int threads)
        {
            var lstm = new Lstm(inputSize, hidden, new RandomSource(3), layers, bidirectional: true, backend: new CpuBackend(threads));
            float[] output = [];
            for (int repeat = 0; repeat < 3; repeat++) output = lstm.Forward(input, initial, lengths).ToArray();
            var inputGradient = lstm.Backward(outputGradient).ToArray();
            return (output, lstm.FinalState.Hidden.ToArray(), lstm.FinalState.Cell.ToArray(), inputGradient,
                lstm.Parameters.Select(p => p.Gradient.ToArray()).ToArray());
        }

        var one = Run(1);
        var two = Run(2);
        Closeness.AssertClose(one.Output, two.Output, "output", 0f, 1e-6f);
        Closeness.AssertClose(one.Hidden, two.Hidden, "final h", 0f, 1e-6f);
        Closeness.AssertClose(one.Cell, two.Cell, "final c", 0f, 1e-6f);
        Closeness.AssertClose(one.InputGradient, two.InputGradient, "input gradient", 0f, 1e-6f);
        for (int p = 0; p < one.Gradients.Length; p++)
            Closeness.AssertClose(one.Gradients[p], two.Gradients[p], $"gradient {p}", 0f, 1e-5f);
    }

    [Fact]
    public void Replicas_on_many_threads_each_get_their_own_sequence()
    {
        const int steps = 12, inputSize = 6, hidden = 8;
        var backend = new CpuBackend(2);
        var lstm = new Lstm(inputSize, hidden, new RandomSource(2), layers: 2, bidirectional: true, backend: backend);
        var inputs = Enumerable.Range(0, 16).Select(i =>
        {
            var x = Tensor.Zeros(steps, 3, inputSize);
            new RandomSource((ulong)(100 + i)).FillUniform(x, -1f, 1f);
            return x;
        }).ToArray();
        var expected = inputs.Select(x => lstm.Forward(x).ToArray()).ToArray();
        var actual = new float[inputs.Length][];
        Parallel.For(0, inputs.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            var replica = lstm.WithOwnBuffers();
            actual[i] = replica.Forward(inputs[i]).ToArray();
        });
        for (int i = 0; i < inputs.Length; i++) Closeness.AssertClose(expected[i], actual[i], $"sequence {i}", 0f, 1e-6f);
    }
}
