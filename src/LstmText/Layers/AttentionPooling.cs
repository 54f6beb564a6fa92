using LstmText.Compute;
using LstmText.Tensors;

namespace LstmText.Layers;

/// <summary>
/// Attention pooling: scores s_t,b = x_t,b · w (PyTorch <c>nn.Linear(F, 1, bias=False)</c>, parameter <c>weight</c>
/// [1, F]), α = softmax of the scores over each row's valid steps only (padded steps get exactly 0), and
/// y_b = Σ_t α_t,b · x_t,b.
/// </summary>
/// <remarks>A bias would add the same constant to every score of a row, which softmax ignores, so there is none.
/// Memory: w (F), scores, weights and their gradients (4·T·B), the output (B·F) and the sequence gradient (T·B·F).</remarks>
public sealed class AttentionPooling : IPoolingLayer
{
    private readonly IBackend _backend;
    private readonly PoolingLengths _lengths = new();
    private readonly PooledBuffers _buffers;
    private Tensor? _sequence;
    private Tensor? _scores;
    private Tensor? _weights;
    private Tensor? _weightGradient;
    private Tensor? _scoreGradient;
    private readonly TensorBuffer[] _perStep;

    /// <summary>Creates the pooling with w from U(−1/√F, 1/√F), as PyTorch initialises the Linear layer.</summary>
    public AttentionPooling(int inputSize, RandomSource random, IBackend? backend = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        InputSize = inputSize;
        _backend = backend ?? CpuBackend.Default;
        _buffers = new(_backend);
        _perStep = [new(_backend), new(_backend), new(_backend), new(_backend)];
        var weight = Tensor.Zeros(_backend, 1, inputSize);
        random.FillScaledUniform(weight, inputSize);
        Weight = new Parameter("weight", weight);
        Parameters = [Weight];
    }

    private AttentionPooling(AttentionPooling source)
    {
        InputSize = source.InputSize;
        _backend = source._backend;
        _buffers = new(_backend);
        _perStep = [new(_backend), new(_backend), new(_backend), new(_backend)];
        Weight = source.Weight;
        Parameters = source.Parameters;
    }

    /// <summary>The scoring vector w, [1, F].</summary>
    public Parameter Weight { get; }

    /// <summary>The attention weights α [T, B] of the last forward pass (0 at padded steps), for inspection.</summary>
    public Tensor AttentionWeights => _weights ?? throw new InvalidOperationException("Forward has not run.");

    /// <inheritdoc/>
    public SequencePooling Kind => SequencePooling.Attention;

    /// <inheritdoc/>
    public int InputSize { get; }

    /// <inheritdoc/>
    public int OutputSize => InputSize;

    /// <inheritdoc/>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <inheritdoc/>
    public Tensor Forward(Tensor sequence, ReadOnlySpan<int> lengths)
    {
        _lengths.Set(sequence, InputSize, lengths);
        int steps = _lengths.Steps, batch = _lengths.Batch, rows = steps * batch;
        _sequence = sequence;
        // Grow-only [T, B] buffers: a batch of another shape reuses their storage (and objects) without allocating.
        _scores = _perStep[0].Reuse(steps, batch);
        _weights = _perStep[1].Reuse(steps, batch);
        _weightGradient = _perStep[2].Reuse(steps, batch);
        _scoreGradient = _perStep[3].Reuse(steps, batch);
        _backend.Gemm(Transpose.No, Transpose.Yes, rows, 1, InputSize, 1f, sequence, InputSize, Weight.Value, InputSize, 0f, _scores, 1);
        _backend.SoftmaxOverTime(_scores, steps, batch, _lengths.Span, _weights!);
        var output = _buffers.Output(batch, OutputSize);
        _backend.WeightedSumOverTime(sequence, _weights!, steps, batch, InputSize, _lengths.Span, output);
        return output;
    }

    /// <inheritdoc/>
    public Tensor Backward(Tensor outputGradient)
    {
        var sequence = _sequence ?? throw new InvalidOperationException("Backward was called before Forward.");
        int steps = _lengths.Steps, batch = _lengths.Batch, rows = steps * batch;
        var gradient = _buffers.SequenceGradient(steps, batch, InputSize);
        _backend.Fill(gradient, 0f);
        // Through the weighted sum: dx += α·dy, dα = dy·x; then through the masked softmax to the scores.
        _backend.WeightedSumOverTimeBackward(outputGradient, sequence, _weights!, steps, batch, InputSize, _lengths.Span,
            gradient, _weightGradient!);
        _backend.SoftmaxOverTimeBackward(_weights!, _weightGradient!, steps, batch, _lengths.Span, _scoreGradient!);
        // Through the scores s = x·w: dw += dsᵀ·x, dx += ds·w.
        _backend.Gemm(Transpose.Yes, Transpose.No, 1, InputSize, rows, 1f, _scoreGradient!, 1, sequence, InputSize, 1f,
            Weight.Gradient, InputSize);
        _backend.Gemm(Transpose.No, Transpose.No, rows, InputSize, 1, 1f, _scoreGradient!, 1, Weight.Value, InputSize, 1f,
            gradient, InputSize);
        return gradient;
    }

    /// <inheritdoc/>
    public IPoolingLayer WithOwnBuffers() => new AttentionPooling(this);
}
