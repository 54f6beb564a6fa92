using LstmText.Compute;
using LstmText.Tensors;

namespace LstmText.Layers;

/// <summary>An element-wise non-linearity (PyTorch <c>nn.ReLU</c> or <c>nn.Tanh</c>) with no parameters.</summary>
/// <remarks>Memory: one output and one input gradient of the input's size; the backward pass needs only the output.</remarks>
public sealed class Activation
{
    private readonly IBackend _backend;
    private Tensor? _output;
    private Tensor? _inputGradient;

    /// <summary>Creates the activation.</summary>
    public Activation(ActivationKind kind, IBackend? backend = null)
    {
        Kind = kind;
        _backend = backend ?? CpuBackend.Default;
    }

    /// <summary>Which function this is.</summary>
    public ActivationKind Kind { get; }

    /// <summary>Applies the function; returns a tensor of the input's shape, reused by the next call.</summary>
    public Tensor Forward(Tensor input)
    {
        if (_output is null || !_output.Shape.Equals(input.Shape))
        {
            _output = Tensor.Zeros(_backend, input.Shape);
            _inputGradient = Tensor.Zeros(_backend, input.Shape);
        }
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
