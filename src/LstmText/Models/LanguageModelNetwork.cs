using LstmText.Compute;
using LstmText.Layers;
using LstmText.Tensors;

namespace LstmText.Models;

/// <summary>
/// One working copy of a language model's layers: embedding → dropout → stacked LSTM → dropout → linear decoder.
/// </summary>
/// <remarks>
/// The layers reuse their buffers between calls, so one network serves one thread. Training owns one; every
/// generation or evaluation call clones its own from the model's weights, which keeps a loaded model immutable.
/// Memory: the weights, plus the layers' buffers for the shapes it has run.
/// </remarks>
internal sealed class LanguageModelNetwork
{
    private readonly Dropout _embeddingDropout;
    private readonly Dropout _outputDropout;
    private Tensor? _decoderInput;

    public LanguageModelNetwork(LanguageModelArchitecture architecture, RandomSource random, IBackend? backend = null)
    {
        Architecture = architecture;
        Embedding = new Embedding(architecture.VocabularySize, architecture.EmbeddingSize, random, backend: backend);
        Lstm = new Lstm(architecture.EmbeddingSize, architecture.HiddenSize, random, architecture.Layers,
            dropout: (float)architecture.Dropout, backend: backend);
        Decoder = new Linear(architecture.HiddenSize, architecture.VocabularySize, random, backend: backend);
        // As PyTorch's word_language_model example and Zaremba et al. start a language model: embedding and decoder
        // weights from U(−0.1, 0.1), decoder bias zero. nn.Embedding's N(0, 1) would give a tied decoder logits with a
        // standard deviation near √H / 2, which stalls training.
        random.FillUniform(Embedding.Weight.Value, -0.1f, 0.1f);
        random.FillUniform(Decoder.Weight.Value, -0.1f, 0.1f);
        Decoder.Bias!.Value.Clear();
        _embeddingDropout = new Dropout((float)architecture.EmbeddingDropout, backend);
        _outputDropout = new Dropout((float)architecture.Dropout, backend);
        if (architecture.TieWeights) Decoder.Weight.Load(Embedding.Weight.Value);
        var named = new List<(string, Parameter)> { ("embedding.weight", Embedding.Weight) };
        named.AddRange(Lstm.Parameters.Select(p => ("lstm." + p.Name, p)));
        named.Add(("decoder.weight", Decoder.Weight));
        named.Add(("decoder.bias", Decoder.Bias!));
        NamedParameters = named;
    }

    public LanguageModelArchitecture Architecture { get; }

    public Embedding Embedding { get; }

    public Lstm Lstm { get; }

    public Linear Decoder { get; }

    /// <summary>Every parameter under its PyTorch state-dict name (with tying, decoder.weight mirrors the embedding).</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> NamedParameters { get; }

    /// <summary>The parameters an optimizer updates: with tying, the decoder's weight is the embedding's and is left out.</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> OptimizedParameters =>
        Architecture.TieWeights ? NamedParameters.Where(p => p.Name != "decoder.weight").ToList() : NamedParameters;

    /// <summary>A new network with a copy of this one's weights and buffers of its own.</summary>
    public LanguageModelNetwork Clone()
    {
        var copy = new LanguageModelNetwork(Architecture, new RandomSource(0), Lstm.Backend);
        copy.LoadFrom(this);
        return copy;
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
        var embedded = Embedding.Forward(ids, steps, batch);
        var lstmInput = _embeddingDropout.Forward(embedded, random);
        var output = Lstm.Forward(lstmInput, state, default, random);
        _decoderInput = _outputDropout.Forward(output, random);
        return Decoder.Forward(_decoderInput);
    }

    /// <summary>Back-propagates the logits' gradient through every layer, accumulating parameter gradients.</summary>
    public void Backward(Tensor logitGradient)
    {
        var outputGradient = _outputDropout.Backward(Decoder.Backward(logitGradient));
        var inputGradient = Lstm.Backward(outputGradient);
        Embedding.Backward(_embeddingDropout.Backward(inputGradient));
    }

    /// <summary>With tying, folds the decoder's weight gradient into the embedding's before an optimizer step.</summary>
    public void GatherTiedGradients()
    {
        if (!Architecture.TieWeights) return;
        Lstm.Backend.Add(Embedding.Weight.Gradient, Decoder.Weight.Gradient, Embedding.Weight.Gradient);
    }

    /// <summary>With tying, copies the updated embedding into the decoder's weight after an optimizer step.</summary>
    public void SpreadTiedWeights()
    {
        if (Architecture.TieWeights) Decoder.Weight.Load(Embedding.Weight.Value);
    }

    /// <summary>Sets every gradient to zero.</summary>
    public void ZeroGradients()
    {
        foreach (var (_, p) in NamedParameters) p.ZeroGradient();
    }
}
