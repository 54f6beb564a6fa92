namespace LstmText.Metrics;

/// <summary>The outcome of fitting a classifier's temperature on labelled examples (<see cref="TemperatureScaling"/>).</summary>
/// <param name="Temperature">The fitted temperature T; the classifier's probabilities are softmax(logits / T).</param>
/// <param name="Examples">The examples it was fitted on.</param>
/// <param name="LossBefore">Their mean negative log-likelihood, in nats, at the temperature the classifier had before.</param>
/// <param name="LossAfter">Their mean negative log-likelihood at <paramref name="Temperature"/>.</param>
public sealed record TemperatureFit(double Temperature, int Examples, double LossBefore, double LossAfter);
