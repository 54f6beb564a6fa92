using System.CommandLine;
using System.Globalization;

namespace LstmText.Cli;

/// <summary><c>lstmtext calibrate</c>: fits a classifier's temperature on a labelled file and writes the calibrated model.</summary>
internal static class CalibrateCommand
{
    public static Command Create()
    {
        var data = new LabelledDataOptionSet();
        var labels = new LabelMappingOptionSet();
        var model = new Option<string?>("--model") { Description = $"The classifier file (default: the bundled {ClassifyCommand.BundledModelPath})." };
        var output = new Option<string>("--out") { Description = "Where to write the calibrated classifier (written atomically; may be --model itself).", Required = true };
        var batchSize = new Option<int>("--batch-size") { Description = "Texts per forward pass.", DefaultValueFactory = _ => Models.TextClassifier.DefaultBatchSize };
        var batchTokens = EvaluateCommand.BatchTokensOption();
        var maxTokens = new Option<int?>("--max-tokens")
        {
            Description = "Also change how many tokens of a text the model reads (default: as recorded in the model, which is how it was " +
                "trained); the temperature is fitted on texts read that way.",
        };
        data.Data.Description = "Labelled examples the model was not trained on (a validation or calibration set), read like evaluate reads them.";
        var threads = ThreadsOption.Create();
        var command = new Command("calibrate",
            "Fit a classifier's temperature T on held-out labelled data (lowest negative log-likelihood of softmax(logits / T)) " +
            "and write the model with it: confidences then mean what they say; labels do not change.\n" +
            "Example: lstmtext calibrate --model sentiment.safetensors --data dev.tsv --out sentiment-calibrated.safetensors")
        {
            model, output, batchSize, batchTokens, maxTokens, threads,
        };
        data.AddTo(command);
        labels.AddTo(command);
        command.SetAction((parse, _) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var (classifier, examples) = EvaluateCommand.ReadModelAndData(parse, model, data, labels, error, "calibrate on", ThreadsOption.Backend(parse, threads));
            int rows = EvaluateCommand.PositiveValue(parse, batchSize), tokens = EvaluateCommand.PositiveValue(parse, batchTokens);
            if (parse.GetValue(maxTokens) is { } limit)
            {
                if (limit <= 0) throw new UsageException($"--max-tokens must be positive, not {limit}");
                classifier = classifier.WithMaxTokens(limit);
            }
            double before = classifier.Temperature;
            double eceBefore = classifier.Evaluate(examples, rows, tokens).ExpectedCalibrationError ?? 0;
            var (calibrated, fit) = classifier.Calibrate(examples, rows, tokens);
            double eceAfter = calibrated.Evaluate(examples, rows, tokens).ExpectedCalibrationError ?? 0;
            string path = parse.GetValue(output)!;
            calibrated.Save(path);
            error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"temperature {before:0.####} -> {fit.Temperature:0.####} fitted on {fit.Examples} examples: " +
                $"loss {fit.LossBefore:F4} -> {fit.LossAfter:F4} nats, ECE {eceBefore:F4} -> {eceAfter:F4}; reads {classifier.MaxTokens} tokens; wrote {path}"));
            return Task.FromResult(0);
        });
        return command;
    }
}
