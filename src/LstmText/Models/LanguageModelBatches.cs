using LstmText.Data;
using LstmText.Layers;
using LstmText.Training;

namespace LstmText.Models;

/// <summary>
/// A language model's batch source for truncated BPTT: the training ids cut into <c>B</c> parallel streams, each step a
/// window of the next <c>T</c> ids of every stream with the id after each as its target, and the LSTM state carried
/// (detached) from one window to the next within an epoch.
/// </summary>
internal sealed class LanguageModelBatches : IBatchSource<LanguageModelBatch>
{
    private readonly LanguageModelNetwork _network;
    private readonly int[] _train;
    private readonly int _window;
    private readonly int _streamLength;
    private readonly LanguageModelBatch _batch;

    public LanguageModelBatches(LanguageModelNetwork network, int[] train, int batch, int window)
    {
        _network = network;
        _train = train;
        _window = window;
        _streamLength = train.Length / batch;
        _batch = new LanguageModelBatch(batch, window);
        State = LstmState.Zeros(network.Architecture.Layers, batch, network.Architecture.HiddenSize, network.Backend);
    }

    /// <summary>The state carried into the next window (valid while <see cref="HasState"/>); saved in checkpoints.</summary>
    public LstmState State { get; }

    /// <summary>Whether the next window starts from <see cref="State"/> (false at the start of an epoch: zeros).</summary>
    public bool HasState { get; set; }

    public int StepsPerEpoch => (_streamLength - 1 + _window - 1) / _window;

    public int EpochLength => _streamLength - 1;

    public (LanguageModelBatch Batch, int Positions, long Tokens) Next(int epoch, int position)
    {
        int rows = _batch.Rows;
        int length = Math.Min(_window, _streamLength - 1 - position);
        _batch.Steps = length;
        var inputs = _batch.InputBuffer;
        var targets = _batch.TargetBuffer;
        for (int t = 0; t < length; t++)
            for (int b = 0; b < rows; b++)
            {
                inputs[t * rows + b] = _train[b * _streamLength + position + t];
                targets[t * rows + b] = _train[b * _streamLength + position + t + 1];
            }
        _batch.State = HasState ? State : null;
        return (_batch, length, (long)length * rows);
    }

    public void AfterStep()
    {
        var final = _network.Lstm.FinalState;
        _network.Backend.Copy(final.Hidden, State.Hidden);
        _network.Backend.Copy(final.Cell, State.Cell);
        HasState = true;
    }

    public void EndEpoch() => HasState = false;
}
