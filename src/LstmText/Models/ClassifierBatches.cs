using LstmText.Data;
using LstmText.Tensors;
using LstmText.Training;

namespace LstmText.Models;

/// <summary>
/// A classifier's batch source: each epoch the examples shuffled, sorted (stably) by length so a batch holds similar
/// lengths and little padding, cut into batches, and the batches shuffled; each batch padded, with each token replaced
/// by the unknown token with the settings' probability. The order and the dropped tokens depend only on the seed, the
/// epoch and the position, so a resumed run finds the same batches. Filling a batch allocates nothing.
/// </summary>
internal sealed class ClassifierBatches : IBatchSource<ClassifierBatch>
{
    private readonly int[][] _ids;
    private readonly int[] _labels;
    private readonly int _batchSize;
    private readonly ulong _seed;
    private readonly double _unknownDropout;
    private readonly int? _unknownId;
    private readonly int _paddingId;
    private readonly ClassifierBatch _batch;
    private readonly RandomSource _dropRandom = new(0);
    private int[][] _batches = [];
    private int _batchesOfEpoch = -1;

    public ClassifierBatches(int[][] ids, int[] labels, int batchSize, ulong seed, double unknownDropout, int? unknownId, int paddingId)
    {
        (_ids, _labels, _batchSize, _seed) = (ids, labels, batchSize, seed);
        (_unknownDropout, _unknownId, _paddingId) = (unknownDropout, unknownId, paddingId);
        int longest = ids.Length == 0 ? 1 : ids.Max(row => row.Length);
        _batch = new ClassifierBatch(batchSize, longest);
    }

    public int StepsPerEpoch => (_ids.Length + _batchSize - 1) / _batchSize;

    public int EpochLength => StepsPerEpoch;

    public (ClassifierBatch Batch, int Positions, long Tokens) Next(int epoch, int position)
    {
        if (_batchesOfEpoch != epoch) { _batches = EpochBatches(epoch); _batchesOfEpoch = epoch; }
        var rows = _batches[position];
        var ids = _batch.Fill(rows, _ids, _labels, _paddingId);
        if (_unknownDropout > 0 && _unknownId is { } unknown)
        {
            _dropRandom.Reseed((_seed ^ 0x94D049BB133111EBUL) + (ulong)epoch * 0x9E3779B97F4A7C15UL + (ulong)position * 0xBF58476D1CE4E5B9UL);
            var lengths = _batch.Lengths;
            for (int b = 0; b < rows.Length; b++)
                for (int t = 0; t < lengths[b]; t++)
                    if (_dropRandom.NextDouble() < _unknownDropout) ids[t * rows.Length + b] = unknown;
        }
        long tokens = 0;
        foreach (int length in _batch.Lengths) tokens += length;
        return (_batch, 1, tokens);
    }

    private int[][] EpochBatches(int epoch)
    {
        var random = new RandomSource((_seed ^ 0xD1B54A32D192ED03UL) + (ulong)epoch * 0x9E3779B97F4A7C15UL);
        var order = Enumerable.Range(0, _ids.Length).ToArray();
        random.Shuffle(order.AsSpan());
        var sorted = order.OrderBy(i => _ids[i].Length).ToArray();
        var batches = sorted.Chunk(_batchSize).ToArray();
        random.Shuffle(batches.AsSpan());
        return batches;
    }
}
