using LstmText.Tensors;

namespace LstmText.Layers;

/// <summary>A pooling's output [B, O] and sequence gradient [T, B, F], reallocated only when the shape changes.</summary>
internal sealed class PooledBuffers
{
    private Tensor? _output;
    private Tensor? _sequenceGradient;

    public Tensor Output(int batch, int outputSize)
    {
        if (_output is null || !_output.HasShape(batch, outputSize)) _output = Tensor.Zeros(batch, outputSize);
        return _output;
    }

    public Tensor SequenceGradient(int steps, int batch, int features)
    {
        if (_sequenceGradient is null || !_sequenceGradient.HasShape(steps, batch, features))
            _sequenceGradient = Tensor.Zeros(steps, batch, features);
        return _sequenceGradient;
    }
}
