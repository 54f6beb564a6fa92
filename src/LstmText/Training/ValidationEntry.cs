namespace LstmText.Training;

/// <summary>One validation of a run: the line it adds to the JSONL log and the points it adds to the learning curve.</summary>
/// <param name="Step">Steps done when it ran.</param>
/// <param name="Epoch">The epoch of the step it followed, counted from 1 (the step that ends the first epoch is in epoch 1).</param>
/// <param name="TrainingLoss">The mean training loss since the previous validation.</param>
/// <param name="ValidationLoss">The validation loss.</param>
/// <param name="LearningRate">The learning rate of the last step.</param>
/// <param name="Seconds">Training time so far.</param>
/// <param name="ValidationScore">A higher-is-better validation score (a classifier's macro-F1 or accuracy), or null.</param>
/// <param name="Metric">The name of <paramref name="ValidationScore"/> (<c>macro_f1</c>, <c>accuracy</c>), or null.</param>
internal sealed record ValidationEntry(int Step, int Epoch, double? TrainingLoss, double ValidationLoss, double LearningRate, double Seconds,
    double? ValidationScore = null, string? Metric = null)
{
    /// <summary>The mean absolute error of the validation forecasts in the series' own units (forecasters), or null.</summary>
    public double? ValidationMae { get; init; }
}
