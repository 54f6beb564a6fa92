using LstmText.Optimizers;

namespace LstmText.Training;

/// <summary>The optimizer a training run uses.</summary>
public enum OptimizerKind
{
    /// <summary>Adam (PyTorch <c>optim.Adam</c>).</summary>
    Adam,

    /// <summary>AdamW: Adam with decoupled weight decay.</summary>
    AdamW,

    /// <summary>Stochastic gradient descent with optional momentum.</summary>
    Sgd,
}
