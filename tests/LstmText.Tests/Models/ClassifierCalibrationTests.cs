using System.Text.Json;
using LstmText.Data;
using LstmText.Generation;
using LstmText.IO;
using LstmText.Layers;
using LstmText.Metrics;
using LstmText.Models;
using LstmText.Optimizers;
using LstmText.Tensors;
using LstmText.Tokenizers;
using LstmText.Tests.IO;

namespace LstmText.Tests.Models;

/// <summary>
/// Temperature scaling, the expected calibration error, the temperature and text length in the model file, and that
/// files written before either existed answer as they did.
/// </summary>
public sealed class ClassifierCalibrationTests
{
    private static readonly string[] Texts =
    [
        "a good film", "good acting", "really good", "the plot was good", "so good", "a bad film", "bad acting",
        "really bad", "the plot was bad", "so bad", "good and bad", "bad but good", "the film", "a plot",
    ];

    private static TextClassifier Tiny(ulong seed = 1) =>
        new(WordTokenizer.Build(Texts), ["negative", "positive"], new TextClassifierArchitecture { EmbeddingSize = 6, HiddenSize = 5, Bidirectional = true },
            new RandomSource(seed));

    /// <summary>Scales the head's weights and bias so the logits grow by <paramref name="factor"/>: an over-confident copy.</summary>
    private static void ScaleHead(TextClassifier classifier, float factor)
    {
        foreach (var (name, parameter) in classifier.NamedParameters.Where(p => p.Name.StartsWith("head.", StringComparison.Ordinal)))
        {
            var values = parameter.Value.HostSpan;
            for (int i = 0; i < values.Length; i++) values[i] *= factor;
            parameter.MarkChanged();
        }
    }

    private static double[] Softmax(ReadOnlySpan<float> logits, double temperature)
    {
        double max = double.NegativeInfinity;
        foreach (float z in logits) max = Math.Max(max, z / temperature);
        var p = new double[logits.Length];
        double sum = 0;
        for (int c = 0; c < p.Length; c++) sum += p[c] = Math.Exp(logits[c] / temperature - max);
        for (int c = 0; c < p.Length; c++) p[c] /= sum;
        return p;
    }

    [Fact]
    public void A_fitted_temperature_lowers_the_likelihood_loss_of_an_over_confident_model_to_its_minimum()
    {
        // 200 two-class predictions, each with a logit margin of 5 for its predicted class, right 70 % of the time: the
        // softmax says 0.9933 where 0.70 is true, so the best temperature solves sigmoid(5 / T) = 0.7: T = 5 / ln(7/3).
        int n = 200;
        var logits = new float[n * 2];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            int predicted = i % 2;
            logits[i * 2 + predicted] = 5;
            labels[i] = i % 10 < 7 ? predicted : 1 - predicted;
        }
        double before = TemperatureScaling.NegativeLogLikelihood(logits, 2, labels, 1);
        double t = TemperatureScaling.Fit(logits, 2, labels);
        double after = TemperatureScaling.NegativeLogLikelihood(logits, 2, labels, t);
        Assert.Equal(5 / Math.Log(7.0 / 3.0), t, 4);
        Assert.True(after < before / 2, $"NLL {before} -> {after}");
        // -(0.7 ln 0.7 + 0.3 ln 0.3), the entropy of the truth: the least NLL any temperature can reach here.
        Assert.Equal(-(0.7 * Math.Log(0.7) + 0.3 * Math.Log(0.3)), after, 6);
        Assert.True(TemperatureScaling.NegativeLogLikelihood(logits, 2, labels, t * 1.05) > after);
        Assert.True(TemperatureScaling.NegativeLogLikelihood(logits, 2, labels, t / 1.05) > after);
    }

    [Fact]
    public void Fitting_a_classifiers_temperature_on_held_out_examples_softens_an_over_confident_classifier()
    {
        var classifier = Tiny();
        ScaleHead(classifier, 40);
        // Labels that disagree with many of its predictions: an over-confident classifier.
        var examples = Texts.Select((t, i) => new LabelledExample(t, i % 3 == 0 ? "negative" : "positive", i + 1)).ToArray();
        var loss = classifier.Evaluate(examples).Loss!.Value;
        var (calibrated, fit) = classifier.Calibrate(examples);
        Assert.True(fit.Temperature > 1, $"T = {fit.Temperature}");
        Assert.Equal(fit.Temperature, calibrated.Temperature);
        Assert.Equal(1, classifier.Temperature);
        Assert.Equal(loss, fit.LossBefore, loss * 1e-4);
        Assert.True(fit.LossAfter < fit.LossBefore, $"{fit.LossBefore} -> {fit.LossAfter}");
        Assert.Equal(fit.LossAfter, calibrated.Evaluate(examples).Loss!.Value, fit.LossAfter * 1e-4);
        Assert.Equal(loss, classifier.Evaluate(examples).Loss!.Value, loss * 1e-6);
    }

    [Fact]
    public void Predict_reports_the_softmax_of_the_logits_divided_by_the_temperature_and_keeps_the_label()
    {
        var classifier = Tiny();
        ScaleHead(classifier, 5);
        var logits = classifier.Logits(Texts);
        var untempered = classifier.PredictBatch(Texts);
        classifier.Temperature = 3.5;
        var tempered = classifier.PredictBatch(Texts);
        for (int i = 0; i < Texts.Length; i++)
        {
            var expected = Softmax(logits.AsSpan(i * 2, 2), 3.5);
            Assert.Equal(expected[0], tempered[i].Probabilities[0], 5);
            Assert.Equal(expected[1], tempered[i].Probabilities[1], 5);
            Assert.Equal(untempered[i].Label, tempered[i].Label);
            Assert.Equal(tempered[i].Probabilities[0], classifier.Predict(Texts[i]).Probabilities[0], 6);
        }
        Assert.Contains(Enumerable.Range(0, Texts.Length), i => Math.Abs(untempered[i].Confidence - tempered[i].Confidence) > 0.01);
    }

    [Fact]
    public void The_expected_calibration_error_of_six_predictions_equals_the_sum_worked_by_hand()
    {
        // 15 bins of width 1/15: 0.55 → (8/15, 9/15], 0.62 → (9/15, 10/15], 0.70 and 0.72 → (10/15, 11/15],
        // 0.90 → (13/15, 14/15], 0.95 → (14/15, 1].
        double[] confidences = [0.95, 0.90, 0.72, 0.70, 0.55, 0.62];
        bool[] correct = [true, false, true, true, false, true];
        double byHand = (Math.Abs(1 - 0.95) + Math.Abs(0 - 0.90) + 2 * Math.Abs(1 - 0.71) + Math.Abs(0 - 0.55) + Math.Abs(1 - 0.62)) / 6;
        Assert.Equal(0.41, byHand, 12);
        Assert.Equal(byHand, ClassificationReport.CalibrationError(confidences, correct), 12);
        // One bin for all six: |4/6 − mean confidence|.
        Assert.Equal(Math.Abs(4.0 / 6 - confidences.Average()), ClassificationReport.CalibrationError(confidences, correct, bins: 1), 12);

        var report = ClassificationReport.FromPredictions(["a", "b"], [0, 1, 0, 0, 1, 1], [0, 0, 0, 0, 0, 1], confidences: confidences);
        Assert.Equal(byHand, report.ExpectedCalibrationError!.Value, 12);
        Assert.Equal(byHand, JsonDocument.Parse(report.ToJson()).RootElement.GetProperty("ece").GetDouble(), 12);
    }

    [Fact]
    public void Evaluate_reports_the_calibration_error_of_the_confidences_that_predict_gives()
    {
        var classifier = Tiny();
        ScaleHead(classifier, 3);
        classifier.Temperature = 0.7;
        var examples = Texts.Select((t, i) => new LabelledExample(t, t.Contains("good") ? "positive" : "negative", i + 1)).ToArray();
        var predictions = classifier.PredictBatch(Texts);
        double expected = ClassificationReport.CalibrationError(predictions.Select(p => (double)p.Confidence).ToArray(),
            predictions.Select((p, i) => p.Label == examples[i].Label).ToArray());
        Assert.Equal(expected, classifier.Evaluate(examples).ExpectedCalibrationError!.Value, 6);
    }

    [Fact]
    public void A_small_temperature_or_huge_logits_give_probabilities_not_nan()
    {
        var classifier = Tiny();
        ScaleHead(classifier, 5000);
        classifier.Temperature = TemperatureScaling.MinimumTemperature;
        foreach (var prediction in classifier.PredictBatch(Texts))
        {
            Assert.All(prediction.Probabilities, p => Assert.InRange(p, 0f, 1f));
            Assert.Equal(1f, prediction.Probabilities.Sum(), 1e-5f);
        }
    }

    [Fact]
    public void The_temperature_and_the_text_length_round_trip_through_a_model_file()
    {
        var classifier = Tiny();
        classifier.Temperature = 2.5;
        classifier.MaxTokens = 3;
        using var folder = new TemporaryFolder();
        classifier.Save(folder.File("c.safetensors"));
        var config = ModelFile.Read(folder.File("c.safetensors")).Config;
        Assert.Equal(2.5, config.Extras!["temperature"].GetDouble());
        Assert.Equal(3, config.Extras["max_tokens"].GetInt32());
        var loaded = TextClassifier.Load(folder.File("c.safetensors"));
        Assert.Equal(2.5, loaded.Temperature);
        Assert.Equal(3, loaded.MaxTokens);
        Assert.Equal(classifier.PredictBatch(Texts).Select(p => p.Probabilities.ToArray()), loaded.PredictBatch(Texts).Select(p => p.Probabilities.ToArray()));
        // Three tokens: "the plot was good" reads as "the plot was".
        Assert.Equal(loaded.Predict("the plot was").Probabilities, loaded.Predict("the plot was good").Probabilities);
    }

    [Fact]
    public void A_model_file_with_a_temperature_that_is_not_a_positive_number_is_refused_by_name()
    {
        var file = Tiny().ToModelFile();
        var extras = new Dictionary<string, JsonElement>(file.Config.Extras!) { ["temperature"] = JsonSerializer.SerializeToElement(-1) };
        var bad = new ModelFile(new ModelConfig
        {
            Kind = file.Config.Kind, VocabSize = file.Config.VocabSize, EmbeddingDim = file.Config.EmbeddingDim, HiddenSize = file.Config.HiddenSize,
            NumLayers = file.Config.NumLayers, Bidirectional = file.Config.Bidirectional, Dropout = file.Config.Dropout, Extras = extras,
        }, file.Tensors) { Tokenizer = file.Tokenizer };
        using var folder = new TemporaryFolder();
        bad.Write(folder.File("bad.safetensors"));
        var e = Assert.Throws<ModelFileFormatException>(() => TextClassifier.Load(folder.File("bad.safetensors")));
        Assert.Contains("'temperature'", e.Message);
    }

    [Fact]
    public void A_file_written_before_temperature_and_max_tokens_answers_as_it_did()
    {
        // A copy of the bundled corpora/sentiment/sentiment.safetensors as it was before the temperature and the text
        // length were recorded, and its probabilities from the code of that time (tests/.../models/*.predictions.json).
        string folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "models");
        var classifier = TextClassifier.Load(Path.Combine(folder, "sentiment-uci-v1.safetensors"));
        Assert.False(ModelFile.Read(Path.Combine(folder, "sentiment-uci-v1.safetensors")).Config.Extras!.ContainsKey("temperature"));
        Assert.Equal(1, classifier.Temperature);
        Assert.Equal(512, classifier.MaxTokens); // from its training record's "max_tokens=512"
        using var golden = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "sentiment-uci-v1.predictions.json")));
        var rows = golden.RootElement.GetProperty("predictions").EnumerateArray().ToArray();
        var predictions = classifier.PredictBatch(rows.Select(r => r.GetProperty("text").GetString()!).ToArray());
        for (int i = 0; i < rows.Length; i++)
        {
            float[] expected = rows[i].GetProperty("probabilities").EnumerateArray().Select(p => p.GetSingle()).ToArray();
            // The same label and the same probabilities to float rounding (the softmax now subtracts the largest logit first).
            Assert.Equal(expected.Length, predictions[i].Probabilities.Count);
            for (int c = 0; c < expected.Length; c++) Assert.Equal(expected[c], predictions[i].Probabilities[c], 1e-6f);
        }
    }

    [Fact]
    public void A_file_without_max_tokens_takes_it_from_its_training_record_else_the_default()
    {
        var classifier = Tiny();
        using var folder = new TemporaryFolder();
        foreach (var (record, expected) in new (string?, int)[]
        {
            ("{\"settings\":\"Adam lr=0.001 batch=32 clip=5 max_tokens=77 best_by=macro_f1 seed=1\"}", 77),
            ("{\"settings\":\"Adam lr=0.001\"}", TextClassifier.DefaultMaxTokens),
            (null, TextClassifier.DefaultMaxTokens),
        })
        {
            var file = classifier.ToModelFile();
            var extras = file.Config.Extras!.Where(p => p.Key is not ("max_tokens" or "temperature")).ToDictionary(p => p.Key, p => p.Value);
            var old = new ModelFile(new ModelConfig
            {
                Kind = file.Config.Kind, VocabSize = file.Config.VocabSize, EmbeddingDim = file.Config.EmbeddingDim, HiddenSize = file.Config.HiddenSize,
                NumLayers = file.Config.NumLayers, Bidirectional = file.Config.Bidirectional, Dropout = file.Config.Dropout, Extras = extras,
            }, file.Tensors) { Tokenizer = file.Tokenizer, Training = record };
            old.Write(folder.File("old.safetensors"));
            var loaded = TextClassifier.Load(folder.File("old.safetensors"));
            Assert.Equal(expected, loaded.MaxTokens);
            Assert.Equal(1, loaded.Temperature);
        }
    }

    [Fact]
    public void The_bundled_sentiment_model_loads_and_without_a_temperature_answers_with_the_plain_softmax()
    {
        string? path = null;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null && path is null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "corpora", "sentiment", "sentiment.safetensors");
            if (File.Exists(candidate)) path = candidate;
        }
        Assert.NotNull(path);
        var classifier = TextClassifier.Load(path);
        bool old = !ModelFile.Read(path).Config.Extras!.ContainsKey("temperature");
        if (old) Assert.Equal(1, classifier.Temperature);
        var logits = classifier.Logits(Texts);
        var predictions = classifier.PredictBatch(Texts);
        for (int i = 0; i < Texts.Length; i++)
        {
            var expected = Softmax(logits.AsSpan(i * 2, 2), classifier.Temperature);
            Assert.Equal(expected[1], predictions[i].Probabilities[1], 5);
        }
    }
}
