using LstmText.Compute;
using LstmText.Layers;
using LstmText.Tensors;

namespace LstmText.Optimizers;

/// <summary>
/// Adam (PyTorch <c>optim.Adam</c>), or AdamW (<c>optim.AdamW</c>) when the settings decouple weight decay.
/// </summary>
/// <remarks>Memory: two moment tensors per parameter.</remarks>
public sealed class Adam : Optimizer
{
    private readonly Tensor[] _firstMoments;
    private readonly Tensor[] _secondMoments;
    private readonly int[] _steps;

    /// <summary>Creates the optimizer.</summary>
    public Adam(IEnumerable<Parameter> parameters, AdamSettings settings, IBackend? backend = null)
        : base(parameters, settings.LearningRate, backend)
    {
        Settings = settings;
        _firstMoments = Parameters.Select(p => Tensor.ZerosLike(p.Value)).ToArray();
        _secondMoments = Parameters.Select(p => Tensor.ZerosLike(p.Value)).ToArray();
        _steps = new int[Parameters.Count];
    }

    /// <summary>AdamW: Adam with decoupled weight decay (PyTorch's default decay of 0.01).</summary>
    public static Adam AdamW(IEnumerable<Parameter> parameters, float learningRate = 1e-3f, float weightDecay = 0.01f, IBackend? backend = null) =>
        new(parameters, new AdamSettings(learningRate, WeightDecay: weightDecay, DecoupledWeightDecay: true), backend);

    /// <summary>The settings, with <see cref="AdamSettings.LearningRate"/> as given at construction.</summary>
    public AdamSettings Settings { get; }

    /// <summary>The moment estimates of parameter <paramref name="index"/>, for checkpoints.</summary>
    public (Tensor First, Tensor Second, int Steps) MomentsOf(int index) => (_firstMoments[index], _secondMoments[index], _steps[index]);

    /// <summary>Restores the moments and step count of parameter <paramref name="index"/> from a checkpoint.</summary>
    /// <exception cref="ArgumentException">A tensor's shape differs from the parameter's.</exception>
    public void RestoreMoments(int index, Tensor first, Tensor second, int steps)
    {
        if (!first.Shape.Equals(_firstMoments[index].Shape) || !second.Shape.Equals(_secondMoments[index].Shape))
            throw new ArgumentException($"Moments of shape {first.Shape} do not fit parameter {Parameters[index]}.");
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        first.CopyTo(_firstMoments[index]);
        second.CopyTo(_secondMoments[index]);
        _steps[index] = steps;
    }

    /// <inheritdoc/>
    protected override void Update(int index, Parameter parameter)
    {
        // Each parameter counts its own steps, as PyTorch's per-parameter state does (frozen ones do not advance).
        int step = ++_steps[index];
        Backend.AdamStep(parameter.Value, parameter.Gradient, _firstMoments[index], _secondMoments[index],
            Settings with { LearningRate = LearningRateOf(index) }, step);
    }
}
