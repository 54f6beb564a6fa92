using LstmText.Compute;
using LstmText.IO;
using LstmText.Layers;
using LstmText.Tensors;
using System.Text.Json;

namespace LstmText.Models;

/// <summary>
/// The shape of a <see cref="TextClassifier"/>: embedding → LSTM → pooling → dropout → head
/// (one Linear layer, or Linear → activation → Linear when <see cref="HeadHiddenSize"/> is positive).
/// </summary>
public sealed record TextClassifierArchitecture
{
    /// <summary>Length E of each token's embedding.</summary>
    public int EmbeddingSize { get; init; } = 64;

    /// <summary>Hidden size H of each LSTM layer, per direction.</summary>
    public int HiddenSize { get; init; } = 128;

    /// <summary>Number of stacked LSTM layers.</summary>
    public int Layers { get; init; } = 1;

    /// <summary>Whether each LSTM layer also reads right to left.</summary>
    public bool Bidirectional { get; init; }

    /// <summary>Dropout between LSTM layers while training, in [0, 1).</summary>
    public double Dropout { get; init; }

    /// <summary>How the LSTM's outputs become one vector per text.</summary>
    public SequencePooling Pooling { get; init; } = SequencePooling.Concat;

    /// <summary>Dropout on the pooled vector while training, in [0, 1).</summary>
    public double PoolingDropout { get; init; }

    /// <summary>Width of the head's hidden layer; 0 for a head that is a single Linear layer.</summary>
    public int HeadHiddenSize { get; init; }

    /// <summary>The non-linearity after the head's hidden layer (ignored without one).</summary>
    public ActivationKind HeadActivation { get; init; } = ActivationKind.Relu;

    /// <summary>1, or 2 when bidirectional.</summary>
    public int Directions => Bidirectional ? 2 : 1;

    /// <summary>
    /// The tensors a classifier of this shape over <paramref name="vocabularySize"/> tokens and <paramref name="classCount"/>
    /// classes is made of, by PyTorch name, with their shapes (as long, so an inflated config cannot overflow them); the same
    /// names and shapes as the network's parameters.
    /// </summary>
    internal IEnumerable<(string Name, long[] Shape)> TensorShapes(int vocabularySize, int classCount)
    {
        long e = EmbeddingSize, h = HiddenSize, d = Directions;
        yield return ("embedding.weight", [vocabularySize, e]);
        for (int layer = 0; layer < Layers; layer++)
        {
            for (int direction = 0; direction < Directions; direction++)
            {
                string suffix = $"_l{layer}" + (direction == 1 ? "_reverse" : "");
                yield return ("lstm.weight_ih" + suffix, [4 * h, layer == 0 ? e : h * d]);
                yield return ("lstm.weight_hh" + suffix, [4 * h, h]);
                yield return ("lstm.bias_ih" + suffix, [4 * h]);
                yield return ("lstm.bias_hh" + suffix, [4 * h]);
            }
        }
        long features = Pooling == SequencePooling.Concat ? 3 * h * d : h * d;
        if (Pooling == SequencePooling.Attention) yield return ("attention.weight", [1, features]);
        if (HeadHiddenSize > 0)
        {
            yield return ("head.0.weight", [HeadHiddenSize, features]);
            yield return ("head.0.bias", [HeadHiddenSize]);
            yield return ("head.2.weight", [classCount, HeadHiddenSize]);
            yield return ("head.2.bias", [classCount]);
        }
        else
        {
            yield return ("head.weight", [classCount, features]);
            yield return ("head.bias", [classCount]);
        }
    }

    /// <summary>Checks every size and probability.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names it.</exception>
    public void Validate()
    {
        if (EmbeddingSize <= 0) throw new ArgumentException($"The embedding size is {EmbeddingSize}; it must be positive.", nameof(EmbeddingSize));
        if (HiddenSize <= 0) throw new ArgumentException($"The LSTM hidden size is {HiddenSize}; it must be positive.", nameof(HiddenSize));
        if (Layers <= 0) throw new ArgumentException($"The LSTM has {Layers} layers; it needs at least one.", nameof(Layers));
        if (HeadHiddenSize < 0) throw new ArgumentException($"The head's hidden size is {HeadHiddenSize}; it must be 0 (no hidden layer) or positive.", nameof(HeadHiddenSize));
        if (!(Dropout >= 0 && Dropout < 1)) throw new ArgumentException($"Dropout {Dropout} is not in [0, 1).", nameof(Dropout));
        if (!(PoolingDropout >= 0 && PoolingDropout < 1)) throw new ArgumentException($"Pooling dropout {PoolingDropout} is not in [0, 1).", nameof(PoolingDropout));
        if (!Enum.IsDefined(Pooling)) throw new ArgumentException($"Pooling {Pooling} is not a pooling.");
        if (!Enum.IsDefined(HeadActivation)) throw new ArgumentException($"HeadActivation {HeadActivation} is not an activation.");
    }

    /// <summary>The config name of a pooling: <c>last</c>, <c>mean</c>, <c>max</c>, <c>concat</c> or <c>attention</c>.</summary>
    public static string NameOf(SequencePooling pooling) => pooling switch
    {
        SequencePooling.LastState => "last",
        SequencePooling.Mean => "mean",
        SequencePooling.Max => "max",
        SequencePooling.Concat => "concat",
        SequencePooling.Attention => "attention",
        _ => throw new ArgumentOutOfRangeException(nameof(pooling), pooling, "Unknown pooling."),
    };

    /// <summary>Reads a pooling's config name (any case).</summary>
    /// <exception cref="FormatException">The name is not a pooling; the message lists the names.</exception>
    public static SequencePooling ParsePooling(string name) => name.ToLowerInvariant() switch
    {
        "last" => SequencePooling.LastState,
        "mean" => SequencePooling.Mean,
        "max" => SequencePooling.Max,
        "concat" => SequencePooling.Concat,
        "attention" => SequencePooling.Attention,
        _ => throw new FormatException($"'{name}' is not a pooling; use last, mean, max, concat or attention."),
    };

    /// <summary>The model-file config of a classifier with this architecture over the given vocabulary and classes.</summary>
    public ModelConfig ToConfig(int vocabularySize, IReadOnlyList<string> classNames)
    {
        Validate();
        return new ModelConfig
        {
            Kind = TextClassifier.ModelKind,
            VocabSize = vocabularySize,
            EmbeddingDim = EmbeddingSize,
            HiddenSize = HiddenSize,
            NumLayers = Layers,
            Bidirectional = Bidirectional,
            Dropout = Dropout,
            Extras = new Dictionary<string, JsonElement>
            {
                [ConfigNames.ClassNames] = JsonSerializer.SerializeToElement(classNames),
                [ConfigNames.Pooling] = JsonSerializer.SerializeToElement(NameOf(Pooling)),
                [ConfigNames.PoolingDropout] = JsonSerializer.SerializeToElement(PoolingDropout),
                [ConfigNames.HeadHiddenSize] = JsonSerializer.SerializeToElement(HeadHiddenSize),
                [ConfigNames.HeadActivation] = JsonSerializer.SerializeToElement(HeadActivation.ToString().ToLowerInvariant()),
            },
        };
    }

    /// <summary>Reads the architecture and the class names from a classifier's config.</summary>
    /// <exception cref="FormatException">A classifier property is missing or malformed; the message names it.</exception>
    public static (TextClassifierArchitecture Architecture, string[] ClassNames) FromConfig(ModelConfig config)
    {
        var extras = config.Extras ?? new Dictionary<string, JsonElement>();
        JsonElement Required(string name) => extras.TryGetValue(name, out var value)
            ? value
            : throw new FormatException($"the classifier config lacks the property '{name}'");
        try
        {
            var names = Required(ConfigNames.ClassNames);
            if (names.ValueKind != JsonValueKind.Array)
                throw new FormatException($"the classifier config property '{ConfigNames.ClassNames}' is not an array of strings");
            string[] classNames = names.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String
                ? e.GetString()!
                : throw new FormatException($"the classifier config property '{ConfigNames.ClassNames}' is not an array of strings")).ToArray();
            var architecture = new TextClassifierArchitecture
            {
                EmbeddingSize = config.EmbeddingDim,
                HiddenSize = config.HiddenSize,
                Layers = config.NumLayers,
                Bidirectional = config.Bidirectional,
                Dropout = config.Dropout,
                Pooling = ParsePooling(Required(ConfigNames.Pooling).GetString() ?? ""),
                PoolingDropout = extras.TryGetValue(ConfigNames.PoolingDropout, out var d) ? d.GetDouble() : 0,
                HeadHiddenSize = extras.TryGetValue(ConfigNames.HeadHiddenSize, out var h) ? h.GetInt32() : 0,
                HeadActivation = extras.TryGetValue(ConfigNames.HeadActivation, out var a) ? ParseActivation(a.GetString() ?? "") : ActivationKind.Relu,
            };
            architecture.Validate();
            return (architecture, classNames);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            throw new FormatException($"the classifier config is malformed: {e.Message}", e);
        }
    }

    private static ActivationKind ParseActivation(string name) => name.ToLowerInvariant() switch
    {
        "relu" => ActivationKind.Relu,
        "tanh" => ActivationKind.Tanh,
        _ => throw new FormatException($"'{name}' is not a head activation; use relu or tanh."),
    };

    /// <summary>The classifier's own property names in <c>lstmtext.config</c>.</summary>
    private static class ConfigNames
    {
        public const string ClassNames = "class_names";
        public const string Pooling = "pooling";
        public const string PoolingDropout = "pooling_dropout";
        public const string HeadHiddenSize = "head_hidden_size";
        public const string HeadActivation = "head_activation";
    }
}
