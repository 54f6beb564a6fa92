using LstmText.Compute;
using LstmText.Data;
using LstmText.Layers;
using LstmText.Tensors;
using LstmText.Training;

namespace LstmText.Models;

/// <summary>
/// One working set of a classifier's layers: embedding → LSTM → pooling → dropout → head. The layers reuse their
/// buffers, so one network serves one thread; <see cref="WithOwnBuffers"/> makes another over the same parameters.
/// </summary>
/// <remarks>Memory: the weights (shared between replicas), plus each layer's buffers for the shapes it has run.</remarks>
internal sealed class ClassifierNetwork : INetwork<ClassifierBatch>
{
    private readonly Dropout _poolingDropout;
    private readonly Activation? _headActivation;
    private int[] _lengths = [];

    public ClassifierNetwork(TextClassifierArchitecture architecture, int vocabularySize, int classCount, int? paddingId,
        RandomSource random, IBackend backend)
    {
        Architecture = architecture;
        Backend = backend;
        Embedding = new Embedding(vocabularySize, architecture.EmbeddingSize, random, paddingId, backend);
        Lstm = new Lstm(architecture.EmbeddingSize, architecture.HiddenSize, random, architecture.Layers, architecture.Bidirectional,
            (float)architecture.Dropout, backend);
        int features = Lstm.OutputSize;
        Pooling = architecture.Pooling switch
        {
            SequencePooling.LastState => new LastStatePooling(architecture.HiddenSize, architecture.Directions, backend),
            SequencePooling.Mean => new MeanPooling(features, backend),
            SequencePooling.Max => new MaxPooling(features, backend),
            SequencePooling.Concat => new ConcatPooling(architecture.HiddenSize, architecture.Directions, backend),
            SequencePooling.Attention => new AttentionPooling(features, random, backend),
            _ => throw new ArgumentOutOfRangeException(nameof(architecture), architecture.Pooling, "Unknown pooling."),
        };
        _poolingDropout = new Dropout((float)architecture.PoolingDropout, backend);
        if (architecture.HeadHiddenSize > 0)
        {
            HeadHidden = new Linear(Pooling.OutputSize, architecture.HeadHiddenSize, random, backend: backend);
            _headActivation = new Activation(architecture.HeadActivation, backend);
            HeadOutput = new Linear(architecture.HeadHiddenSize, classCount, random, backend: backend);
        }
        else
        {
            HeadOutput = new Linear(Pooling.OutputSize, classCount, random, backend: backend);
        }
        NamedParameters = NameParameters();
        EncoderParameters = [Embedding.Weight, .. Lstm.Parameters];
    }

    private ClassifierNetwork(ClassifierNetwork source)
    {
        Architecture = source.Architecture;
        Backend = source.Backend;
        Embedding = source.Embedding.WithOwnBuffers();
        Lstm = source.Lstm.WithOwnBuffers();
        Pooling = source.Pooling.WithOwnBuffers();
        _poolingDropout = new Dropout(source._poolingDropout.Probability, Backend);
        HeadHidden = source.HeadHidden?.WithOwnBuffers();
        _headActivation = source._headActivation is { } a ? new Activation(a.Kind, Backend) : null;
        HeadOutput = source.HeadOutput.WithOwnBuffers();
        NamedParameters = source.NamedParameters;
        EncoderParameters = source.EncoderParameters;
    }

    public TextClassifierArchitecture Architecture { get; }

    /// <inheritdoc/>
    public IBackend Backend { get; }

    public Embedding Embedding { get; }

    public Lstm Lstm { get; }

    public IPoolingLayer Pooling { get; }

    /// <summary>The head's hidden layer (<c>head.0</c>), or null for a single-layer head.</summary>
    public Linear? HeadHidden { get; }

    /// <summary>The layer that gives the logits: <c>head</c>, or <c>head.2</c> after a hidden layer.</summary>
    public Linear HeadOutput { get; }

    /// <summary>The layers whose matrices int8 inference quantizes: the LSTM and the head.</summary>
    internal IEnumerable<IQuantizableLayer> QuantizableLayers =>
        HeadHidden is null ? [Lstm, HeadOutput] : [Lstm, HeadHidden, HeadOutput];

    /// <summary>Every parameter under its PyTorch state-dict name, encoder first.</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> NamedParameters { get; }

    /// <summary>The encoder's parameters (embedding and LSTM): what transfer copies and what freezing the encoder freezes.</summary>
    public IReadOnlyList<Parameter> EncoderParameters { get; }

    /// <summary>A network over the same parameters with buffers of its own (for inference on another thread).</summary>
    public ClassifierNetwork WithOwnBuffers() => new(this);

    INetwork<ClassifierBatch> INetwork<ClassifierBatch>.WithOwnBuffers() => WithOwnBuffers();

    /// <inheritdoc/>
    public Tensor Forward(ClassifierBatch batch, RandomSource? random) => Forward(batch.Ids, batch.Lengths, random, null);

    /// <summary>
    /// Runs time-major ids [steps·batch] with per-row lengths and returns the logits [batch, classes], a buffer reused by
    /// the next call. Dropout is on when <paramref name="random"/> is given. With a current <paramref name="table"/>
    /// (inference only: no dropout, no backward) the first LSTM layer gathers its input projection from it.
    /// </summary>
    public Tensor Forward(ReadOnlySpan<int> ids, ReadOnlySpan<int> lengths, RandomSource? random, TokenProjectionTable? table = null)
    {
        if (_lengths.Length != lengths.Length) _lengths = new int[lengths.Length];
        lengths.CopyTo(_lengths);
        return Forward(ids, _lengths, random, table);
    }

    /// <summary>
    /// Runs ids with per-row <paramref name="lengths"/> that stay as they are until the backward pass (the layers keep
    /// the array): a training batch's own lengths, which need no copy.
    /// </summary>
    private Tensor Forward(ReadOnlySpan<int> ids, int[] lengths, RandomSource? random, TokenProjectionTable? table)
    {
        if (table is not null && random is not null)
            throw new ArgumentException("A token table serves inference only; training runs without one.", nameof(table));
        int batch = lengths.Length;
        if (batch == 0 || ids.Length % batch != 0)
            throw new ArgumentException($"{ids.Length} ids do not make {batch} rows of equal padded length.", nameof(ids));
        int steps = ids.Length / batch;
        var output = table switch
        {
            { QuantizedValues: { } quantized } => Lstm.ForwardFromQuantizedTokenProjection(ids, steps, batch, quantized, lengths),
            { Values: { } values } => Lstm.ForwardFromTokenProjection(ids, steps, batch, values, lengths),
            _ when Lstm.UsesInt8Weights && random is null => ForwardInt8WithoutTable(ids, steps, batch, lengths),
            _ => Lstm.Forward(Embedding.Forward(ids, steps, batch), null, lengths, random),
        };
        var pooled = _poolingDropout.Forward(Pooling.Forward(output, lengths), random);
        if (HeadHidden is null) return HeadOutput.Forward(pooled);
        return HeadOutput.Forward(_headActivation!.Forward(HeadHidden.Forward(pooled)));
    }

    /// <summary>
    /// An int8 LSTM's forward pass without a token table, giving the same bits as with one: the batch's own tokens are
    /// projected (x·W_ihᵀ + b_ih + b_hh with the int8 W_ih) and kept as int8 rows exactly as the table keeps every token's,
    /// so a text's prediction does not depend on whether the table had been built yet.
    /// </summary>
    private Tensor ForwardInt8WithoutTable(ReadOnlySpan<int> ids, int steps, int batch, ReadOnlySpan<int> lengths)
    {
        int rows = steps * batch, length = 4 * Lstm.HiddenSize;
        var embedded = Embedding.Forward(ids, steps, batch);
        if (_projection is null || _projection.Length < Lstm.Directions * rows * length)
            _projection = Tensor.Zeros(Lstm.Directions * rows * length);
        var projection = _projection.Slice(0, Lstm.Directions * rows * length);
        Lstm.ProjectFirstLayerInput(embedded, rows, projection);
        var quantized = new Compute.Cpu.Int8Rows[Lstm.Directions];
        for (int d = 0; d < quantized.Length; d++)
            quantized[d] = Compute.Cpu.Int8Rows.Quantize(projection.Span.Slice(d * rows * length, rows * length), rows, length);
        if (_rowIds.Length < rows) _rowIds = Enumerable.Range(0, rows).ToArray();
        return Lstm.ForwardFromQuantizedTokenProjection(_rowIds.AsSpan(0, rows), steps, batch, quantized, lengths);
    }

    /// <summary>0, 1, 2, …: row r of a batch's own int8 projection is token r (<see cref="ForwardInt8WithoutTable"/>).</summary>
    private int[] _rowIds = [];

    /// <summary>The float projection <see cref="ForwardInt8WithoutTable"/> quantizes, kept for the next batch (grown as needed).</summary>
    private Tensor? _projection;

    /// <summary>Back-propagates the logits' gradient [batch, classes] through every layer, accumulating parameter gradients.</summary>
    public void Backward(Tensor logitGradient)
    {
        var gradient = HeadOutput.Backward(logitGradient);
        if (HeadHidden is not null) gradient = HeadHidden.Backward(_headActivation!.Backward(gradient));
        var sequenceGradient = Pooling.Backward(_poolingDropout.Backward(gradient));
        Embedding.Backward(Lstm.Backward(sequenceGradient));
    }

    private List<(string, Parameter)> NameParameters()
    {
        var named = new List<(string, Parameter)> { ("embedding.weight", Embedding.Weight) };
        named.AddRange(Lstm.Parameters.Select(p => ("lstm." + p.Name, p)));
        named.AddRange(Pooling.Parameters.Select(p => ("attention." + p.Name, p)));
        if (HeadHidden is null)
        {
            named.AddRange(HeadOutput.Parameters.Select(p => ("head." + p.Name, p)));
        }
        else
        {
            // PyTorch's nn.Sequential(Linear, activation, Linear) numbers its children 0, 1, 2.
            named.AddRange(HeadHidden.Parameters.Select(p => ("head.0." + p.Name, p)));
            named.AddRange(HeadOutput.Parameters.Select(p => ("head.2." + p.Name, p)));
        }
        return named;
    }
}
