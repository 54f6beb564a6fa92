namespace LstmText.Metrics;

/// <summary>How well a classifier does on one class.</summary>
/// <param name="Name">The class.</param>
/// <param name="Precision">Of the examples predicted as this class, the share that are (0 when none is predicted).</param>
/// <param name="Recall">Of the examples of this class, the share predicted as it (0 when there are none).</param>
/// <param name="F1">The harmonic mean of precision and recall (0 when both are 0).</param>
/// <param name="Support">The examples of this class.</param>
public sealed record ClassMetrics(string Name, double Precision, double Recall, double F1, int Support);
