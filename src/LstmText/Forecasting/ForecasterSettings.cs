namespace LstmText.Forecasting;

/// <summary>The shape of a forecaster: its window, horizon, network and preprocessing.</summary>
public sealed record ForecasterSettings
{
    /// <summary>Past points the network reads for each forecast.</summary>
    public int Lookback { get; init; } = 30;

    /// <summary>Future points forecast at once (direct multi-step output).</summary>
    public int Horizon { get; init; } = 1;

    /// <summary>LSTM hidden size (Keras' reference uses 50).</summary>
    public int HiddenSize { get; init; } = 50;

    /// <summary>Stacked LSTM layers.</summary>
    public int Layers { get; init; } = 1;

    /// <summary>Dropout between LSTM layers.</summary>
    public double Dropout { get; init; }

    /// <summary>How values are scaled (fitted on the training part only).</summary>
    public ScalingKind Scaling { get; init; } = ScalingKind.MinMax;

    /// <summary>Forecast first differences of the target (for trending series).</summary>
    public bool DifferenceFirst { get; init; }

    /// <summary>Forecast seasonal differences of the target (lag = the season).</summary>
    public bool DifferenceSeasonal { get; init; }

    /// <summary>The season length, or null to take the usual one for the series' spacing (12 for monthly data, …).</summary>
    public int? Season { get; init; }

    /// <summary>Calendar inputs, or null to choose them from the series' spacing.</summary>
    public CalendarFeatures? Calendar { get; init; }

    /// <summary>Quantiles to forecast with the pinball loss (e.g. 0.1, 0.5, 0.9), or null for a point forecast trained on MSE.</summary>
    public IReadOnlyList<double>? Quantiles { get; init; }

    /// <summary>
    /// Give the head the window's target values and the next step's calendar directly, beside the LSTM's last state
    /// (an autoregressive path; off gives Keras' plain <c>LSTM → Dense</c>).
    /// </summary>
    public bool DirectInputs { get; init; } = true;
}

/// <summary>How a forecaster is trained.</summary>
public sealed record ForecastTrainingSettings
{
    /// <summary>Passes over the training windows at most.</summary>
    public int Epochs { get; init; } = 60;

    /// <summary>Windows per step.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Adam's learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Decay the learning rate along a cosine to zero over the planned steps.</summary>
    public bool CosineSchedule { get; init; }

    /// <summary>The last share of each series held out for evaluation; training never sees it.</summary>
    public double TestFraction { get; init; } = 0.2;

    /// <summary>The last share of the remaining points used for validation and early stopping (0 for none).</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>Stop after this many epochs without a better validation loss (0: never stop early); the best weights are kept.</summary>
    public int Patience { get; init; } = 10;

    /// <summary>Clip the gradients' global norm to this (0: no clipping).</summary>
    public double ClipNorm { get; init; }

    /// <summary>Seed of the initial weights and of the shuffling.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Stop (keeping the best weights so far) when training has run this long; null for no limit.</summary>
    public TimeSpan? TimeBudget { get; init; }
}

/// <summary>One epoch's report.</summary>
/// <param name="Epoch">Epochs completed.</param>
/// <param name="Epochs">Epochs planned.</param>
/// <param name="TrainingLoss">Mean training loss of the epoch (on scaled values).</param>
/// <param name="ValidationLoss">Validation loss after the epoch, or null without validation.</param>
/// <param name="Elapsed">Time since training started.</param>
public sealed record ForecastTrainingProgress(int Epoch, int Epochs, double TrainingLoss, double? ValidationLoss, TimeSpan Elapsed);

/// <summary>What training did.</summary>
/// <param name="Epochs">Epochs run.</param>
/// <param name="BestEpoch">The epoch whose weights were kept.</param>
/// <param name="TrainingLoss">Training loss of the last epoch.</param>
/// <param name="ValidationLoss">Best validation loss, or null without validation.</param>
/// <param name="StoppedBecause">"epochs", "early stopping" or "time budget".</param>
/// <param name="TrainingWindows">Training windows per epoch.</param>
/// <param name="Elapsed">Wall-clock time of training.</param>
public sealed record ForecastTrainingRecord(int Epochs, int BestEpoch, double TrainingLoss, double? ValidationLoss, string StoppedBecause,
    int TrainingWindows, TimeSpan Elapsed);
