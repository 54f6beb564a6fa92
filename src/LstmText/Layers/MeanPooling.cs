using LstmText.Compute;
using LstmText.Tensors;

namespace LstmText.Layers;

/// <summary>The mean of each row's valid steps: y_b = (1/L_b) Σ_{t &lt; L_b} x_t,b.</summary>
/// <remarks>Memory: the weights 1/L_b per step (T·B), the output (B·F) and the sequence gradient (T·B·F).</remarks>
public sealed class MeanPooling : IPoolingLayer
{
    private readonly IBackend _backend;
    private readonly PoolingLengths _lengths = new();
    private readonly PooledBuffers _buffers;
    private float[] _hostWeights = [];
    private Tensor? _weights;
    private TensorBuffer? _weightsBuffer;
    private Tensor? _sequence;

    /// <summary>Creates the pooling over <paramref name="inputSize"/> features.</summary>
    public MeanPooling(int inputSize, IBackend? backend = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        InputSize = inputSize;
        _backend = backend ?? CpuBackend.Default;
        _buffers = new(_backend);
    }

    /// <inheritdoc/>
    public SequencePooling Kind => SequencePooling.Mean;

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
        _sequence = sequence;
        // A weighted sum with weights 1/L_b at valid steps: the same kernel as attention, so the mask lives in one place.
        _weights = (_weightsBuffer ??= new TensorBuffer(_backend)).ReuseUninitialized(steps, batch); // every element uploaded below
        // The weights come from the host's lengths, so they are made on the host and uploaded (one copy on the CPU).
        if (_hostWeights.Length < steps * batch) _hostWeights = new float[steps * batch];
        var w = _hostWeights.AsSpan(0, steps * batch);
        for (int t = 0; t < steps; t++)
            for (int b = 0; b < batch; b++)
                w[t * batch + b] = t < lengths[b] ? 1f / lengths[b] : 0f;
        _weights.Upload(w);
        var output = _buffers.Output(batch, OutputSize);
        _backend.WeightedSumOverTime(sequence, _weights, steps, batch, InputSize, _lengths.Span, output);
        return output;
    }

    /// <inheritdoc/>
    public Tensor Backward(Tensor outputGradient)
    {
        var sequence = _sequence ?? throw new InvalidOperationException("Backward was called before Forward.");
        int steps = _lengths.Steps, batch = _lengths.Batch;
        var gradient = _buffers.SequenceGradient(steps, batch, InputSize);
        _backend.Fill(gradient, 0f);
        _backend.WeightedSumOverTimeBackward(outputGradient, sequence, _weights!, steps, batch, InputSize, _lengths.Span,
            gradient, default);
        return gradient;
    }

    /// <inheritdoc/>
    public IPoolingLayer WithOwnBuffers() => new MeanPooling(InputSize, _backend);
}
