using LstmText.Compute;
using LstmText.IO;
using LstmText.Layers;
using LstmText.Tensors;
using LstmText.Tokenizers;
using LstmText.Training;

namespace LstmText.Models;

/// <summary>
/// A classifier as a model file and back: the tensors under their PyTorch names, the config (with temperature and
/// max_tokens), the tokenizer and the training record; every tensor checked against the config before the network is
/// built. docs/model-format.md, section Classifier, describes the file.
/// </summary>
internal static class ClassifierFile
{
    /// <summary>A classifier from a model file read from <paramref name="path"/>; a checkpoint's <c>training.*</c> tensors are passed over.</summary>
    public static TextClassifier Read(ModelFile file, string path, IBackend? backend, long tokenTableMemoryLimit)
    {
        if (file.Config.Kind != TextClassifier.ModelKind)
            throw new ModelFileFormatException(path, $"the model is a '{file.Config.Kind}', not a '{TextClassifier.ModelKind}'");
        if (file.Tokenizer is null)
            throw new ModelFileFormatException(path, $"the classifier has no {ModelFile.TokenizerKey} metadata");
        TextClassifierArchitecture architecture;
        string[] classNames;
        ITokenizer tokenizer;
        try
        {
            (architecture, classNames) = TextClassifierArchitecture.FromConfig(file.Config);
            tokenizer = Tokenizers.Tokenizer.FromJson(file.Tokenizer);
        }
        catch (Exception e) when (e is FormatException)
        {
            throw new ModelFileFormatException(path, e.Message, e);
        }
        if (tokenizer.VocabularySize != file.Config.VocabSize)
            throw new ModelFileFormatException(path, $"the tokenizer has {tokenizer.VocabularySize} tokens but vocab_size is {file.Config.VocabSize}");
        // Every tensor is checked against the config before the network is built: the config alone sizes nothing.
        bool checkpoint = file.OtherMetadata.ContainsKey(TrainingCheckpoint.MetadataKey);
        bool int8 = file.IsInt8;
        var shapes = architecture.TensorShapes(tokenizer.VocabularySize, classNames.Length);
        file.RequireTensors(path, int8 ? Int8ModelFile.Shapes(shapes) : shapes,
            name => checkpoint && name.StartsWith(TrainingCheckpoint.TensorPrefix, StringComparison.Ordinal), "classifier");
        TextClassifier classifier;
        try
        {
            classifier = new TextClassifier(tokenizer, classNames, architecture, new RandomSource(0), backend, tokenTableMemoryLimit);
        }
        catch (ArgumentException e)
        {
            throw new ModelFileFormatException(path, e.Message, e);
        }
        if (int8)
        {
            Int8ModelFile.Load(file, path, classifier.Network.NamedParameters, classifier.Network.QuantizableLayers);
            classifier.HasFloatWeights = false;
        }
        else
        {
            foreach (var (name, parameter) in classifier.Network.NamedParameters) parameter.Load(file.Tensors[name]);
        }
        if (file.Training is not null)
        {
            try
            {
                classifier.SetTrainingRecord(TrainingRecord.FromJson(file.Training), file.Training);
            }
            catch (FormatException e)
            {
                throw new ModelFileFormatException(path, $"the training record is invalid: {e.Message}", e);
            }
        }
        var extras = file.Config.Extras ?? new Dictionary<string, System.Text.Json.JsonElement>();
        classifier.Temperature = ReadTemperature(extras, path);
        classifier.MaxTokens = ReadMaxTokens(extras, file.Training, path);
        var known = classifier.Config.Extras!;
        classifier.UnknownConfigProperties = extras.Where(p => !known.ContainsKey(p.Key) && p.Key != ModelFile.QuantizationProperty)
            .ToDictionary(p => p.Key, p => p.Value);
        return classifier;
    }

    private static double ReadTemperature(IDictionary<string, System.Text.Json.JsonElement> extras, string path)
    {
        if (!extras.TryGetValue(TextClassifier.TemperatureProperty, out var value)) return 1;
        if (value.ValueKind != System.Text.Json.JsonValueKind.Number || !value.TryGetDouble(out double temperature) || !(temperature > 0 && double.IsFinite(temperature)))
            throw new ModelFileFormatException(path, $"the classifier config property '{TextClassifier.TemperatureProperty}' is {value.GetRawText()}; it must be a positive number");
        return temperature;
    }

    private static int ReadMaxTokens(IDictionary<string, System.Text.Json.JsonElement> extras, string? trainingRecord, string path)
    {
        if (extras.TryGetValue(TextClassifier.MaxTokensProperty, out var value))
        {
            if (value.ValueKind != System.Text.Json.JsonValueKind.Number || !value.TryGetInt32(out int tokens) || tokens <= 0)
                throw new ModelFileFormatException(path, $"the classifier config property '{TextClassifier.MaxTokensProperty}' is {value.GetRawText()}; it must be a positive integer");
            return tokens;
        }
        // Files written before max_tokens was recorded: the trainer wrote it into the record's settings.
        if (trainingRecord is not null)
        {
            try
            {
                var settings = TrainingRecord.FromJson(trainingRecord).Settings ?? "";
                var match = System.Text.RegularExpressions.Regex.Match(settings, @"(?:^|\s)max_tokens=(\d{1,9})(?:\s|$)");
                if (match.Success && int.TryParse(match.Groups[1].Value, out int recorded) && recorded > 0) return recorded;
            }
            catch (FormatException)
            {
                // A record this version cannot read says nothing about the length.
            }
        }
        return TextClassifier.DefaultMaxTokens;
    }

    /// <summary>
    /// The model file with more tensors and metadata beside the classifier's own (a training checkpoint's state); an int8
    /// file (<see cref="Int8ModelFile"/>) when <paramref name="int8"/> is set or the classifier has no float weights.
    /// </summary>
    public static ModelFile Write(TextClassifier classifier, IReadOnlyDictionary<string, Tensor>? extraTensors, IReadOnlyDictionary<string, string>? extraMetadata,
        bool int8 = false)
    {
        if (int8 || !classifier.HasFloatWeights)
            return Int8ModelFile.ToInt8(WriteFloat(classifier, extraTensors, extraMetadata), classifier.Network.NamedParameters,
                classifier.Network.QuantizableLayers);
        return WriteFloat(classifier, extraTensors, extraMetadata);
    }

    private static ModelFile WriteFloat(TextClassifier classifier, IReadOnlyDictionary<string, Tensor>? extraTensors, IReadOnlyDictionary<string, string>? extraMetadata)
    {
        var tensors = classifier.Network.NamedParameters.ToDictionary(p => p.Name, p => p.Parameter.Value, StringComparer.Ordinal);
        foreach (var (name, tensor) in extraTensors ?? new Dictionary<string, Tensor>()) tensors.Add(name, tensor);
        return new ModelFile(classifier.Config, tensors)
        {
            Tokenizer = classifier.Tokenizer.ToJson(),
            Training = classifier.TrainingRecordText,
            OtherMetadata = extraMetadata ?? new Dictionary<string, string>(),
        };
    }
}
