namespace LstmText.Metrics;

/// <summary>The validation score that picks a classifier's best checkpoint and drives early stopping.</summary>
public enum ClassificationMetric
{
    /// <summary>The mean of the per-class F1 scores (the default): every class counts the same, however rare.</summary>
    MacroF1,

    /// <summary>The share of examples labelled right.</summary>
    Accuracy,
}
