namespace LstmText.Compute;

/// <summary>An element-wise non-linearity, named as the config file names it in lower case.</summary>
public enum ActivationKind
{
    /// <summary>max(0, x) (PyTorch <c>nn.ReLU</c>).</summary>
    Relu,

    /// <summary>tanh(x) (PyTorch <c>nn.Tanh</c>).</summary>
    Tanh,
}
