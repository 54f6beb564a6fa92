using LstmText.Compute;
using LstmText.Tensors;

namespace LstmText.Layers;

/// <summary>
/// Log-softmax plus negative log-likelihood (PyTorch <c>nn.CrossEntropyLoss</c>): the mean over targets that are not
/// the ignore index, or with class weights w the weighted mean Σᵢ w[yᵢ]·lossᵢ / Σᵢ w[yᵢ], as PyTorch's <c>weight=</c>.
/// </summary>
/// <remarks>Memory: one gradient buffer of the logits' size, filled by the same pass that computes the loss.</remarks>
public sealed class CrossEntropyLoss
{
    private readonly IBackend _backend;
    private readonly float[]? _classWeights;
    private Tensor? _gradient;
    private TensorBuffer? _gradientBuffer;

    /// <summary>Creates the loss; targets equal to <paramref name="ignoreIndex"/> count for nothing.</summary>
    public CrossEntropyLoss(int ignoreIndex = -100, IBackend? backend = null)
    {
        IgnoreIndex = ignoreIndex;
        _backend = backend ?? CpuBackend.Default;
    }

    /// <summary>Creates a loss that weighs each target by its class's weight (one non-negative weight per class).</summary>
    /// <exception cref="ArgumentException">A weight is negative or not finite, or there are none.</exception>
    public CrossEntropyLoss(IReadOnlyList<float> classWeights, int ignoreIndex = -100, IBackend? backend = null) : this(ignoreIndex, backend)
    {
        ArgumentNullException.ThrowIfNull(classWeights);
        if (classWeights.Count == 0) throw new ArgumentException("There are no class weights.", nameof(classWeights));
        if (classWeights.Any(w => !float.IsFinite(w) || w < 0))
            throw new ArgumentException($"Class weights must be finite and non-negative: {string.Join(", ", classWeights)}.", nameof(classWeights));
        _classWeights = classWeights.ToArray();
    }

    /// <summary>The weight of each class, or null when every target counts the same.</summary>
    public IReadOnlyList<float>? ClassWeights => _classWeights;

    /// <summary>The sum of the weights of the targets counted by the last <see cref="Forward"/> (their count when unweighted).</summary>
    public double WeightSum { get; private set; }

    /// <summary>The target value that is ignored.</summary>
    public int IgnoreIndex { get; }

    /// <summary>The number of targets counted by the last <see cref="Forward"/>.</summary>
    public int CountedTargets { get; private set; }

    /// <summary>The summed (not averaged; weighted when there are class weights) loss of the last <see cref="Forward"/>, in nats.</summary>
    public double LossSum { get; private set; }

    /// <summary>Returns the (weighted) mean loss of logits [N, C] against N targets (0 when every target is ignored or weighs 0).</summary>
    public float Forward(Tensor logits, ReadOnlySpan<int> targets)
    {
        if (logits.Shape.Rank != 2)
            throw new ArgumentException($"Logits must be [N, C], got {logits.Shape}.", nameof(logits));
        int rows = logits.Shape[0], classes = logits.Shape[1];
        // A grow-only buffer: logits of another shape reuse its storage (and object) without allocating.
        _gradient = (_gradientBuffer ??= new TensorBuffer(_backend)).Reuse(rows, classes);
        if (_classWeights is null)
        {
            (LossSum, CountedTargets) = _backend.SoftmaxCrossEntropy(logits, rows, classes, targets, IgnoreIndex, _gradient);
            WeightSum = CountedTargets;
            return CountedTargets == 0 ? 0f : (float)(LossSum / CountedTargets);
        }
        return WeightedForward(logits, targets, rows, classes);
    }

    /// <summary>
    /// Each row on its own gives lossᵢ and softmax − onehot; the rows are then weighed by w[yᵢ] / Σ w, the derivative of
    /// the weighted mean.
    /// </summary>
    private float WeightedForward(Tensor logits, ReadOnlySpan<int> targets, int rows, int classes)
    {
        if (_classWeights!.Length != classes)
            throw new ArgumentException($"The loss has {_classWeights.Length} class weights but the logits have {classes} classes.", nameof(logits));
        if (targets.Length != rows) throw new ArgumentException($"{targets.Length} targets for {rows} rows.", nameof(targets));
        double weightSum = 0, lossSum = 0;
        int counted = 0;
        for (int r = 0; r < rows; r++)
        {
            var (loss, count) = _backend.SoftmaxCrossEntropy(logits.Rows(r, 1), 1, classes, targets.Slice(r, 1), IgnoreIndex, _gradient!.Rows(r, 1));
            if (count == 0) continue;
            float weight = _classWeights[targets[r]];
            counted++;
            weightSum += weight;
            lossSum += weight * loss;
        }
        for (int r = 0; r < rows; r++)
        {
            if (targets[r] == IgnoreIndex) continue;
            _backend.Scale(_gradient!.Rows(r, 1), weightSum == 0 ? 0f : (float)(_classWeights[targets[r]] / weightSum));
        }
        (LossSum, CountedTargets, WeightSum) = (lossSum, counted, weightSum);
        return weightSum == 0 ? 0f : (float)(lossSum / weightSum);
    }

    /// <summary>The gradient of the mean loss with respect to the logits of the last <see cref="Forward"/>.</summary>
    public Tensor Backward() => _gradient ?? throw new InvalidOperationException("Backward was called before Forward.");
}
