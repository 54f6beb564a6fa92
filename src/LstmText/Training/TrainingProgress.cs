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
/// <param name="AverageTrainingLoss">
/// The mean training loss of the steps since the previous validation, this one included: at a step that ends with a
/// validation, the figure the log (<c>NAME.log.jsonl</c>) records as <c>training_loss</c>. Null only from code that does not set it.
/// </param>
/// <remarks>
/// <see cref="Epoch"/> counts from 1, as the log does: the step that ends the first epoch is in epoch 1.
/// </remarks>
public sealed record TrainingProgress(int Step, int? TotalSteps, int Epoch, double Loss, double LearningRate,
    double TokensPerSecond, TimeSpan Elapsed, double? ValidationLoss, double? ValidationScore = null, double? AverageTrainingLoss = null)
{
    /// <summary>The estimated time left, when the total is known.</summary>
    public TimeSpan? Remaining => TotalSteps is { } total && Step > 0
        ? TimeSpan.FromTicks(Elapsed.Ticks / Step * Math.Max(0, total - Step))
        : null;
}
