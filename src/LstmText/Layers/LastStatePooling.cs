using LstmText.Compute;
using LstmText.Tensors;

namespace LstmText.Layers;

/// <summary>
/// The LSTM's final hidden state read from its outputs: the forward direction's output at each row's last valid step
/// and, when bidirectional, the reverse direction's output at step 0 (where the reverse pass ends), as PyTorch's h_n of
/// a packed sequence.
/// </summary>
/// <remarks>Reading the outputs, not the final state, lets the gradient flow back through the output gradient alone.
/// Memory: the output (B·D·H) and the sequence gradient (T·B·D·H).</remarks>
public sealed class LastStatePooling : IPoolingLayer
{
    private readonly IBackend _backend;
    private readonly PoolingLengths _lengths = new();
    private readonly PooledBuffers _buffers;
    private bool _ran;

    /// <summary>Creates the pooling for an LSTM of <paramref name="hiddenSize"/> per direction and 1 or 2 directions.</summary>
    public LastStatePooling(int hiddenSize, int directions, IBackend? backend = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenSize);
        if (directions is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(directions), directions, "An LSTM has 1 or 2 directions.");
        HiddenSize = hiddenSize;
        Directions = directions;
        _backend = backend ?? CpuBackend.Default;
        _buffers = new(_backend);
    }

    /// <summary>Hidden size H per direction.</summary>
    public int HiddenSize { get; }

    /// <summary>1, or 2 when the LSTM is bidirectional.</summary>
    public int Directions { get; }

    /// <inheritdoc/>
    public SequencePooling Kind => SequencePooling.LastState;

    /// <inheritdoc/>
    public int InputSize => HiddenSize * Directions;

    /// <inheritdoc/>
    public int OutputSize => InputSize;

    /// <inheritdoc/>
    public IReadOnlyList<Parameter> Parameters => [];

    /// <inheritdoc/>
    public Tensor Forward(Tensor sequence, ReadOnlySpan<int> lengths)
    {
        _lengths.Set(sequence, InputSize, lengths);
        int batch = _lengths.Batch;
        var output = _buffers.Output(batch, OutputSize);
        for (int b = 0; b < batch; b++)
        {
            for (int d = 0; d < Directions; d++)
                _backend.Copy(sequence.Slice(SourceOffset(b, d, lengths[b]), HiddenSize), output.Slice(b * InputSize + d * HiddenSize, HiddenSize));
        }
        _ran = true;
        return output;
    }

    /// <inheritdoc/>
    public Tensor Backward(Tensor outputGradient)
    {
        if (!_ran) throw new InvalidOperationException("Backward was called before Forward.");
        int steps = _lengths.Steps, batch = _lengths.Batch;
        var gradient = _buffers.SequenceGradient(steps, batch, InputSize);
        _backend.Fill(gradient, 0f);
        var lengths = _lengths.Span;
        for (int b = 0; b < batch; b++)
        {
            for (int d = 0; d < Directions; d++)
                _backend.Copy(outputGradient.Slice(b * InputSize + d * HiddenSize, HiddenSize), gradient.Slice(SourceOffset(b, d, lengths[b]), HiddenSize));
        }
        return gradient;
    }

    /// <inheritdoc/>
    public IPoolingLayer WithOwnBuffers() => new LastStatePooling(HiddenSize, Directions, _backend);

    /// <summary>Where direction d's final state sits in row b: step L−1 going forward, step 0 going backward.</summary>
    private int SourceOffset(int row, int direction, int length)
    {
        int step = direction == 0 ? length - 1 : 0;
        return (step * _lengths.Batch + row) * InputSize + direction * HiddenSize;
    }
}
