using LstmText.Tensors;

namespace LstmText.Layers;

/// <summary>The hidden and cell states of a multi-layer LSTM, each [layers·directions, batch, hidden] as in PyTorch.</summary>
/// <param name="Hidden">h, [L·D, B, H]; entry l·D + d is layer l, direction d (1 = reverse).</param>
/// <param name="Cell">c, same shape as <paramref name="Hidden"/>.</param>
public sealed record LstmState(Tensor Hidden, Tensor Cell)
{
    /// <summary>A zero state of the given size, in host memory or where <paramref name="allocator"/> (a backend) keeps tensors.</summary>
    public static LstmState Zeros(int layersTimesDirections, int batch, int hidden, ITensorAllocator? allocator = null)
    {
        allocator ??= HostMemory.Instance;
        return new(Tensor.Zeros(allocator, layersTimesDirections, batch, hidden), Tensor.Zeros(allocator, layersTimesDirections, batch, hidden));
    }

    /// <summary>A deep copy (so a caller can keep a state while the LSTM reuses its buffers).</summary>
    public LstmState Copy() => new(Hidden.Clone(), Cell.Clone());
}
