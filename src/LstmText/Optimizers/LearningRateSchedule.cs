namespace LstmText.Optimizers;

/// <summary>A learning rate as a function of the step number (0-based).</summary>
public abstract class LearningRateSchedule
{
    /// <summary>The learning rate to use for step <paramref name="step"/>.</summary>
    public abstract float At(int step);

    /// <summary>A constant rate.</summary>
    public static LearningRateSchedule Constant(float rate) => new ConstantSchedule(rate);

    /// <summary>rate · gamma^⌊step / stepSize⌋ (PyTorch <c>StepLR</c>).</summary>
    public static LearningRateSchedule Step(float rate, int stepSize, float gamma) => new StepSchedule(rate, stepSize, gamma);

    /// <summary>Cosine annealing from <paramref name="rate"/> to <paramref name="minimum"/> over <paramref name="totalSteps"/> (PyTorch <c>CosineAnnealingLR</c>), then constant.</summary>
    public static LearningRateSchedule Cosine(float rate, int totalSteps, float minimum = 0f) => new CosineSchedule(rate, totalSteps, minimum);

    /// <summary>Rises linearly from rate/warmupSteps to the inner schedule's rate over <paramref name="warmupSteps"/> steps, then follows it.</summary>
    public LearningRateSchedule WithLinearWarmup(int warmupSteps) => new WarmupSchedule(this, warmupSteps);

    private sealed class ConstantSchedule(float rate) : LearningRateSchedule
    {
        public override float At(int step) => rate;
    }

    private sealed class StepSchedule : LearningRateSchedule
    {
        private readonly float _rate, _gamma;
        private readonly int _stepSize;

        public StepSchedule(float rate, int stepSize, float gamma)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stepSize);
            (_rate, _stepSize, _gamma) = (rate, stepSize, gamma);
        }

        public override float At(int step) => (float)(_rate * Math.Pow(_gamma, step / _stepSize));
    }

    private sealed class CosineSchedule : LearningRateSchedule
    {
        private readonly float _rate, _minimum;
        private readonly int _total;

        public CosineSchedule(float rate, int totalSteps, float minimum)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(totalSteps);
            (_rate, _total, _minimum) = (rate, totalSteps, minimum);
        }

        public override float At(int step)
        {
            int t = Math.Min(step, _total);
            return (float)(_minimum + (_rate - _minimum) * (1 + Math.Cos(Math.PI * t / _total)) / 2);
        }
    }

    private sealed class WarmupSchedule : LearningRateSchedule
    {
        private readonly LearningRateSchedule _inner;
        private readonly int _warmup;

        public WarmupSchedule(LearningRateSchedule inner, int warmupSteps)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(warmupSteps);
            (_inner, _warmup) = (inner, warmupSteps);
        }

        public override float At(int step) =>
            step < _warmup ? _inner.At(step) * (step + 1) / _warmup : _inner.At(step);
    }
}
