using LstmText.Data;
using LstmText.Metrics;
using LstmText.Optimizers;

namespace LstmText.Training;

/// <summary>
/// How to train a text classifier, set fluently:
/// <c>t =&gt; t.Epochs(5).BatchSize(32).BalancedClassWeights().BestBy(ClassificationMetric.MacroF1).EarlyStopping(2)</c>.
/// The length of the run, optimizer, schedule, checkpoints, progress and cancellation work as for language models
/// (<see cref="TrainingSettingsBase{TSelf}"/>).
/// </summary>
public sealed class ClassifierTrainingSettings : TrainingSettingsBase<ClassifierTrainingSettings>
{
    /// <summary>The longest a text may be, in tokens, unless <see cref="TruncateTo"/> says otherwise.</summary>
    public const int DefaultMaxTokens = 512;

    internal double ValidationShare { get; private set; } = 0.1;
    internal IReadOnlyList<LabelledExample>? ValidationSet { get; private set; }
    internal bool Balanced { get; private set; }
    internal IReadOnlyDictionary<string, float>? ExplicitClassWeights { get; private set; }
    internal ClassificationMetric Metric { get; private set; } = ClassificationMetric.MacroF1;
    internal int FrozenEncoderEpochs { get; private set; }
    internal float EncoderRateFactor { get; private set; } = 1f;
    internal int MaxTokens { get; private set; } = DefaultMaxTokens;
    internal bool MaxTokensGiven { get; private set; }
    internal bool KeepsBest { get; private set; } = true;
    internal double UnknownDropout { get; private set; }

    /// <summary>Creates settings with the defaults: Adam at 2e-3, batches of 32, 10% of each class held out for validation.</summary>
    public ClassifierTrainingSettings()
    {
    }

    /// <summary>Settings with the fine-tuning defaults: a learning rate of 5e-4 instead of 2e-3.</summary>
    internal static ClassifierTrainingSettings ForFineTuning() => new() { Rate = 5e-4f };

    /// <summary>Hold out <paramref name="fraction"/> of each class for validation, picked with the seed (default 0.1; see <see cref="DataSplit.Stratified"/>).</summary>
    public ClassifierTrainingSettings ValidationFraction(double fraction)
    {
        if (!(fraction is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(fraction), $"Validation fraction {fraction} is not in [0, 1).");
        ValidationShare = fraction; ValidationSet = null; return this;
    }

    /// <summary>Validate on these examples (read from a separate file, say) and train on all the others.</summary>
    public ClassifierTrainingSettings ValidationExamples(IEnumerable<LabelledExample> examples)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ValidationSet = examples.ToArray(); ValidationShare = 0; return this;
    }

    /// <summary>Do not validate.</summary>
    public ClassifierTrainingSettings NoValidation() { ValidationSet = null; ValidationShare = 0; return this; }

    /// <summary>Weigh each class in the loss by n / (k · count): rare classes count as much as common ones (scikit-learn's <c>balanced</c>).</summary>
    public ClassifierTrainingSettings BalancedClassWeights() { Balanced = true; ExplicitClassWeights = null; return this; }

    /// <summary>Weigh each class in the loss by the weight given for it; every class of the data needs one.</summary>
    public ClassifierTrainingSettings ClassWeights(IReadOnlyDictionary<string, float> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Values.Any(w => !float.IsFinite(w) || w < 0)) throw new ArgumentException("Class weights must be finite and non-negative.", nameof(weights));
        ExplicitClassWeights = new Dictionary<string, float>(weights, StringComparer.Ordinal); Balanced = false; return this;
    }

    /// <summary>The validation score that picks the best checkpoint and that early stopping watches (default macro-F1).</summary>
    public ClassifierTrainingSettings BestBy(ClassificationMetric metric) { Metric = metric; return this; }

    /// <summary>Transfer: keep the embedding and LSTM fixed for the first <paramref name="epochs"/> epochs, training only the head (gradual unfreezing).</summary>
    public ClassifierTrainingSettings FreezeEncoderFor(int epochs) { ArgumentOutOfRangeException.ThrowIfNegative(epochs); FrozenEncoderEpochs = epochs; return this; }

    /// <summary>Transfer: the embedding and LSTM learn at <paramref name="factor"/> × the learning rate (e.g. 0.1), the head at the full rate.</summary>
    public ClassifierTrainingSettings EncoderLearningRateFactor(float factor)
    {
        if (!(factor >= 0 && float.IsFinite(factor))) throw new ArgumentOutOfRangeException(nameof(factor), $"The encoder's learning-rate factor {factor} must be finite and non-negative.");
        EncoderRateFactor = factor; return this;
    }

    /// <summary>Keep only the first <paramref name="tokens"/> tokens of each text (default <see cref="DefaultMaxTokens"/>), bounding a batch's memory and time.</summary>
    /// <remarks>The trained model records the length (the classifier's <c>MaxTokens</c>) and reads every text the same
    /// way when it predicts. Fine-tuning keeps the model's own length unless this is called.</remarks>
    public ClassifierTrainingSettings TruncateTo(int tokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tokens);
        MaxTokens = tokens; MaxTokensGiven = true; return this;
    }

    /// <summary>
    /// The model at the end holds the weights of the best validation (by <see cref="BestBy"/>), as the best checkpoint does
    /// (the default); without validation data, the last weights.
    /// </summary>
    public ClassifierTrainingSettings KeepBestWeights() { KeepsBest = true; return this; }

    /// <summary>The model at the end holds the last weights, whatever the validation said.</summary>
    public ClassifierTrainingSettings KeepLastWeights() { KeepsBest = false; return this; }

    /// <summary>Uses <paramref name="tokens"/> as the length unless <see cref="TruncateTo"/> gave one (fine-tuning: the model's own).</summary>
    internal void DefaultMaxTokensTo(int tokens)
    {
        if (!MaxTokensGiven) MaxTokens = tokens;
    }

    /// <summary>
    /// Word dropout: while training, each token of a text is replaced by the tokenizer's unknown token with this
    /// probability (default 0; e.g. 0.05), so the unknown token's vector is trained and a text of words never seen
    /// reads as uncertain. The replacements depend only on the seed, the epoch and the batch, so runs repeat and
    /// resume exactly. Validation and prediction never drop words.
    /// </summary>
    public ClassifierTrainingSettings UnknownWordDropout(double probability)
    {
        if (!(probability is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(probability), $"The unknown-word dropout {probability} is not in [0, 1).");
        UnknownDropout = probability; return this;
    }

    internal string Describe() =>
        $"{DescribeOptimizer()} max_tokens={MaxTokens} best_by={MetricName(Metric)} keep={(KeepsBest ? "best" : "last")}" +
        (FrozenEncoderEpochs > 0 ? $" freeze_encoder_epochs={FrozenEncoderEpochs}" : "") +
        (EncoderRateFactor != 1f ? $" encoder_lr_factor={EncoderRateFactor}" : "") +
        (UnknownDropout > 0 ? FormattableString.Invariant($" unk_dropout={UnknownDropout}") : "") + $" seed={RandomSeed}";

    internal static string MetricName(ClassificationMetric metric) => metric == ClassificationMetric.Accuracy ? "accuracy" : "macro_f1";
}
