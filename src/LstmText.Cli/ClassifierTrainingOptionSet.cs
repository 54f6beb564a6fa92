using System.CommandLine;
using System.Globalization;
using LstmText.Data;
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
    public Option<int> MaxTokens { get; } = new("--max-tokens") { Description = "Keep the first N tokens of each text.", DefaultValueFactory = _ => ClassifierTrainingSettings.DefaultMaxTokens };
    public Option<string?> ClassWeights { get; } = new("--class-weights") { Description = "balanced (n / (k·count)), or explicit weights: negative=1,positive=3." };
    public Option<string> Metric { get; } = new("--metric") { Description = "The validation score for the best checkpoint and early stopping: macro-f1 or accuracy.", DefaultValueFactory = _ => "macro-f1" };
    public Option<int> FreezeEncoderEpochs { get; } = new("--freeze-encoder-epochs") { Description = "Train only the head for the first N epochs." };
    public Option<double> UnknownDropout { get; } = new("--unk-dropout") { Description = "While training, replace each token by <unk> with this probability (e.g. 0.05), so unseen words read as uncertain." };
    public Option<float> EncoderRateFactor { get; } = new("--encoder-lr-factor") { Description = "The embedding and LSTM learn at this factor × --lr.", DefaultValueFactory = _ => 1f };

    /// <summary>Adds the classifier options, then the data options, then the shared training options.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(MaxTokens);
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
    public TextClassifier Train(ParseResult parse, CancellationToken cancellation,
        Func<IReadOnlyList<LabelledExample>, Action<ClassifierTrainingSettings>, TextClassifier> train, string verb = "trained")
    {
        var error = parse.InvocationConfiguration.Error;
        var examples = Data.ReadData(parse, error);
        var validation = parse.GetValue(Training.ValidationFile) is { } validationPath
            ? LabelledDataOptionSet.Read(validationPath, Data.Options(parse), error)
            : null;
        var classifier = TrainingOptionSet.WithProgress(parse, progress => train(examples, t =>
        {
            Training.ApplyShared(parse, t, cancellation);
            t.ReportProgress(progress).TruncateTo(parse.GetValue(MaxTokens)).BestBy(ParseMetric(parse.GetValue(Metric)!))
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
        var record = TrainingRecord.FromJson(classifier.TrainingRecordJson!);
        error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{verb} {record.Steps} steps ({record.StoppedBecause}) on {record.TrainingExamples} examples of {classifier.ClassNames.Count} classes " +
            $"({string.Join(", ", classifier.ClassNames)}); training loss {record.TrainingLoss:F4}") +
            (record.ValidationAccuracy is { } accuracy
                ? string.Create(CultureInfo.InvariantCulture, $", validation accuracy {accuracy:F4}, macro-F1 {record.ValidationMacroF1:F4}")
                : "") + $"; wrote {parse.GetValue(Training.Out)}");
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
