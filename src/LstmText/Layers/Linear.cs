using LstmText.Compute;
using LstmText.Compute.Cpu;
using LstmText.Tensors;

namespace LstmText.Layers;

/// <summary>y = x·Wᵀ + b over the last dimension (PyTorch <c>nn.Linear</c>).</summary>
/// <remarks>Memory: W (O·I) and b (O), one output (N·O) and one input gradient (N·I); it keeps a reference to the input.</remarks>
public sealed class Linear : IQuantizableLayer
{
    private readonly IBackend _backend;
    private Tensor? _input;
    private Int8LayerWeights? _int8;
    private readonly TensorBuffer _output;
    private readonly TensorBuffer _inputGradient;

    /// <summary>Creates a layer initialised like PyTorch: W and b from U(−1/√I, 1/√I).</summary>
    public Linear(int inputSize, int outputSize, RandomSource random, bool bias = true, IBackend? backend = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputSize);
        _backend = backend ?? CpuBackend.Default;
        _output = new(_backend);
        _inputGradient = new(_backend);
        InputSize = inputSize;
        OutputSize = outputSize;
        var weight = Tensor.Zeros(_backend, outputSize, inputSize);
        random.FillScaledUniform(weight, inputSize);
        Weight = new Parameter("weight", weight);
        if (bias)
        {
            var b = Tensor.Zeros(_backend, outputSize);
            random.FillScaledUniform(b, inputSize);
            Bias = new Parameter("bias", b);
            Parameters = [Weight, Bias];
        }
        else
        {
            Parameters = [Weight];
        }
    }

    private Linear(Linear source)
    {
        _backend = source._backend;
        _output = new(_backend);
        _inputGradient = new(_backend);
        InputSize = source.InputSize;
        OutputSize = source.OutputSize;
        Weight = source.Weight;
        Bias = source.Bias;
        _int8 = source._int8;
        Parameters = source.Parameters;
    }

    /// <summary>Input features I.</summary>
    public int InputSize { get; }

    /// <summary>Output features O.</summary>
    public int OutputSize { get; }

    /// <summary>W, [O, I].</summary>
    public Parameter Weight { get; }

    /// <summary>b, [O], or null when the layer has no bias.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc/>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Applies the layer to every row of <paramref name="input"/> ([..., I]); returns [rows, O], reused by the next call.</summary>
    public Tensor Forward(Tensor input)
    {
        int rows = RowsOf(input);
        _input = input;
        var output = _output.ReuseUninitialized(rows, OutputSize);
        if (_int8 is not null) _int8.Multiply(0, input, rows, InputSize, 0f, output, OutputSize);
        else _backend.Gemm(Transpose.No, Transpose.Yes, rows, OutputSize, InputSize, 1f,
            input, InputSize, Weight.Value, InputSize, 0f, output, OutputSize);
        if (Bias is not null) _backend.AddToEachRow(output, rows, OutputSize, Bias.Value);
        return output;
    }

    /// <summary>Accumulates dW and db from [rows, O] and returns the input gradient [rows, I], reused by the next call.</summary>
    public Tensor Backward(Tensor outputGradient)
    {
        var input = _input ?? throw new InvalidOperationException("Backward was called before Forward.");
        if (_int8 is not null) throw new InvalidOperationException("Backward cannot follow an int8 forward pass (inference only).");
        int rows = RowsOf(input);
        if (outputGradient.Length != rows * OutputSize)
            throw new ArgumentException($"Expected a gradient of [{rows}, {OutputSize}], got {outputGradient.Shape}.", nameof(outputGradient));
        _backend.Gemm(Transpose.Yes, Transpose.No, OutputSize, InputSize, rows, 1f,
            outputGradient, OutputSize, input, InputSize, 1f, Weight.Gradient, InputSize);
        if (Bias is not null) _backend.AddColumnSums(outputGradient, rows, OutputSize, Bias.Gradient);
        var inputGradient = _inputGradient.ReuseUninitialized(rows, InputSize);
        _backend.Gemm(Transpose.No, Transpose.No, rows, InputSize, OutputSize, 1f,
            outputGradient, OutputSize, Weight.Value, InputSize, 0f, inputGradient, InputSize);
        return inputGradient;
    }

    /// <inheritdoc/>
    Int8LayerWeights? IQuantizableLayer.Int8Weights { get => _int8; set => _int8 = value; }

    /// <summary>
    /// For inference: multiplies by an int8 copy of W from now on, as PyTorch's dynamic quantization does
    /// (each weight row int8 with its own scale; each input row quantized to uint8 at every call or step, products in
    /// int32 on AVX-VNNI where the CPU has it); biases stay float and the float weights are kept unchanged. Copies made
    /// by <see cref="WithOwnBuffers"/> afterwards share the int8 weights. Backward then throws.
    /// </summary>
    public void QuantizeWeights() => _int8 = Int8LayerWeights.Quantize(Parameters.Select(p => p.Value));

    /// <summary>
    /// A layer with the same <see cref="Parameter"/> objects (not copies) and buffers of its own, so inference can run
    /// on another thread at the same time. The weights must then be treated as read-only.
    /// </summary>
    public Linear WithOwnBuffers() => new(this);

    private int RowsOf(Tensor input)
    {
        if (input.Shape.Rank == 0 || input.Shape[-1] != InputSize)
            throw new ArgumentException($"Linear layer expects [..., {InputSize}], got {input.Shape}.", nameof(input));
        return input.Length / InputSize;
    }
}
