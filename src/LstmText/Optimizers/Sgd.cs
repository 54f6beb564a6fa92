using LstmText.Compute;
using LstmText.Layers;
using LstmText.Tensors;

namespace LstmText.Optimizers;

/// <summary>Stochastic gradient descent with optional momentum, Nesterov momentum and weight decay (PyTorch <c>optim.SGD</c>).</summary>
/// <remarks>Memory: one velocity tensor per parameter when momentum is used.</remarks>
public sealed class Sgd : Optimizer
{
    private readonly Tensor?[] _velocity;
    private readonly bool[] _started;

    /// <summary>Creates the optimizer.</summary>
    public Sgd(IEnumerable<Parameter> parameters, SgdSettings settings, IBackend? backend = null)
        : base(parameters, settings.LearningRate, backend)
    {
        if (settings.Nesterov && (settings.Momentum <= 0f || settings.Dampening != 0f))
            throw new ArgumentException("Nesterov momentum needs momentum > 0 and zero dampening.", nameof(settings));
        Settings = settings;
        _velocity = new Tensor?[Parameters.Count];
        _started = new bool[Parameters.Count];
        if (settings.Momentum != 0f)
            for (int i = 0; i < _velocity.Length; i++) _velocity[i] = Tensor.ZerosLike(Parameters[i].Value);
    }

    /// <summary>The settings, with <see cref="SgdSettings.LearningRate"/> as given at construction.</summary>
    public SgdSettings Settings { get; }

    /// <summary>The momentum buffer of parameter <paramref name="index"/> (null without momentum), for checkpoints.</summary>
    public Tensor? VelocityOf(int index) => _velocity[index];

    /// <summary>Whether parameter <paramref name="index"/> has been updated yet (its momentum buffer is then live), for checkpoints.</summary>
    public bool HasStarted(int index) => _started[index];

    /// <summary>Restores the momentum buffer of parameter <paramref name="index"/> from a checkpoint.</summary>
    /// <exception cref="ArgumentException">The optimizer has no momentum buffer or the shape differs.</exception>
    public void RestoreVelocity(int index, Tensor? velocity, bool started)
    {
        if (velocity is not null)
        {
            var own = _velocity[index] ?? throw new ArgumentException("This optimizer has no momentum buffers.", nameof(velocity));
            if (!own.Shape.Equals(velocity.Shape)) throw new ArgumentException($"Velocity of shape {velocity.Shape} does not fit parameter {Parameters[index]}.");
            velocity.CopyTo(own);
        }
        _started[index] = started;
    }

    /// <inheritdoc/>
    protected override void Update(int index, Parameter parameter)
    {
        var settings = Settings with { LearningRate = LearningRateOf(index) };
        var velocity = _velocity[index] ?? parameter.Gradient;
        Backend.SgdStep(parameter.Value, parameter.Gradient, velocity, settings, firstStep: !_started[index]);
        _started[index] = true;
    }
}
