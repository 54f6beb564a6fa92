using LstmText.Compute;
using LstmText.Tensors;

namespace LstmText.Forecasting;

/// <summary>
/// Mean squared error over every element (PyTorch <c>nn.MSELoss()</c>, reduction "mean"), or, given quantiles, the mean
/// pinball loss with the output's last dimension cycling through them.
/// </summary>
/// <remarks>Memory: one gradient the size of the prediction, reused.</remarks>
public sealed class MeanSquaredErrorLoss
{
    private readonly TensorBuffer _gradient = new(CpuBackend.Default);

    /// <summary>Returns the mean of (prediction − target)² and keeps its gradient for <see cref="Gradient"/>.</summary>
    /// <exception cref="ArgumentException">The tensors differ in size.</exception>
    public double Forward(Tensor prediction, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(target);
        if (prediction.Length != target.Length)
            throw new ArgumentException($"The prediction has {prediction.Length} values and the target {target.Length}.", nameof(target));
        var gradient = _gradient.ReuseUninitialized(prediction.Shape.Dimensions);
        var p = prediction.HostSpan;
        var y = target.HostSpan;
        var g = gradient.HostSpan;
        double sum = 0;
        float scale = 2f / p.Length;
        for (int i = 0; i < p.Length; i++)
        {
            float e = p[i] - y[i];
            sum += (double)e * e;
            g[i] = scale * e;
        }
        Gradient = gradient;
        return sum / p.Length;
    }

    /// <summary>The gradient of the last <see cref="Forward"/>'s loss with respect to the prediction (reused by the next call).</summary>
    public Tensor? Gradient { get; private set; }
}

/// <summary>
/// The mean pinball loss of quantile forecasts: element i of each row of the prediction is the forecast of quantile
/// <c>quantiles[i mod Q]</c>, and loss = mean over elements of max(q·(y − p), (q − 1)·(y − p)).
/// </summary>
public sealed class QuantileLoss
{
    private readonly float[] _quantiles;
    private readonly TensorBuffer _gradient = new(CpuBackend.Default);

    /// <summary>Creates the loss for <paramref name="quantiles"/>, each in (0, 1).</summary>
    public QuantileLoss(IReadOnlyList<double> quantiles)
    {
        ArgumentNullException.ThrowIfNull(quantiles);
        if (quantiles.Count == 0 || quantiles.Any(q => !(q > 0 && q < 1)))
            throw new ArgumentException("Quantiles must lie strictly between 0 and 1.", nameof(quantiles));
        _quantiles = quantiles.Select(q => (float)q).ToArray();
    }

    /// <summary>Returns the mean pinball loss of <paramref name="prediction"/> ([N, Q]) against <paramref name="target"/> ([N]).</summary>
    public double Forward(Tensor prediction, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(target);
        int q = _quantiles.Length;
        if (prediction.Length != target.Length * q)
            throw new ArgumentException($"The prediction has {prediction.Length} values, not {q} per target value ({target.Length}).", nameof(target));
        var gradient = _gradient.ReuseUninitialized(prediction.Shape.Dimensions);
        var p = prediction.HostSpan;
        var y = target.HostSpan;
        var g = gradient.HostSpan;
        double sum = 0;
        float scale = 1f / p.Length;
        for (int i = 0; i < p.Length; i++)
        {
            float tau = _quantiles[i % q];
            float e = y[i / q] - p[i];
            sum += Math.Max(tau * e, (tau - 1) * e);
            g[i] = e > 0 ? -tau * scale : (1 - tau) * scale;
        }
        Gradient = gradient;
        return sum / p.Length;
    }

    /// <summary>The gradient of the last <see cref="Forward"/>'s loss with respect to the prediction (reused by the next call).</summary>
    public Tensor? Gradient { get; private set; }
}
