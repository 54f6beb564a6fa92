using LstmText.Compute;
using LstmText.IO;
using LstmText.Tensors;
using LstmText.Tokenizers;

namespace LstmText.Models;

/// <summary>
/// ULMFiT-style transfer: a classifier whose tokenizer, embedding and LSTM come from a language model (or another
/// classifier), with a fresh pooling and head. <see cref="TextClassifier.FromLanguageModel(ITokenizer, IReadOnlyDictionary{string, Tensor}, IReadOnlyList{string}, TextClassifierArchitecture?, RandomSource?, IBackend?)"/>
/// documents the rules.
/// </summary>
internal static class ClassifierTransfer
{
    public static TextClassifier FromTensors(ITokenizer tokenizer, IReadOnlyDictionary<string, Tensor> languageModelTensors,
        IReadOnlyList<string> classNames, TextClassifierArchitecture? architecture, RandomSource? random, IBackend? backend)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(languageModelTensors);
        Tensor Required(string name) => languageModelTensors.TryGetValue(name, out var t)
            ? t
            : throw new ArgumentException($"The language model has no tensor '{name}'.", nameof(languageModelTensors));
        var embedding = Required("embedding.weight");
        var recurrent = Required("lstm.weight_hh_l0");
        if (embedding.Shape.Rank != 2 || recurrent.Shape.Rank != 2)
            throw new ArgumentException("The language model's embedding.weight and lstm.weight_hh_l0 must be matrices.", nameof(languageModelTensors));
        if (embedding.Shape[0] != tokenizer.VocabularySize)
            throw new ArgumentException($"The tokenizer has {tokenizer.VocabularySize} tokens but embedding.weight has {embedding.Shape[0]} rows.", nameof(tokenizer));
        int layers = 0;
        while (languageModelTensors.ContainsKey($"lstm.weight_ih_l{layers}")) layers++;
        bool bidirectionalSource = languageModelTensors.ContainsKey("lstm.weight_ih_l0_reverse");
        bool freshReverse = architecture?.Bidirectional == true && !bidirectionalSource;
        if (freshReverse && layers != 1)
            throw new ArgumentException($"A bidirectional classifier can take its forward direction from a one-layer language model only; this one has {layers} layers.",
                nameof(architecture));
        var encoder = (architecture ?? new TextClassifierArchitecture()) with
        {
            EmbeddingSize = embedding.Shape[1],
            HiddenSize = recurrent.Shape[1],
            Layers = layers,
            Bidirectional = bidirectionalSource || freshReverse,
        };
        var classifier = new TextClassifier(tokenizer, classNames, encoder, random, backend);
        foreach (var (name, parameter) in classifier.Network.NamedParameters)
        {
            if (!name.StartsWith("embedding.", StringComparison.Ordinal) && !name.StartsWith("lstm.", StringComparison.Ordinal)) continue;
            if (freshReverse && name.EndsWith("_reverse", StringComparison.Ordinal)) continue;
            var source = Required(name);
            if (!source.Shape.Equals(parameter.Value.Shape))
                throw new ArgumentException($"The language model's '{name}' has shape {source.Shape}; the classifier needs {parameter.Value.Shape}.", nameof(languageModelTensors));
            parameter.Load(source);
        }
        return classifier;
    }

    public static TextClassifier FromFile(string languageModelPath, IReadOnlyList<string> classNames,
        TextClassifierArchitecture? architecture, RandomSource? random, IBackend? backend)
    {
        var file = ModelFile.Read(languageModelPath);
        if (file.IsInt8)
            throw new ModelFileFormatException(languageModelPath,
                "the model file holds int8 weights (made by lstmtext quantize), which cannot be trained; start from the float model it was made from");
        if (file.Tokenizer is null)
            throw new ModelFileFormatException(languageModelPath, $"the model file has no {ModelFile.TokenizerKey} metadata to transfer");
        try
        {
            return FromTensors(Tokenizers.Tokenizer.FromJson(file.Tokenizer), file.Tensors, classNames, architecture, random, backend);
        }
        catch (ArgumentException e)
        {
            throw new ModelFileFormatException(languageModelPath, e.Message, e);
        }
    }
}
