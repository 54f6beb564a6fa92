using System.CommandLine;
using System.Globalization;
using LstmText.Data;
using LstmText.Metrics;
using LstmText.Models;
using LstmText.Training;

namespace LstmText.Cli;

/// <summary>
/// The options and the reading, training and reporting that <c>train-classifier</c> and <c>finetune-classifier</c> share:
/// the labelled data, the shared training options, truncation, the validation metric, class weights and how the
/// encoder learns.
/// </summary>
internal sealed class ClassifierTrainingOptionSet
{
    public LabelledDataOptionSet Data { get; } = new();
    public TrainingOptionSet Training { get; } = new(languageModel: false);
    public Option<int?> MaxTokens { get; } = new("--max-tokens")
    {
        Description = $"Read the first N tokens of each text (default {ClassifierTrainingSettings.DefaultMaxTokens}; finetune-classifier: the model's). " +
            "The model records N, and evaluate and classify read texts the same way.",
    };
    public Option<string> Keep { get; } = new("--keep")
    {
        Description = "Which weights --out holds: best (the best validation's, as the .best checkpoint) or last. Without validation data: last.",
        DefaultValueFactory = _ => "best",
    };
    public Option<string?> ClassWeights { get; } = new("--class-weights") { Description = "balanced (n / (k·count)), or explicit weights: negative=1,positive=3." };
    public Option<string> Metric { get; } = new("--metric") { Description = "The validation score for the best checkpoint and early stopping: macro-f1 or accuracy.", DefaultValueFactory = _ => "macro-f1" };
    public Option<int> FreezeEncoderEpochs { get; } = new("--freeze-encoder-epochs") { Description = "Train only the head for the first N epochs." };
    public Option<double> UnknownDropout { get; } = new("--unk-dropout") { Description = "While training, replace each token by <unk> with this probability (e.g. 0.05), so unseen words read as uncertain." };
    public Option<float> EncoderRateFactor { get; } = new("--encoder-lr-factor") { Description = "The embedding and LSTM learn at this factor × --lr.", DefaultValueFactory = _ => 1f };

    /// <summary>Adds the classifier options, then the data options, then the shared training options.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(MaxTokens);
        command.Options.Add(Keep);
        command.Options.Add(ClassWeights);
        command.Options.Add(Metric);
        command.Options.Add(FreezeEncoderEpochs);
        command.Options.Add(EncoderRateFactor);
        command.Options.Add(UnknownDropout);
        UnknownDropout.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double>() is not (>= 0 and < 1)) result.AddError("--unk-dropout must be at least 0 and below 1.");
        });
        Data.AddTo(command);
        Training.AddTo(command);
    }

    /// <summary>
    /// Reads the training examples (and a separate validation file when given; skipped rows are reported on stderr),
    /// then runs <paramref name="train"/> with a progress display and settings that carry every option, and prints
    /// the summary line.
    /// </summary>
    public TextClassifier Train(ParseResult parse,
        Func<IReadOnlyList<LabelledExample>, Action<ClassifierTrainingSettings>, TextClassifier> train, string verb, CancellationToken cancellation)
    {
        var error = parse.InvocationConfiguration.Error;
        var examples = Data.ReadData(parse, error);
        var validation = parse.GetValue(Training.ValidationFile) is { } validationPath
            ? LabelledDataOptionSet.Read(validationPath, Data.Options(parse), error)
            : null;
        bool keepBest = parse.GetValue(Keep)!.ToLowerInvariant() switch
        {
            "best" => true,
            "last" => false,
            var other => throw new UsageException($"--keep must be best or last, not '{other}'"),
        };
        if (parse.GetValue(MaxTokens) is < 1 and var tooFew) throw new UsageException($"--max-tokens must be at least 1, not {tooFew}");
        var classifier = TrainingOptionSet.WithProgress(parse, progress => train(examples, t =>
        {
            Training.ApplyShared(parse, t, cancellation);
            if (parse.GetValue(MaxTokens) is { } maxTokens) t.TruncateTo(maxTokens);
            if (keepBest) t.KeepBestWeights(); else t.KeepLastWeights();
            t.ReportProgress(progress).BestBy(ParseMetric(parse.GetValue(Metric)!))
                .FreezeEncoderFor(parse.GetValue(FreezeEncoderEpochs)).EncoderLearningRateFactor(parse.GetValue(EncoderRateFactor))
                .UnknownWordDropout(parse.GetValue(UnknownDropout));
            if (validation is not null) t.ValidationExamples(validation);
            else t.ValidationFraction(parse.GetValue(Training.ValidationFraction));
            if (parse.GetValue(ClassWeights) is { } weights)
            {
                if (weights.Equals("balanced", StringComparison.OrdinalIgnoreCase)) t.BalancedClassWeights();
                else t.ClassWeights(ParseWeights(weights));
            }
        }));
        var record = classifier.Training!;
        error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{verb} {record.Steps} steps ({record.StoppedBecause}) on {record.TrainingExamples} examples of {classifier.ClassNames.Count} classes " +
            $"({string.Join(", ", classifier.ClassNames)}); training loss {record.TrainingLoss:F4}") +
            (record.ValidationAccuracy is { } accuracy
                ? string.Create(CultureInfo.InvariantCulture, $", validation accuracy {accuracy:F4}, macro-F1 {record.ValidationMacroF1:F4}")
                : "") + $"; wrote {parse.GetValue(Training.Out)}");
        error.WriteLine(record.KeptWeights == "best"
            ? string.Create(CultureInfo.InvariantCulture, $"kept the weights of the best validation (step {record.KeptStep}, {record.ValidationMetric} {record.BestValidationScore:F4}); --keep last for the last step's")
            : record.ValidationExamples is > 0
                ? $"kept the last weights (step {record.KeptStep}), as --keep last asks"
                : $"kept the last weights (step {record.KeptStep}): there is no validation data to pick the best by");
        error.WriteLine(record.Temperature is { } temperature
            ? string.Create(CultureInfo.InvariantCulture,
                $"calibrated: temperature {temperature:0.####} fitted on the {record.ValidationExamples} validation examples (loss {record.ValidationLoss:F4} -> {record.CalibratedValidationLoss:F4} nats, ECE {record.ValidationEce:F4}); texts are read up to {classifier.MaxTokens} tokens")
            : $"not calibrated (temperature 1): there is no validation data to fit it on; texts are read up to {classifier.MaxTokens} tokens");
        return classifier;
    }

    private static ClassificationMetric ParseMetric(string name) => name.ToLowerInvariant() switch
    {
        "macro-f1" or "macro_f1" or "f1" => ClassificationMetric.MacroF1,
        "accuracy" => ClassificationMetric.Accuracy,
        _ => throw new UsageException($"--metric must be macro-f1 or accuracy, not '{name}'"),
    };

    /// <summary>Reads <c>negative=1,positive=3</c>.</summary>
    private static Dictionary<string, float> ParseWeights(string text)
    {
        var weights = new Dictionary<string, float>(StringComparer.Ordinal);
        foreach (var pair in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int equals = pair.LastIndexOf('=');
            if (equals <= 0 || !float.TryParse(pair[(equals + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out float weight) || weight < 0)
                throw new UsageException($"--class-weights must be balanced or CLASS=WEIGHT pairs separated by commas (negative=1,positive=3), not '{text}'");
            weights[pair[..equals]] = weight;
        }
        return weights;
    }
}
