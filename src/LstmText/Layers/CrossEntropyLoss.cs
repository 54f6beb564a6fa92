using LstmText.Compute;
using LstmText.Tensors;

namespace LstmText.Layers;

/// <summary>
/// Log-softmax plus negative log-likelihood (PyTorch <c>nn.CrossEntropyLoss</c>): the mean over targets that are not
/// the ignore index.
/// </summary>
/// <remarks>Memory: one gradient buffer of the logits' size, filled by the same pass that computes the loss.</remarks>
public sealed class CrossEntropyLoss
{
    private readonly IBackend _backend;
    private Tensor? _gradient;

    /// <summary>Creates the loss; targets equal to <paramref name="ignoreIndex"/> count for nothing.</summary>
    public CrossEntropyLoss(int ignoreIndex = -100, IBackend? backend = null)
    {
        IgnoreIndex = ignoreIndex;
        _backend = backend ?? CpuBackend.Default;
    }

    /// <summary>The target value that is ignored.</summary>
    public int IgnoreIndex { get; }

    /// <summary>The number of targets counted by the last <see cref="Forward"/>.</summary>
    public int CountedTargets { get; private set; }

    /// <summary>The summed (not averaged) loss of the last <see cref="Forward"/>, in nats.</summary>
    public double LossSum { get; private set; }

    /// <summary>Returns the mean loss of logits [N, C] against N targets (0 when every target is ignored).</summary>
    public float Forward(Tensor logits, ReadOnlySpan<int> targets)
    {
        if (logits.Shape.Rank != 2)
            throw new ArgumentException($"Logits must be [N, C], got {logits.Shape}.", nameof(logits));
        int rows = logits.Shape[0], classes = logits.Shape[1];
        if (_gradient is null || !_gradient.Shape.Equals(logits.Shape)) _gradient = Tensor.Zeros(logits.Shape);
        (LossSum, CountedTargets) = _backend.SoftmaxCrossEntropy(logits, rows, classes, targets, IgnoreIndex, _gradient);
        return CountedTargets == 0 ? 0f : (float)(LossSum / CountedTargets);
    }

    /// <summary>The gradient of the mean loss with respect to the logits of the last <see cref="Forward"/>.</summary>
    public Tensor Backward() => _gradient ?? throw new InvalidOperationException("Backward was called before Forward.");
}
