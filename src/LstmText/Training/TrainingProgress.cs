namespace LstmText.Training;

/// <summary>One report of a training run, sent after every step.</summary>
/// <param name="Step">Steps done (1-based).</param>
/// <param name="TotalSteps">The step count the run is heading for, or null when only a time budget bounds it.</param>
/// <param name="Epoch">The epoch of this step (1-based).</param>
/// <param name="Loss">This step's training loss, in nats per token.</param>
/// <param name="LearningRate">The learning rate this step used.</param>
/// <param name="TokensPerSecond">Training throughput since the run (or resume) started.</param>
/// <param name="Elapsed">Time spent training, resumed runs included.</param>
/// <param name="ValidationLoss">The validation loss if this step ended with a validation, else null.</param>
/// <param name="ValidationScore">A classifier's validation score (macro-F1 or accuracy, 0–1) if this step ended with a validation, else null.</param>
public sealed record TrainingProgress(int Step, int? TotalSteps, int Epoch, double Loss, double LearningRate,
    double TokensPerSecond, TimeSpan Elapsed, double? ValidationLoss, double? ValidationScore = null)
{
    /// <summary>The estimated time left, when the total is known.</summary>
    public TimeSpan? Remaining => TotalSteps is { } total && Step > 0
        ? TimeSpan.FromTicks(Elapsed.Ticks / Step * Math.Max(0, total - Step))
        : null;
}
