using LstmText.Compute;
using LstmText.Tensors;

namespace LstmText.Layers;

/// <summary>ULMFiT's concat pooling: [last state ‖ max ‖ mean] per row, 3·F features.</summary>
/// <remarks>Memory: its three poolings' buffers, the output (B·3F), one part gradient (B·F) and the summed sequence
/// gradient (T·B·F).</remarks>
public sealed class ConcatPooling : IPoolingLayer
{
    private readonly IBackend _backend;
    private readonly IPoolingLayer[] _parts;
    private readonly PooledBuffers _buffers;
    private Tensor? _partGradient;
    private TensorBuffer? _partGradientBuffer;
    private int _steps;
    private int _batch;

    /// <summary>Creates the pooling for an LSTM of <paramref name="hiddenSize"/> per direction and 1 or 2 directions.</summary>
    public ConcatPooling(int hiddenSize, int directions, IBackend? backend = null)
    {
        _backend = backend ?? CpuBackend.Default;
        _buffers = new(_backend);
        var last = new LastStatePooling(hiddenSize, directions, _backend);
        HiddenSize = hiddenSize;
        Directions = directions;
        InputSize = last.InputSize;
        _parts = [last, new MaxPooling(InputSize, _backend), new MeanPooling(InputSize, _backend)];
    }

    /// <summary>Hidden size H per direction.</summary>
    public int HiddenSize { get; }

    /// <summary>1, or 2 when the LSTM is bidirectional.</summary>
    public int Directions { get; }

    /// <inheritdoc/>
    public SequencePooling Kind => SequencePooling.Concat;

    /// <inheritdoc/>
    public int InputSize { get; }

    /// <inheritdoc/>
    public int OutputSize => 3 * InputSize;

    /// <inheritdoc/>
    public IReadOnlyList<Parameter> Parameters => [];

    /// <inheritdoc/>
    public Tensor Forward(Tensor sequence, ReadOnlySpan<int> lengths)
    {
        if (sequence.Shape.Rank != 3)
            throw new ArgumentException($"Pooling expects a sequence [T, B, {InputSize}], got {sequence.Shape}.", nameof(sequence));
        _steps = sequence.Shape[0];
        _batch = sequence.Shape[1];
        var output = _buffers.Output(_batch, OutputSize);
        for (int i = 0; i < _parts.Length; i++)
        {
            var part = _parts[i].Forward(sequence, lengths);
            _backend.CopyRows(part, InputSize, output.Slice(i * InputSize, output.Length - i * InputSize), OutputSize, _batch, InputSize);
        }
        return output;
    }

    /// <inheritdoc/>
    public Tensor Backward(Tensor outputGradient)
    {
        if (_batch == 0) throw new InvalidOperationException("Backward was called before Forward.");
        if (outputGradient.Length != _batch * OutputSize)
            throw new ArgumentException($"Expected a gradient of [{_batch}, {OutputSize}], got {outputGradient.Shape}.", nameof(outputGradient));
        _partGradient = (_partGradientBuffer ??= new TensorBuffer(_backend)).Reuse(_batch, InputSize);
        var gradient = _buffers.SequenceGradient(_steps, _batch, InputSize);
        for (int i = 0; i < _parts.Length; i++)
        {
            _backend.CopyRows(outputGradient.Slice(i * InputSize, outputGradient.Length - i * InputSize), OutputSize,
                _partGradient, InputSize, _batch, InputSize);
            var partSequenceGradient = _parts[i].Backward(_partGradient);
            if (i == 0) _backend.Copy(partSequenceGradient, gradient);
            else _backend.Add(gradient, partSequenceGradient, gradient);
        }
        return gradient;
    }

    /// <inheritdoc/>
    public IPoolingLayer WithOwnBuffers() => new ConcatPooling(HiddenSize, Directions, _backend);
}
