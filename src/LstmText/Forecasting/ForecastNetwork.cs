using LstmText.Compute;
using LstmText.Layers;
using LstmText.Tensors;
using LstmText.Training;

namespace LstmText.Forecasting;

/// <summary>
/// The regressor network: an LSTM over the input window, then a linear regression head on the last hidden state
/// joined with optional direct inputs (the window's target values and the calendar of the first forecast step, an
/// autoregressive path beside the LSTM). In PyTorch terms: <c>out, _ = lstm(x); y = head(cat([out[-1], skip], 1))</c>.
/// </summary>
/// <remarks>Memory: the LSTM's buffers for one (T, B), a head input [B, H + S] and an output gradient [T, B, H], reused.</remarks>
public sealed class ForecastNetwork : ILayer, INetwork<ForecastBatch>
{
    private readonly TensorBuffer _headInput;
    private readonly TensorBuffer _lstmGradient;
    private int _steps;
    private int _batch;

    /// <summary>Creates the network, initialised like PyTorch's modules.</summary>
    /// <param name="inputFeatures">Inputs per time step.</param>
    /// <param name="hiddenSize">LSTM hidden size.</param>
    /// <param name="layers">Stacked LSTM layers.</param>
    /// <param name="skipFeatures">Direct inputs to the head besides the last hidden state (0 for none).</param>
    /// <param name="outputs">Outputs per window (horizon × quantiles).</param>
    /// <param name="random">Source of the initial weights.</param>
    /// <param name="dropout">Dropout between LSTM layers.</param>
    /// <param name="backend">The backend every layer computes on (the CPU's by default).</param>
    public ForecastNetwork(int inputFeatures, int hiddenSize, int layers, int skipFeatures, int outputs, RandomSource random, float dropout = 0f,
        IBackend? backend = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(skipFeatures);
        Backend = backend ?? CpuBackend.Default;
        (_headInput, _lstmGradient) = (new(Backend), new(Backend));
        Lstm = new Lstm(inputFeatures, hiddenSize, random, layers, dropout: dropout, backend: Backend);
        Head = new Linear(hiddenSize + skipFeatures, outputs, random, backend: Backend);
        SkipFeatures = skipFeatures;
        _headInput = new TensorBuffer(Backend);
        _lstmGradient = new TensorBuffer(Backend);
        Parameters = [.. Lstm.Parameters, .. Head.Parameters];
        NamedParameters = [.. Lstm.Parameters.Select(p => ("lstm." + p.Name, p)), .. Head.Parameters.Select(p => ("head." + p.Name, p))];
    }

    private ForecastNetwork(ForecastNetwork source)
    {
        Backend = source.Backend;
        (_headInput, _lstmGradient) = (new(Backend), new(Backend));
        Lstm = source.Lstm.WithOwnBuffers();
        Head = source.Head.WithOwnBuffers();
        SkipFeatures = source.SkipFeatures;
        _headInput = new TensorBuffer(Backend);
        _lstmGradient = new TensorBuffer(Backend);
        Parameters = source.Parameters;
        NamedParameters = source.NamedParameters;
    }

    /// <summary>The backend every layer computes on.</summary>
    public IBackend Backend { get; }

    /// <summary>The recurrent encoder.</summary>
    public Lstm Lstm { get; }

    /// <summary>The regression head, [outputs, H + S].</summary>
    public Linear Head { get; }

    /// <summary>Direct inputs to the head besides the last hidden state.</summary>
    public int SkipFeatures { get; }

    /// <inheritdoc/>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Every parameter under its file name: <c>lstm.weight_ih_l0</c>, …, <c>head.weight</c>, <c>head.bias</c>.</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> NamedParameters { get; }

    /// <summary>A network over the same parameters with buffers of its own, for inference on another thread.</summary>
    public ForecastNetwork WithOwnBuffers() => new(this);

    INetwork<ForecastBatch> INetwork<ForecastBatch>.WithOwnBuffers() => WithOwnBuffers();

    Tensor INetwork<ForecastBatch>.Forward(ForecastBatch batch, RandomSource? random) => Forward(batch.Sequence, batch.Skip, random);

    /// <summary>Runs the network over windows [T, B, F] with direct inputs [B, S]; returns [B, outputs] (reused by the next call).</summary>
    public Tensor Forward(Tensor sequence, Tensor? skip, RandomSource? random = null)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        var output = Lstm.Forward(sequence, random: random);
        _steps = sequence.Shape[0];
        _batch = sequence.Shape[1];
        int h = Lstm.HiddenSize, width = h + SkipFeatures;
        if (SkipFeatures > 0 && (skip is null || skip.Length != _batch * SkipFeatures))
            throw new ArgumentException($"The head expects {SkipFeatures} direct inputs per window.", nameof(skip));
        var headInput = _headInput.ReuseUninitialized(_batch, width);
        // Row b of the head input is [h_T of row b, skip row b]: two strided row copies on the backend.
        Backend.CopyRows(output.Slice((_steps - 1) * _batch * h, _batch * h), h, headInput.All, width, _batch, h);
        if (SkipFeatures > 0)
            Backend.CopyRows(skip!.All, SkipFeatures, headInput.Slice(h, headInput.Length - h), width, _batch, SkipFeatures);
        return Head.Forward(headInput);
    }

    /// <summary>Back-propagates the gradient of the last <see cref="Forward"/>'s output ([B, outputs]), accumulating every parameter's gradient.</summary>
    public void Backward(Tensor outputGradient)
    {
        var headGradient = Head.Backward(outputGradient);
        int h = Lstm.HiddenSize, width = h + SkipFeatures;
        var lstmGradient = _lstmGradient.Reuse(_steps, _batch, h);
        Backend.CopyRows(headGradient.All, width, lstmGradient.Slice((_steps - 1) * _batch * h, _batch * h), h, _batch, h);
        Lstm.Backward(lstmGradient);
    }
}

/// <summary>A regressor's batch: windows [T, B, F], the head's direct inputs [B, S] (or null) and the scaled targets [B, H].</summary>
internal sealed record ForecastBatch(Tensor Sequence, Tensor? Skip, Tensor Target);

/// <summary>The regressor's loss for the shared trainer step: mean squared error, or the pinball loss for quantile outputs.</summary>
internal sealed class RegressionObjective(IReadOnlyList<double> quantiles, IBackend backend) : Training.IBatchLoss<ForecastBatch>
{
    private readonly MeanSquaredErrorLoss _mse = new(backend);
    private readonly QuantileLoss? _pinball = quantiles.Count > 0 ? new QuantileLoss(quantiles, backend) : null;

    public float Forward(Tensor output, ForecastBatch batch) =>
        (float)(_pinball is null ? _mse.Forward(output, batch.Target) : _pinball.Forward(output, batch.Target));

    public Tensor Backward() => (_pinball is null ? _mse.Gradient : _pinball.Gradient)
        ?? throw new InvalidOperationException("Backward was called before Forward.");
}
