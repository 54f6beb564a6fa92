using LstmText.Data;
using LstmText.IO;
using LstmText.Optimizers;

namespace LstmText.Training;

/// <summary>
/// How to train or fine-tune a language model, set fluently:
/// <c>t =&gt; t.Epochs(20).BatchSize(64).SequenceLength(128).LearningRate(2e-3f)</c>.
/// </summary>
public sealed class TrainingSettings : TrainingSettingsBase<TrainingSettings>
{
    internal int Window { get; private set; } = 64;
    internal double ValidationShare { get; private set; } = 0.1;
    internal CorpusSource? Validation { get; private set; }
    internal bool GrowVocabulary { get; private set; }
    internal bool FrozenEmbedding { get; private set; }
    internal int FrozenLayers { get; private set; }

    /// <summary>Creates settings with the training defaults.</summary>
    public TrainingSettings()
    {
    }

    /// <summary>Settings with the fine-tuning defaults: a learning rate of 5e-4 instead of 2e-3.</summary>
    internal static TrainingSettings ForFineTuning() => new() { Rate = 5e-4f };

    /// <summary>Tokens per stream per step: the truncated-BPTT window (default 64).</summary>
    public TrainingSettings SequenceLength(int tokens) { ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tokens); Window = tokens; return this; }

    /// <summary>Hold out the last <paramref name="fraction"/> of the text for validation (default 0.1).</summary>
    public TrainingSettings ValidationFraction(double fraction)
    {
        if (!(fraction is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(fraction), $"Validation fraction {fraction} is not in [0, 1).");
        ValidationShare = fraction; Validation = null; return this;
    }

    /// <summary>Validate on this text instead of a share of the training text.</summary>
    public TrainingSettings ValidationText(string text) { Validation = CorpusSource.FromText(text); ValidationShare = 0; return this; }

    /// <summary>Validate on these files instead of a share of the training text.</summary>
    public TrainingSettings ValidationCorpus(TextCorpus corpus) { Validation = CorpusSource.FromCorpus(corpus); ValidationShare = 0; return this; }

    /// <summary>Do not validate.</summary>
    public TrainingSettings NoValidation() { Validation = null; ValidationShare = 0; return this; }

    /// <summary>Fine-tuning: add the new corpus's unseen tokens to the tokenizer, embedding and decoder (rows start at the mean of the old ones).</summary>
    public TrainingSettings ExtendVocabulary(bool extend = true) { GrowVocabulary = extend; return this; }

    /// <summary>Fine-tuning: keep the embedding (and a tied decoder) fixed.</summary>
    public TrainingSettings FreezeEmbedding(bool freeze = true) { FrozenEmbedding = freeze; return this; }

    /// <summary>Fine-tuning: keep the lowest <paramref name="layers"/> LSTM layers fixed.</summary>
    public TrainingSettings FreezeLowerLayers(int layers) { ArgumentOutOfRangeException.ThrowIfNegative(layers); FrozenLayers = layers; return this; }

    internal string Describe() => $"{DescribeOptimizer()} seq={Window} seed={RandomSeed}";
}
