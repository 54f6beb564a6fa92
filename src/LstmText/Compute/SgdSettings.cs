namespace LstmText.Compute;

/// <summary>Hyper-parameters of stochastic gradient descent, with PyTorch's meaning.</summary>
/// <param name="LearningRate">Step size.</param>
/// <param name="Momentum">Momentum factor (0 for plain SGD).</param>
/// <param name="Dampening">Dampening of the momentum's gradient term.</param>
/// <param name="WeightDecay">L2 penalty added to the gradient.</param>
/// <param name="Nesterov">Use Nesterov momentum (needs momentum &gt; 0 and no dampening).</param>
public readonly record struct SgdSettings(
    float LearningRate, float Momentum = 0f, float Dampening = 0f, float WeightDecay = 0f, bool Nesterov = false);
