using LstmText.Compute;
using LstmText.Data;
using LstmText.IO;
using LstmText.Layers;
using LstmText.Tokenizers;
using LstmText.Training;

namespace LstmText.Models;

/// <summary>
/// A fluent description of a language model to train:
/// <c>LanguageModel.Configure().CharacterLevel().Embedding(64).Lstm(512, layers: 2).Dropout(0.2).Train(corpus, t =&gt; …)</c>.
/// </summary>
public sealed class LanguageModelBuilder
{
    private Func<IEnumerable<string>, ITokenizer> _tokenizer = corpus => CharTokenizer.Build(corpus);
    private string _tokenizerRecipe = TokenizerRecipe.Char(null);
    private int _embedding = 64;
    private int _hidden = 256;
    private int _layers = 2;
    private double _dropout;
    private double _embeddingDropout;
    private bool _tie;
    private IBackend? _backend;

    internal LanguageModelBuilder()
    {
    }

    /// <summary>One token per character (Unicode scalar value), built from the corpus. The default.</summary>
    public LanguageModelBuilder CharacterLevel(CharTokenizerOptions? options = null) { _tokenizer = corpus => CharTokenizer.Build(corpus, options); _tokenizerRecipe = TokenizerRecipe.Char(options); return this; }

    /// <summary>One token per word or punctuation mark, built from the corpus.</summary>
    public LanguageModelBuilder WordLevel(WordTokenizerOptions? options = null) { _tokenizer = corpus => WordTokenizer.Build(corpus, options); _tokenizerRecipe = TokenizerRecipe.Word(options); return this; }

    /// <summary>Byte-level BPE trained on the corpus up to <paramref name="vocabularySize"/> tokens.</summary>
    public LanguageModelBuilder Bpe(int vocabularySize = 8192)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabularySize);
        _tokenizer = corpus => BpeTokenizer.Train(corpus, new BpeTrainingOptions { VocabularySize = vocabularySize });
        _tokenizerRecipe = TokenizerRecipe.Bpe(vocabularySize);
        return this;
    }

    /// <summary>Use an existing tokenizer instead of building one from the corpus.</summary>
    public LanguageModelBuilder Tokenizer(ITokenizer tokenizer) { ArgumentNullException.ThrowIfNull(tokenizer); _tokenizer = _ => tokenizer; _tokenizerRecipe = TokenizerRecipe.Given(tokenizer); return this; }

    /// <summary>The embedding size (default 64).</summary>
    public LanguageModelBuilder Embedding(int size) { _embedding = size; return this; }

    /// <summary>
    /// The LSTM's hidden size and number of stacked layers, both said: <c>.Lstm(512, layers: 2)</c>. Without this call the
    /// model is 256 × 2.
    /// </summary>
    public LanguageModelBuilder Lstm(int hiddenSize, int layers) { _hidden = hiddenSize; _layers = layers; return this; }

    /// <summary>
    /// The LSTM's hidden size with one layer (not the default two). Kept for code written before the depth had to be
    /// said; write <c>.Lstm(hiddenSize, layers: 1)</c> instead.
    /// </summary>
    [Obsolete("Lstm(hiddenSize) gives ONE layer, not the default two; say the depth: .Lstm(hiddenSize, layers: 1) or .Lstm(hiddenSize, layers: 2).")]
    public LanguageModelBuilder Lstm(int hiddenSize) => Lstm(hiddenSize, layers: 1);

    /// <summary>Dropout between LSTM layers and before the decoder, while training (default 0).</summary>
    public LanguageModelBuilder Dropout(double probability) { _dropout = probability; return this; }

    /// <summary>Dropout on the embedded tokens, while training (default 0).</summary>
    public LanguageModelBuilder EmbeddingDropout(double probability) { _embeddingDropout = probability; return this; }

    /// <summary>The decoder shares the embedding's weight; needs the embedding size to equal the hidden size.</summary>
    public LanguageModelBuilder TieWeights(bool tie = true) { _tie = tie; return this; }

    /// <summary>The backend the model trains and generates on (default <see cref="CpuBackend.Default"/>).</summary>
    public LanguageModelBuilder Backend(IBackend backend) { ArgumentNullException.ThrowIfNull(backend); _backend = backend; return this; }

    /// <summary>The architecture for a vocabulary of <paramref name="vocabularySize"/> tokens.</summary>
    /// <exception cref="ArgumentException">A size is out of range, or tying is asked with different sizes.</exception>
    public LanguageModelArchitecture ArchitectureFor(int vocabularySize)
    {
        var architecture = new LanguageModelArchitecture(vocabularySize, _embedding, _hidden, _layers, _dropout, _embeddingDropout, _tie);
        architecture.Validate();
        return architecture;
    }

    /// <summary>Builds the tokenizer from <paramref name="text"/> and trains a model on it.</summary>
    /// <exception cref="TrainingException">The corpus is empty or shorter than one window, or a checkpoint does not fit.</exception>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    /// <exception cref="OperationCanceledException">Training was cancelled (a checkpoint was written first).</exception>
    public LanguageModel Train(string text, Action<TrainingSettings>? configure = null) => Train(CorpusSource.FromText(text), configure);

    /// <summary>Builds the tokenizer from a corpus of files and trains a model on it; see <see cref="Train(string, Action{TrainingSettings}?)"/>.</summary>
    public LanguageModel Train(TextCorpus corpus, Action<TrainingSettings>? configure = null) => Train(CorpusSource.FromCorpus(corpus), configure);

    private LanguageModel Train(CorpusSource source, Action<TrainingSettings>? configure)
    {
        ArchitectureFor(1);
        var settings = new TrainingSettings();
        configure?.Invoke(settings);
        settings.TokenizerRecipe = _tokenizerRecipe;
        return LanguageModelTrainer.Train(source, _tokenizer, ArchitectureFor, settings, _backend);
    }
}
