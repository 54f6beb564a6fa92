using LstmText.Tensors;

namespace LstmText.Layers;

/// <summary>
/// The row lengths of one pooling forward pass, checked and copied, so the backward pass sees the same mask.
/// </summary>
internal sealed class PoolingLengths
{
    private int[] _lengths = [];

    public int Steps { get; private set; }

    public int Batch { get; private set; }

    public ReadOnlySpan<int> Span => _lengths.AsSpan(0, Batch);

    /// <summary>Checks that <paramref name="sequence"/> is [T, B, F] and every length is in [1, T], then keeps them.</summary>
    public void Set(Tensor sequence, int features, ReadOnlySpan<int> lengths)
    {
        if (sequence.Shape.Rank != 3 || sequence.Shape[2] != features)
            throw new ArgumentException($"Pooling expects a sequence [T, B, {features}], got {sequence.Shape}.", nameof(sequence));
        int steps = sequence.Shape[0], batch = sequence.Shape[1];
        if (lengths.Length != batch)
            throw new ArgumentException($"{lengths.Length} lengths for a batch of {batch}.", nameof(lengths));
        for (int b = 0; b < batch; b++)
        {
            if (lengths[b] < 1 || lengths[b] > steps)
                throw new ArgumentOutOfRangeException(nameof(lengths), $"Length {lengths[b]} of row {b} is not in [1, {steps}]; every row needs a step to pool.");
        }
        if (_lengths.Length < batch) _lengths = new int[batch];
        lengths.CopyTo(_lengths);
        Steps = steps;
        Batch = batch;
    }
}
