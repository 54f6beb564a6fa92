namespace LstmText.Compute;

/// <summary>Hyper-parameters of Adam and AdamW, with PyTorch's meaning.</summary>
/// <param name="LearningRate">Step size.</param>
/// <param name="Beta1">Decay of the first-moment average.</param>
/// <param name="Beta2">Decay of the second-moment average.</param>
/// <param name="Epsilon">Added to the denominator for stability.</param>
/// <param name="WeightDecay">L2 penalty (Adam) or decoupled decay rate (AdamW).</param>
/// <param name="DecoupledWeightDecay">True for AdamW: decay the weights directly instead of the gradient.</param>
public readonly record struct AdamSettings(
    float LearningRate, float Beta1 = 0.9f, float Beta2 = 0.999f, float Epsilon = 1e-8f,
    float WeightDecay = 0f, bool DecoupledWeightDecay = false);
