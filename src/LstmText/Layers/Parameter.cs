using LstmText.Tensors;

namespace LstmText.Layers;

/// <summary>A trainable tensor, its accumulated gradient and its PyTorch name within its layer.</summary>
/// <remarks>
/// <para>Gradients accumulate across backward passes until <see cref="ZeroGradient"/>, as in PyTorch.</para>
/// <para><see cref="Version"/> counts changes to the value: <see cref="Load"/> and every optimizer step bump it, so
/// anything computed from the value (a classifier's token table) knows when it is out of date. Code that writes
/// <see cref="Value"/> directly calls <see cref="MarkChanged"/> afterwards.</para>
/// </remarks>
public sealed class Parameter
{
    private long _version;

    /// <summary>Creates a parameter around <paramref name="value"/> with a zero gradient of the same shape, where the value lives.</summary>
    public Parameter(string name, Tensor value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        Value = value;
        Gradient = Tensor.ZerosLike(value);
    }

    /// <summary>The name within the owning layer, e.g. <c>weight_ih_l0</c>.</summary>
    public string Name { get; }

    /// <summary>The current value. After writing to it directly, call <see cref="MarkChanged"/>.</summary>
    public Tensor Value { get; }

    /// <summary>
    /// How many times the value has been changed through <see cref="Load"/>, an optimizer step or
    /// <see cref="MarkChanged"/>; equal versions mean an unchanged value.
    /// </summary>
    public long Version => Volatile.Read(ref _version);

    /// <summary>The gradient accumulated since the last <see cref="ZeroGradient"/>.</summary>
    public Tensor Gradient { get; }

    /// <summary>False while the parameter is frozen: optimizers leave it unchanged.</summary>
    public bool IsTrainable { get; set; } = true;

    /// <summary>Sets the gradient to zero.</summary>
    public void ZeroGradient() => Gradient.Storage.Clear(0, Gradient.Length);

    /// <summary>Replaces the value with a copy of <paramref name="values"/>, which must have the same shape.</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public void Load(Tensor values)
    {
        if (!values.Shape.Equals(Value.Shape))
            throw new ArgumentException($"Parameter '{Name}' has shape {Value.Shape}; cannot load a tensor of shape {values.Shape}.", nameof(values));
        values.CopyTo(Value);
        MarkChanged();
    }

    /// <summary>
    /// Records that the value has changed (bumps <see cref="Version"/>), so values derived from it are recomputed.
    /// <see cref="Load"/> and the optimizers call it; code that writes <see cref="Value"/> directly must call it too.
    /// </summary>
    public void MarkChanged() => Interlocked.Increment(ref _version);

    /// <summary>Describes the parameter.</summary>
    public override string ToString() => $"{Name} {Value.Shape}";
}
