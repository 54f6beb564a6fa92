using LstmText.Generation;

namespace LstmText.Models;

/// <summary>What a classifier says about one text.</summary>
/// <param name="Label">The predicted class.</param>
/// <param name="Confidence">The probability of the predicted class.</param>
/// <param name="Probabilities">The probability of every class, in the order of the class names.</param>
public sealed record ClassPrediction(string Label, float Confidence, IReadOnlyList<float> Probabilities);
