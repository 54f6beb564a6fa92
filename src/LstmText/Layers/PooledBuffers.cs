using LstmText.Compute;
using LstmText.Tensors;

namespace LstmText.Layers;

/// <summary>A pooling's output [B, O] and sequence gradient [T, B, F], whose storage is reused across shapes (zeroed when the shape changes).</summary>
internal sealed class PooledBuffers(IBackend backend)
{
    private readonly TensorBuffer _output = new(backend);
    private readonly TensorBuffer _sequenceGradient = new(backend);

    public Tensor Output(int batch, int outputSize) => _output.Reuse(batch, outputSize);

    public Tensor SequenceGradient(int steps, int batch, int features) => _sequenceGradient.Reuse(steps, batch, features);
}
