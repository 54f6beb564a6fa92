using LstmText.Compute;
using LstmText.Tensors;

namespace LstmText.Layers;

/// <summary>The element-wise maximum of each row's valid steps; the gradient flows to the step that held the maximum.</summary>
/// <remarks>Memory: the positions of the maxima (B·F ints), the output (B·F) and the sequence gradient (T·B·F).</remarks>
public sealed class MaxPooling : IPoolingLayer
{
    private readonly IBackend _backend;
    private readonly PoolingLengths _lengths = new();
    private readonly PooledBuffers _buffers;
    private int[] _positions = [];
    private bool _ran;

    /// <summary>Creates the pooling over <paramref name="inputSize"/> features.</summary>
    public MaxPooling(int inputSize, IBackend? backend = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        InputSize = inputSize;
        _backend = backend ?? CpuBackend.Default;
        _buffers = new(_backend);
    }

    /// <inheritdoc/>
    public SequencePooling Kind => SequencePooling.Max;

    /// <inheritdoc/>
    public int InputSize { get; }

    /// <inheritdoc/>
    public int OutputSize => InputSize;

    /// <inheritdoc/>
    public IReadOnlyList<Parameter> Parameters => [];

    /// <inheritdoc/>
    public Tensor Forward(Tensor sequence, ReadOnlySpan<int> lengths)
    {
        _lengths.Set(sequence, InputSize, lengths);
        int steps = _lengths.Steps, batch = _lengths.Batch;
        if (_positions.Length < batch * InputSize) _positions = new int[batch * InputSize];
        var output = _buffers.Output(batch, OutputSize);
        _backend.MaxOverTime(sequence, steps, batch, InputSize, _lengths.Span, output, _positions.AsSpan(0, batch * InputSize));
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
        _backend.MaxOverTimeBackward(outputGradient, _positions.AsSpan(0, batch * InputSize), batch, InputSize, gradient);
        return gradient;
    }

    /// <inheritdoc/>
    public IPoolingLayer WithOwnBuffers() => new MaxPooling(InputSize, _backend);
}
