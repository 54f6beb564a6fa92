using LstmText.Tensors;

namespace LstmText.Layers;

/// <summary>
/// Reduces a padded, time-major batch of LSTM outputs [T, B, F] to one vector per row [B, O], looking only at each
/// row's valid steps, so padding never changes a row's result.
/// </summary>
/// <remarks>The layer; <see cref="SequencePooling"/> is the choice among them that a classifier's config names.</remarks>
public interface IPoolingLayer : ILayer
{
    /// <summary>Which pooling this is.</summary>
    SequencePooling Kind { get; }

    /// <summary>Features F of each input step.</summary>
    int InputSize { get; }

    /// <summary>Features O of each pooled row.</summary>
    int OutputSize { get; }

    /// <summary>
    /// Pools <paramref name="sequence"/> ([T, B, F]) over the first <paramref name="lengths"/>[b] steps of each row
    /// (each in [1, T]); returns [B, O], a buffer reused by the next call. The sequence is kept for the backward pass.
    /// </summary>
    Tensor Forward(Tensor sequence, ReadOnlySpan<int> lengths);

    /// <summary>
    /// Returns the gradient of the last forward pass's sequence, [T, B, F] (zero at padded steps), from the gradient
    /// of its output [B, O]; accumulates parameter gradients. The result is a buffer reused by the next call.
    /// </summary>
    Tensor Backward(Tensor outputGradient);

    /// <summary>A pooling with the same parameters (shared, read-only) and buffers of its own, for another thread.</summary>
    IPoolingLayer WithOwnBuffers();
}
