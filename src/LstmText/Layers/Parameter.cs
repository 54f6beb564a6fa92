using LstmText.Tensors;

namespace LstmText.Layers;

/// <summary>A trainable tensor, its accumulated gradient and its PyTorch name within its layer.</summary>
/// <remarks>Gradients accumulate across backward passes until <see cref="ZeroGradient"/>, as in PyTorch.</remarks>
public sealed class Parameter
{
    /// <summary>Creates a parameter around <paramref name="value"/> with a zero gradient of the same shape.</summary>
    public Parameter(string name, Tensor value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        Value = value;
        Gradient = Tensor.Zeros(value.Shape);
    }

    /// <summary>The name within the owning layer, e.g. <c>weight_ih_l0</c>.</summary>
    public string Name { get; }

    /// <summary>The current value.</summary>
    public Tensor Value { get; }

    /// <summary>The gradient accumulated since the last <see cref="ZeroGradient"/>.</summary>
    public Tensor Gradient { get; }

    /// <summary>False while the parameter is frozen: optimizers leave it unchanged.</summary>
    public bool IsTrainable { get; set; } = true;

    /// <summary>Sets the gradient to zero.</summary>
    public void ZeroGradient() => Gradient.Span.Clear();

    /// <summary>Replaces the value with a copy of <paramref name="values"/>, which must have the same shape.</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public void Load(Tensor values)
    {
        if (!values.Shape.Equals(Value.Shape))
            throw new ArgumentException($"Parameter '{Name}' has shape {Value.Shape}; cannot load a tensor of shape {values.Shape}.", nameof(values));
        values.Span.CopyTo(Value.Span);
    }

    /// <summary>Describes the parameter.</summary>
    public override string ToString() => $"{Name} {Value.Shape}";
}
