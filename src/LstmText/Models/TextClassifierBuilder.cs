using LstmText.Compute;
using LstmText.Data;
using LstmText.IO;
using LstmText.Layers;
using LstmText.Tokenizers;
using LstmText.Training;

namespace LstmText.Models;

/// <summary>
/// A fluent description of a text classifier to train:
/// <c>TextClassifier.Configure().WordLevel().Embedding(100).Lstm(128, bidirectional: true).Pooling(SequencePooling.Concat).Train(examples, t =&gt; t.Epochs(5).BatchSize(32))</c>.
/// The class names are the training labels in ordinal order (see <see cref="LabelledData.CountClasses"/>).
/// </summary>
public sealed class TextClassifierBuilder
{
    private Func<IEnumerable<string>, ITokenizer> _tokenizer = texts => WordTokenizer.Build(texts);
    private string _tokenizerRecipe = TokenizerRecipe.Word(null);
    private TextClassifierArchitecture _architecture = new();
    private string? _languageModel;
    private IBackend? _backend;

    internal TextClassifierBuilder()
    {
    }

    /// <summary>One token per character (Unicode scalar value), built from the training texts.</summary>
    public TextClassifierBuilder CharacterLevel(CharTokenizerOptions? options = null) { _tokenizer = texts => CharTokenizer.Build(texts, options); _tokenizerRecipe = TokenizerRecipe.Char(options); return this; }

    /// <summary>One token per word or punctuation mark, built from the training texts. The default.</summary>
    public TextClassifierBuilder WordLevel(WordTokenizerOptions? options = null) { _tokenizer = texts => WordTokenizer.Build(texts, options); _tokenizerRecipe = TokenizerRecipe.Word(options); return this; }

    /// <summary>Byte-level BPE trained on the training texts up to <paramref name="vocabularySize"/> tokens.</summary>
    public TextClassifierBuilder Bpe(int vocabularySize = 8192)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabularySize);
        _tokenizer = texts => BpeTokenizer.Train(texts, new BpeTrainingOptions { VocabularySize = vocabularySize });
        _tokenizerRecipe = TokenizerRecipe.Bpe(vocabularySize);
        return this;
    }

    /// <summary>Use an existing tokenizer instead of building one from the training texts.</summary>
    public TextClassifierBuilder Tokenizer(ITokenizer tokenizer) { ArgumentNullException.ThrowIfNull(tokenizer); _tokenizer = _ => tokenizer; _tokenizerRecipe = TokenizerRecipe.Given(tokenizer); return this; }

    /// <summary>The embedding size (default 64).</summary>
    public TextClassifierBuilder Embedding(int size) { _architecture = _architecture with { EmbeddingSize = size }; return this; }

    /// <summary>The LSTM's hidden size per direction, depth and direction (default 128, one layer, left to right).</summary>
    public TextClassifierBuilder Lstm(int hiddenSize, int layers = 1, bool bidirectional = false)
    {
        _architecture = _architecture with { HiddenSize = hiddenSize, Layers = layers, Bidirectional = bidirectional };
        return this;
    }

    /// <summary>Dropout between LSTM layers while training (default 0).</summary>
    public TextClassifierBuilder Dropout(double probability) { _architecture = _architecture with { Dropout = probability }; return this; }

    /// <summary>How the LSTM's outputs become one vector per text (default <see cref="SequencePooling.Concat"/>).</summary>
    public TextClassifierBuilder Pooling(SequencePooling pooling) { _architecture = _architecture with { Pooling = pooling }; return this; }

    /// <summary>Dropout on the pooled vector while training (default 0).</summary>
    public TextClassifierBuilder PoolingDropout(double probability) { _architecture = _architecture with { PoolingDropout = probability }; return this; }

    /// <summary>A hidden layer of <paramref name="size"/> units in the head, with <paramref name="activation"/> (default: no hidden layer).</summary>
    public TextClassifierBuilder HeadHiddenLayer(int size, ActivationKind activation = ActivationKind.Relu)
    {
        _architecture = _architecture with { HeadHiddenSize = size, HeadActivation = activation };
        return this;
    }

    /// <summary>
    /// Transfer (ULMFiT): take the tokenizer, embedding and LSTM from the language model at <paramref name="path"/>;
    /// its sizes replace <see cref="Embedding"/> and <see cref="Lstm"/>. Combine with
    /// <see cref="ClassifierTrainingSettings.FreezeEncoderFor"/> and <see cref="ClassifierTrainingSettings.EncoderLearningRateFactor"/>.
    /// </summary>
    public TextClassifierBuilder FromLanguageModel(string path) { ArgumentException.ThrowIfNullOrEmpty(path); _languageModel = path; return this; }

    /// <summary>The architecture described so far (encoder sizes as given, before any transfer replaces them).</summary>
    /// <exception cref="ArgumentException">A size or probability is out of range.</exception>
    public TextClassifierArchitecture Architecture()
    {
        _architecture.Validate();
        return _architecture;
    }

    /// <summary>The backend the classifier trains and predicts on (default <see cref="CpuBackend.Default"/>).</summary>
    public TextClassifierBuilder Backend(IBackend backend) { ArgumentNullException.ThrowIfNull(backend); _backend = backend; return this; }

    /// <summary>Builds the tokenizer from the training texts (or takes the language model's) and trains a classifier.</summary>
    /// <param name="examples">The labelled examples (from <see cref="LabelledData.Read(string, DataIssues, LabelledDataOptions?)"/>, say); validation is held out of them unless the settings name a separate set.</param>
    /// <param name="configure">Sets the run: epochs, batch size, optimizer, validation, class weights, checkpoints.</param>
    /// <exception cref="TrainingException">There are no examples or fewer than two classes, a validation label is unknown, the class weights do not fit, or a checkpoint does not fit.</exception>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    /// <exception cref="OperationCanceledException">Training was cancelled (a checkpoint was written first).</exception>
    public TextClassifier Train(IEnumerable<LabelledExample> examples, Action<ClassifierTrainingSettings>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(examples);
        Architecture();
        var settings = new ClassifierTrainingSettings();
        configure?.Invoke(settings);
        settings.TokenizerRecipe = _languageModel is null ? _tokenizerRecipe : null;
        return ClassifierTrainer.Train(examples, _tokenizer, _architecture, _languageModel, settings, _backend);
    }
}
