using LstmText.Compute;
using LstmText.Tensors;

namespace LstmText.Layers;

/// <summary>Zeroes each element with probability p while training and scales the rest by 1/(1−p) (inverted dropout).</summary>
/// <remarks>Memory: one mask and one output of the input's size, only while training with p &gt; 0.</remarks>
public sealed class Dropout
{
    private readonly IBackend _backend;
    private readonly TensorBuffer _maskBuffer;
    private readonly TensorBuffer _outputBuffer;
    private readonly TensorBuffer _inputGradientBuffer;
    private Tensor? _mask;
    private Tensor? _output;
    private Tensor? _inputGradient;
    private bool _active;

    /// <summary>Creates a dropout layer with drop probability <paramref name="probability"/> in [0, 1).</summary>
    public Dropout(float probability, IBackend? backend = null)
    {
        if (probability is < 0f or >= 1f)
            throw new ArgumentOutOfRangeException(nameof(probability), $"Dropout probability {probability} is not in [0, 1).");
        Probability = probability;
        _backend = backend ?? CpuBackend.Default;
        _maskBuffer = new TensorBuffer(_backend);
        _outputBuffer = new TensorBuffer(_backend);
        _inputGradientBuffer = new TensorBuffer(_backend);
    }

    /// <summary>The drop probability.</summary>
    public float Probability { get; }

    /// <summary>
    /// Applies dropout when <paramref name="random"/> is given (training) and p &gt; 0; otherwise returns the input itself.
    /// </summary>
    public Tensor Forward(Tensor input, RandomSource? random)
    {
        _active = random is not null && Probability > 0f;
        if (!_active) return input;
        // Grow-only buffers: a batch of another shape reuses their storage (and objects) without allocating.
        _mask = _maskBuffer.Reuse(input.Shape.Dimensions);
        _output = _outputBuffer.Reuse(input.Shape.Dimensions);
        _inputGradient = _inputGradientBuffer.Reuse(input.Shape.Dimensions);
        _backend.DropoutMask(_mask, Probability, random!);
        _backend.Multiply(input, _mask, _output!);
        return _output!;
    }

    /// <summary>Returns the gradient of the input: the output gradient through the same mask (or itself when inactive).</summary>
    public Tensor Backward(Tensor outputGradient)
    {
        if (!_active) return outputGradient;
        _backend.Multiply(outputGradient, _mask!, _inputGradient!);
        return _inputGradient!;
    }
}
