using LstmText.Compute;
using LstmText.Tensors;

namespace LstmText.Layers;

/// <summary>An element-wise non-linearity (PyTorch <c>nn.ReLU</c> or <c>nn.Tanh</c>) with no parameters.</summary>
/// <remarks>Memory: one output and one input gradient of the input's size; the backward pass needs only the output.</remarks>
public sealed class Activation
{
    private readonly IBackend _backend;
    private readonly TensorBuffer _outputBuffer;
    private readonly TensorBuffer _inputGradientBuffer;
    private Tensor? _output;
    private Tensor? _inputGradient;

    /// <summary>Creates the activation.</summary>
    public Activation(ActivationKind kind, IBackend? backend = null)
    {
        Kind = kind;
        _backend = backend ?? CpuBackend.Default;
        _outputBuffer = new TensorBuffer(_backend);
        _inputGradientBuffer = new TensorBuffer(_backend);
    }

    /// <summary>Which function this is.</summary>
    public ActivationKind Kind { get; }

    /// <summary>Applies the function; returns a tensor of the input's shape, reused by the next call.</summary>
    public Tensor Forward(Tensor input)
    {
        // Grow-only buffers: a batch of another shape reuses their storage (and objects) without allocating.
        _output = _outputBuffer.Reuse(input.Shape.Dimensions);
        _inputGradient = _inputGradientBuffer.Reuse(input.Shape.Dimensions);
        _backend.Activate(Kind, input, _output);
        return _output;
    }

    /// <summary>Returns the input gradient from the output gradient of the last forward pass (a reused buffer).</summary>
    public Tensor Backward(Tensor outputGradient)
    {
        var output = _output ?? throw new InvalidOperationException("Backward was called before Forward.");
        _backend.ActivationBackward(Kind, output, outputGradient, _inputGradient!);
        return _inputGradient!;
    }
}
