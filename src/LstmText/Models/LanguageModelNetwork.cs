using LstmText.Compute;
using LstmText.Data;
using LstmText.Layers;
using LstmText.Tensors;
using LstmText.Training;

namespace LstmText.Models;

/// <summary>
/// One working copy of a language model's layers: embedding → dropout → stacked LSTM → dropout → linear decoder.
/// </summary>
/// <remarks>
/// The layers reuse their buffers between calls, so one network serves one thread. Training owns one (a copy of the
/// model's weights: <see cref="Clone"/>); every generation or evaluation call runs on a replica
/// (<see cref="WithOwnBuffers"/>) over the model's own, read-only weights. Memory: the weights, plus the layers' buffers
/// for the shapes it has run.
/// </remarks>
internal sealed class LanguageModelNetwork : INetwork<LanguageModelBatch>
{
    /// <summary>The largest token-row table (<see cref="TokenRowsMemoryLimit"/>'s default): 32 MB, a character model's few
    /// hundred kilobytes many times over, and a 10,000-word model's up to H = 200.</summary>
    internal const long DefaultTokenRowsMemoryLimit = 32L << 20;

    private readonly Dropout _embeddingDropout;
    private readonly Dropout _outputDropout;
    private Tensor? _decoderInput;
    private Tensor? _tokenRows;
    private bool[] _tokenRowReady = [];
    private long _tokenRowsVersion = -1;

    public LanguageModelNetwork(LanguageModelArchitecture architecture, RandomSource random, IBackend? backend = null)
    {
        Architecture = architecture;
        Backend = backend ?? CpuBackend.Default;
        Embedding = new Embedding(architecture.VocabularySize, architecture.EmbeddingSize, random, backend: Backend);
        Lstm = new Lstm(architecture.EmbeddingSize, architecture.HiddenSize, random, architecture.Layers,
            dropout: (float)architecture.Dropout, backend: Backend);
        Decoder = new Linear(architecture.HiddenSize, architecture.VocabularySize, random, backend: Backend);
        // As PyTorch's word_language_model example and Zaremba et al. start a language model: embedding and decoder
        // weights from U(−0.1, 0.1), decoder bias zero. nn.Embedding's N(0, 1) would give a tied decoder logits with a
        // standard deviation near √H / 2, which stalls training.
        random.FillUniform(Embedding.Weight.Value, -0.1f, 0.1f);
        random.FillUniform(Decoder.Weight.Value, -0.1f, 0.1f);
        Decoder.Bias!.Value.Clear();
        _embeddingDropout = new Dropout((float)architecture.EmbeddingDropout, Backend);
        _outputDropout = new Dropout((float)architecture.Dropout, Backend);
        if (architecture.TieWeights) Decoder.Weight.Load(Embedding.Weight.Value);
        var named = new List<(string, Parameter)> { ("embedding.weight", Embedding.Weight) };
        named.AddRange(Lstm.Parameters.Select(p => ("lstm." + p.Name, p)));
        named.Add(("decoder.weight", Decoder.Weight));
        named.Add(("decoder.bias", Decoder.Bias!));
        NamedParameters = named;
        OptimizedParameters = architecture.TieWeights ? named.Where(p => p.Item1 != "decoder.weight").ToList() : named;
    }

    private LanguageModelNetwork(LanguageModelNetwork source)
    {
        Architecture = source.Architecture;
        Backend = source.Backend;
        Embedding = source.Embedding.WithOwnBuffers();
        Lstm = source.Lstm.WithOwnBuffers();
        Decoder = source.Decoder.WithOwnBuffers();
        _embeddingDropout = new Dropout(source._embeddingDropout.Probability, Backend);
        _outputDropout = new Dropout(source._outputDropout.Probability, Backend);
        NamedParameters = source.NamedParameters;
        OptimizedParameters = source.OptimizedParameters;
    }

    public LanguageModelArchitecture Architecture { get; }

    /// <inheritdoc/>
    public IBackend Backend { get; }

    public Embedding Embedding { get; }

    public Lstm Lstm { get; }

    public Linear Decoder { get; }

    /// <summary>The layers whose matrices int8 inference quantizes: the LSTM and the decoder.</summary>
    internal IEnumerable<IQuantizableLayer> QuantizableLayers => [Lstm, Decoder];

    /// <summary>Every parameter under its PyTorch state-dict name (with tying, decoder.weight mirrors the embedding).</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> NamedParameters { get; }

    /// <summary>The parameters an optimizer updates: with tying, the decoder's weight is the embedding's and is left out.</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> OptimizedParameters { get; }

    /// <summary>A new network with a copy of this one's weights and buffers of its own (to train without changing these weights).</summary>
    public LanguageModelNetwork Clone()
    {
        var copy = new LanguageModelNetwork(Architecture, new RandomSource(0), Backend);
        copy.LoadFrom(this);
        return copy;
    }

    /// <summary>A network over the same parameters (not copies) with buffers of its own, for inference on another thread.</summary>
    public LanguageModelNetwork WithOwnBuffers() => new(this);

    INetwork<LanguageModelBatch> INetwork<LanguageModelBatch>.WithOwnBuffers() => WithOwnBuffers();

    /// <summary>The encoder's LSTM parameters of layer <paramref name="layer"/> (both directions), for freezing.</summary>
    public IEnumerable<Parameter> LstmLayerParameters(int layer)
    {
        // Lstm.Parameters holds, layer by layer and direction by direction, weight_ih, weight_hh, bias_ih, bias_hh.
        int perLayer = 4 * Lstm.Directions;
        return Lstm.Parameters.Skip(layer * perLayer).Take(perLayer);
    }

    /// <summary>Copies every weight from <paramref name="other"/>, which has the same architecture.</summary>
    public void LoadFrom(LanguageModelNetwork other)
    {
        for (int i = 0; i < NamedParameters.Count; i++)
            NamedParameters[i].Parameter.Load(other.NamedParameters[i].Parameter.Value);
    }

    /// <summary>
    /// Runs ids laid out time-major ([steps, batch]) from <paramref name="state"/> (null: zeros) and returns the
    /// logits [steps·batch, V], a buffer reused by the next call. Dropout is on when <paramref name="random"/> is given.
    /// </summary>
    public Tensor Forward(ReadOnlySpan<int> ids, int steps, int batch, LstmState? state, RandomSource? random)
    {
        if (steps * batch == 1 && ids.Length == 1 && random is null && TokenRowFor(ids[0]) is { } rows)
        {
            _decoderInput = Lstm.ForwardFromTokenProjection(ids, 1, 1, rows, default, state);
            return Decoder.Forward(_decoderInput);
        }
        var embedded = Embedding.Forward(ids, steps, batch);
        var lstmInput = _embeddingDropout.Forward(embedded, random);
        var output = Lstm.Forward(lstmInput, state, default, random);
        _decoderInput = _outputDropout.Forward(output, random);
        return Decoder.Forward(_decoderInput);
    }

    /// <summary>
    /// The largest table of first-layer token rows this network keeps for batch-1 inference steps, in bytes (V·4H floats;
    /// 0 turns the rows off and frees them). See <see cref="TokenRowFor"/>.
    /// </summary>
    internal long TokenRowsMemoryLimit { get; set; } = DefaultTokenRowsMemoryLimit;

    /// <summary>The token-row table as it stands (null until a batch-1 step has made one, or when it is off); for tests.</summary>
    internal Tensor? TokenRows => _tokenRows;

    /// <summary>
    /// For a batch-1 inference step (sampling a token at a time), the table [1, V, 4H] whose row <paramref name="id"/>
    /// holds the first layer's input projection of that token, x·W_ihᵀ + b_ih + b_hh: computed the first time the id
    /// comes, by the same one-row product a step would run (so a step from the row gives the same bits as a step from
    /// the embedding), then gathered instead of reading all of W_ih again at every step. Null when the table would
    /// exceed <see cref="TokenRowsMemoryLimit"/> or the LSTM is bidirectional. Rows computed from older weights are
    /// dropped when an embedding or first-layer input weight changes (<see cref="Parameter.Version"/>). One network
    /// serves one thread, so the rows need no lock.
    /// </summary>
    private Tensor? TokenRowFor(int id)
    {
        int rowLength = 4 * Lstm.HiddenSize, vocabulary = Embedding.VocabularySize;
        if (Lstm.Directions != 1 || (long)vocabulary * rowLength * sizeof(float) > TokenRowsMemoryLimit)
        {
            _tokenRows = null;
            _tokenRowReady = [];
            return null;
        }
        if ((uint)id >= (uint)vocabulary) return null; // the embedding refuses it with its own message
        long version = TokenProjectionTable.CurrentSourceVersion(Embedding, Lstm);
        if (_tokenRows is null || version != _tokenRowsVersion)
        {
            _tokenRows ??= Tensor.Zeros(Embedding.Weight.Value.Storage.Allocator, 1, vocabulary, rowLength);
            _tokenRowReady = new bool[vocabulary];
            _tokenRowsVersion = version;
        }
        if (!_tokenRowReady[id])
        {
            var embedded = Embedding.Forward([id], 1, 1);
            Lstm.ProjectFirstLayerInput(embedded, 1, _tokenRows.Slice(id * rowLength, rowLength));
            _tokenRowReady[id] = true;
        }
        return _tokenRows;
    }

    /// <inheritdoc/>
    public Tensor Forward(LanguageModelBatch batch, RandomSource? random) => Forward(batch.Ids, batch.Steps, batch.Rows, batch.State, random);

    /// <summary>Back-propagates the logits' gradient through every layer, accumulating parameter gradients.</summary>
    public void Backward(Tensor logitGradient)
    {
        var outputGradient = _outputDropout.Backward(Decoder.Backward(logitGradient));
        var inputGradient = Lstm.Backward(outputGradient);
        Embedding.Backward(_embeddingDropout.Backward(inputGradient));
    }

    /// <summary>With tying, folds the decoder's weight gradient into the embedding's before an optimizer step.</summary>
    public void BeforeOptimizerStep()
    {
        if (Architecture.TieWeights) Backend.Add(Embedding.Weight.Gradient, Decoder.Weight.Gradient, Embedding.Weight.Gradient);
    }

    /// <summary>With tying, copies the updated embedding into the decoder's weight after an optimizer step.</summary>
    public void AfterOptimizerStep()
    {
        if (Architecture.TieWeights) Decoder.Weight.Load(Embedding.Weight.Value);
    }
}
