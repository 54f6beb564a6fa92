using System.Collections.Concurrent;
using LstmText.Compute;
using LstmText.Data;
using LstmText.Layers;
using LstmText.Tensors;

namespace LstmText.Models;

/// <summary>
/// A classifier's batched inference: texts encoded concurrently, sorted by length and run in padded batches of similar
/// lengths, each batch on a replica of the network (its own buffers over the shared, read-only weights) borrowed from a
/// pool, with one token table shared by every thread. Facades over the same weights (a classifier and its
/// <see cref="TextClassifier.WithTemperature"/> copy) share one.
/// </summary>
internal sealed class ClassifierInference
{
    private readonly ClassifierNetwork _network;
    private readonly ConcurrentBag<ClassifierNetwork> _replicas = [];
    private readonly IBackend _backend;
    private readonly int _paddingId;

    public ClassifierInference(ClassifierNetwork network, int paddingId, long tokenTableMemoryLimit)
    {
        _network = network;
        _backend = network.Backend;
        _paddingId = paddingId;
        TokenTable = new TokenProjectionCache(network.Embedding, network.Lstm, tokenTableMemoryLimit);
    }

    /// <summary>The token table's rules and state.</summary>
    public TokenProjectionCache TokenTable { get; }

    /// <summary>Encodes every text (concurrently), reporting the first bad one in input order.</summary>
    public int[][] EncodeAll(IReadOnlyList<string> texts, Func<string, int[]> encode)
    {
        var encoded = new int[texts.Count][];
        // Tokenizing runs concurrently too, in runs of at least 64 texts; each run stops at its first bad text, and the
        // first of those in input order is reported, as a sequential loop would.
        int runs = Math.Min(_backend.Concurrency * 4, (texts.Count + 63) / 64);
        var failures = new ArgumentException?[runs];
        _backend.RunConcurrently(runs, run =>
        {
            int end = (int)((long)texts.Count * (run + 1) / runs);
            for (int i = (int)((long)texts.Count * run / runs); i < end; i++)
            {
                try
                {
                    encoded[i] = encode(texts[i] ?? throw new ArgumentException("The text is null.", nameof(texts)));
                }
                catch (ArgumentException e)
                {
                    failures[run] = new ArgumentException($"Text {i}: {e.Message}", nameof(texts), e);
                    return;
                }
            }
        });
        if (failures.FirstOrDefault(f => f is not null) is { } failure) throw failure;
        return encoded;
    }

    /// <summary>
    /// Runs encoded texts through the network in padded batches of similar lengths (at most <paramref name="batchSize"/>
    /// rows and <paramref name="batchTokens"/> padded tokens each, one row at least) and hands each batch's input
    /// indices and logits [rows, classes] to <paramref name="consume"/>, which may run on several threads at once and
    /// may change the logits (a buffer of the replica).
    /// </summary>
    public void RunBatches(int[][] encoded, int batchSize, int batchTokens, Action<int[], Tensor> consume)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchTokens);
        var order = Enumerable.Range(0, encoded.Length).OrderBy(i => encoded[i].Length).ToArray();
        // Sorted by length, a batch grows while its rows and its padded size (rows × its longest, the last) stay in bounds.
        var batches = new List<(int Start, int Count)>();
        long paddedTokens = 0;
        for (int start = 0; start < order.Length;)
        {
            int count = 1;
            while (count < batchSize && start + count < order.Length
                && (long)(count + 1) * encoded[order[start + count]].Length <= batchTokens) count++;
            batches.Add((start, count));
            paddedTokens += (long)count * encoded[order[start + count - 1]].Length;
            start += count;
        }
        var table = TokenTable.TableFor(paddedTokens);
        // Padded batches are independent: they run concurrently, each on one thread with a replica of its own, which
        // beats splitting every small per-step GEMM across threads. The longest batches (the last) start first, so
        // the threads finish together. A lone batch (one text) keeps every thread for its own work.
        _backend.RunConcurrently(batches.Count, item =>
        {
            var (start, count) = batches[batches.Count - 1 - item];
            var rows = new int[count];
            var sequences = new int[count][];
            for (int k = 0; k < count; k++) sequences[k] = encoded[rows[k] = order[start + k]];
            var batch = PaddedBatch.FromSequences(sequences, _paddingId);
            var network = RentReplica();
            try
            {
                consume(rows, network.Forward(batch.Ids, batch.Lengths, null, table));
            }
            finally
            {
                _replicas.Add(network);
            }
        });
    }

    private ClassifierNetwork RentReplica() => _replicas.TryTake(out var network) ? network : _network.WithOwnBuffers();
}
