using LstmText.Compute;
using LstmText.Layers;

namespace LstmText.Optimizers;

/// <summary>Global gradient-norm clipping (PyTorch <c>clip_grad_norm_</c>).</summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales all gradients by min(1, maxNorm / (‖g‖ + 1e-6)), where ‖g‖ is the L2 norm over every gradient together.
    /// Returns the norm before clipping.
    /// </summary>
    public static float ClipByGlobalNorm(IReadOnlyList<Parameter> parameters, float maxNorm, IBackend? backend = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxNorm);
        backend ??= CpuBackend.Default;
        double sumOfSquares = 0;
        for (int i = 0; i < parameters.Count; i++) sumOfSquares += backend.SumOfSquares(parameters[i].Gradient);
        float norm = (float)Math.Sqrt(sumOfSquares);
        float coefficient = maxNorm / (norm + 1e-6f);
        if (coefficient < 1f)
        {
            for (int i = 0; i < parameters.Count; i++) backend.Scale(parameters[i].Gradient, coefficient);
        }
        return norm;
    }
}
