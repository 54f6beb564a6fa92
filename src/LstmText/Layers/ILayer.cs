namespace LstmText.Layers;

/// <summary>A layer that owns trainable parameters.</summary>
public interface ILayer
{
    /// <summary>The layer's parameters, named as PyTorch names them within the equivalent module.</summary>
    IReadOnlyList<Parameter> Parameters { get; }
}
