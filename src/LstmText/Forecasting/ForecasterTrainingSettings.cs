using System.Globalization;
using LstmText.Optimizers;
using LstmText.Training;

namespace LstmText.Forecasting;

/// <summary>
/// How to train a forecaster, set fluently: <c>t =&gt; t.Epochs(60).BatchSize(32).LearningRate(1e-3f).EarlyStopping(10)</c>.
/// The length of the run, optimizer, schedule, warm-up, clipping, checkpoints, resume, progress and cancellation work as
/// for language models and classifiers (<see cref="TrainingSettingsBase{TSelf}"/>); a forecaster adds the chronological
/// test and validation parts and which weights it keeps.
/// </summary>
public sealed class ForecasterTrainingSettings : TrainingSettingsBase<ForecasterTrainingSettings>
{
    internal double TestShare { get; private set; } = 0.2;
    internal double ValidationShare { get; private set; } = 0.1;
    internal bool KeepsBest { get; private set; } = true;

    /// <summary>
    /// Creates settings with the forecasting defaults: 60 epochs, Adam at 1e-3, batches of 32 windows, early stopping
    /// after 10 validations without a lower validation loss, the last 20 % of each series held out for evaluation and
    /// the last 10 % of the rest for validation.
    /// </summary>
    public ForecasterTrainingSettings()
    {
        Rate = 1e-3f;
        Epochs(60);
        EarlyStopping(10);
    }

    /// <summary>The last <paramref name="fraction"/> of each series is held out for evaluation; training never sees it (default 0.2).</summary>
    public ForecasterTrainingSettings TestFraction(double fraction)
    {
        if (!(fraction is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(fraction), $"The test fraction {fraction} is not in [0, 1).");
        TestShare = fraction; return this;
    }

    /// <summary>The last <paramref name="fraction"/> of what remains validates (best weights, early stopping; default 0.1; 0 for none).</summary>
    public ForecasterTrainingSettings ValidationFraction(double fraction)
    {
        if (!(fraction is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(fraction), $"The validation fraction {fraction} is not in [0, 1).");
        ValidationShare = fraction; return this;
    }

    /// <summary>Do not validate: every window before the test part trains, and the model holds the last weights.</summary>
    public ForecasterTrainingSettings NoValidation() { ValidationShare = 0; return this; }

    /// <summary>The model at the end holds the weights of the lowest validation loss, as the best checkpoint does (the default).</summary>
    public ForecasterTrainingSettings KeepBestWeights() { KeepsBest = true; return this; }

    /// <summary>The model at the end holds the last weights, whatever the validation said.</summary>
    public ForecasterTrainingSettings KeepLastWeights() { KeepsBest = false; return this; }

    internal string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{DescribeOptimizer()} test_fraction={TestShare} validation_fraction={ValidationShare} keep={(KeepsBest ? "best" : "last")} seed={RandomSeed}");
}
