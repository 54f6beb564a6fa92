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
