using LstmText.Data;
using LstmText.Tensors;
using LstmText.Training;

namespace LstmText.Forecasting;

/// <summary>
/// A forecaster's windows, materialised once (each one's [L, F] rows, the head's direct inputs and the scaled targets),
/// and its batch source for the shared trainer: each epoch the windows in an order that depends only on the seed and the
/// epoch, cut into batches, so a resumed run finds the same batches.
/// </summary>
internal sealed class ForecastWindows(Forecaster model, int batchSize = 32, ulong seed = 1) : IBatchSource<ForecastBatch>
{
    private readonly List<float[]> _sequences = [];
    private readonly List<float[]> _skips = [];
    private readonly List<float[]> _targets = [];
    private readonly List<(PreparedSeries Series, int Origin)> _origins = [];
    private int[] _order = [];
    private int _orderOfEpoch = -1;
    private float[] _sequenceValues = [], _skipValues = [], _targetValues = [];
    private TensorBuffer? _sequenceBuffer, _skipBuffer, _targetBuffer;

    /// <summary>The windows held.</summary>
    public int Count => _sequences.Count;

    /// <summary>Each window's series and the index of its last point.</summary>
    public IReadOnlyList<(PreparedSeries Series, int Origin)> Origins => _origins;

    /// <summary>Each window's scaled (differenced) targets.</summary>
    public IReadOnlyList<float[]> Targets => _targets;

    public int StepsPerEpoch => (Count + batchSize - 1) / batchSize;

    public int EpochLength => StepsPerEpoch;

    /// <summary>Adds the window of <paramref name="p"/> that ends at <paramref name="origin"/>.</summary>
    public void Add(PreparedSeries p, int origin)
    {
        var sequence = new float[model.Settings.Lookback * model.InputFeatures];
        var skip = new float[Math.Max(1, model.SkipFeatures)];
        model.FillWindow(p, origin, sequence, skip);
        var target = new float[model.Settings.Horizon];
        for (int k = 0; k < target.Length; k++) target[k] = (float)p.Target[origin + 1 + k];
        _sequences.Add(sequence);
        _skips.Add(skip);
        _targets.Add(target);
        _origins.Add((p, origin));
    }

    public (ForecastBatch Batch, int Positions, long Tokens) Next(int epoch, int position)
    {
        if (_orderOfEpoch != epoch)
        {
            _order = Enumerable.Range(0, Count).ToArray();
            new RandomSource((seed ^ 0xD1B54A32D192ED03UL) + (ulong)epoch * 0x9E3779B97F4A7C15UL).Shuffle(_order.AsSpan());
            _orderOfEpoch = epoch;
        }
        int start = position * batchSize, b = Math.Min(batchSize, Count - start);
        return (Batch(_order.AsSpan(start, b)), 1, b);
    }

    /// <summary>The windows at <paramref name="indexes"/> as one batch.</summary>
    public ForecastBatch Batch(ReadOnlySpan<int> indexes)
    {
        int b = indexes.Length, lookback = model.Settings.Lookback, width = model.InputFeatures, horizon = model.Settings.Horizon;
        int skipWidth = Math.Max(1, model.SkipFeatures);
        // Assembled on the host in arrays kept from batch to batch, then uploaded to buffers on the network's backend
        // (each batch is used up before the next is made): a training step allocates no window memory.
        var sequenceValues = Grown(ref _sequenceValues, lookback * b * width);
        var skipValues = Grown(ref _skipValues, b * skipWidth);
        var targetValues = Grown(ref _targetValues, b * horizon);
        for (int i = 0; i < b; i++)
        {
            var rows = _sequences[indexes[i]];
            for (int t = 0; t < lookback; t++) rows.AsSpan(t * width, width).CopyTo(sequenceValues.Slice((t * b + i) * width, width));
            _skips[indexes[i]].CopyTo(skipValues.Slice(i * skipWidth, skipWidth));
            _targets[indexes[i]].CopyTo(targetValues.Slice(i * horizon, horizon));
        }
        var backend = model.Network.Backend;
        var sequence = (_sequenceBuffer ??= new TensorBuffer(backend)).ReuseUninitialized(lookback, b, width);
        sequence.Upload(sequenceValues);
        var skip = (_skipBuffer ??= new TensorBuffer(backend)).ReuseUninitialized(b, skipWidth);
        skip.Upload(skipValues);
        var target = (_targetBuffer ??= new TensorBuffer(backend)).ReuseUninitialized(b, horizon);
        target.Upload(targetValues);
        return new ForecastBatch(sequence, model.SkipFeatures > 0 ? skip : null, target);
    }

    private static Span<float> Grown(ref float[] array, int length)
    {
        if (array.Length < length) array = new float[length];
        return array.AsSpan(0, length);
    }

    /// <summary>The mean loss of every window, in batches of 256 (no dropout).</summary>
    public double Loss(ForecastNetwork network, RegressionObjective objective)
    {
        const int Size = 256;
        double sum = 0;
        var all = Enumerable.Range(0, Count).ToArray();
        for (int start = 0; start < Count; start += Size)
        {
            int b = Math.Min(Size, Count - start);
            var batch = Batch(all.AsSpan(start, b));
            sum += objective.Forward(network.Forward(batch.Sequence, batch.Skip), batch) * (double)b;
        }
        return sum / Count;
    }

    /// <summary>A fingerprint of every window's inputs and targets.</summary>
    public ulong Fingerprint()
    {
        var all = new List<int>();
        for (int i = 0; i < Count; i++)
        {
            foreach (float v in _sequences[i]) all.Add(BitConverter.SingleToInt32Bits(v));
            foreach (float v in _skips[i]) all.Add(BitConverter.SingleToInt32Bits(v));
            foreach (float v in _targets[i]) all.Add(BitConverter.SingleToInt32Bits(v));
        }
        return CorpusIds.Fingerprint(all.ToArray());
    }
}
