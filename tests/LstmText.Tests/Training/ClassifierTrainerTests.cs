using System.Text.Json;
using LstmText.Data;
using LstmText.IO;
using LstmText.Layers;
using LstmText.Metrics;
using LstmText.Models;
using LstmText.Tokenizers;
using LstmText.Training;
using LstmText.Tests.IO;

namespace LstmText.Tests.Training;

/// <summary>The classifier trainer on a tiny labelled set: fluent training, files beside the model, resume, class weights, transfer, stopping.</summary>
public sealed class ClassifierTrainerTests
{
    /// <summary>A tiny, separable sentiment set: "good"/"great" against "bad"/"awful", among filler words.</summary>
    internal static IReadOnlyList<LabelledExample> TinySet(int count = 40, int negativeEvery = 2)
    {
        string[] filler = ["the", "film", "was", "a", "plot", "story", "really", "cast", "and", "so"];
        var random = new Random(7);
        var examples = new List<LabelledExample>();
        for (int i = 0; i < count; i++)
        {
            bool negative = i % negativeEvery == 0;
            var words = Enumerable.Range(0, 2 + random.Next(5)).Select(_ => filler[random.Next(filler.Length)]).ToList();
            words.Insert(random.Next(words.Count + 1), negative ? (i % 3 == 0 ? "awful" : "bad") : (i % 3 == 0 ? "great" : "good"));
            examples.Add(new LabelledExample(string.Join(' ', words), negative ? "negative" : "positive", i + 2));
        }
        return examples;
    }

    private static TextClassifierBuilder Tiny() =>
        TextClassifier.Configure().WordLevel().Embedding(8).Lstm(8, bidirectional: true).Pooling(SequencePooling.Concat).PoolingDropout(0.1);

    [Fact]
    public void A_fluent_classifier_learns_the_tiny_set_and_writes_model_checkpoints_log_and_curve()
    {
        using var folder = new TemporaryFolder();
        var path = folder.File("tiny.safetensors");
        var progress = new List<TrainingProgress>();
        var classifier = Tiny().Train(TinySet(), t => t.Epochs(12).BatchSize(8).LearningRate(0.02f).SaveTo(path).ReportProgress(new Collect(progress)));

        Assert.Equal(["negative", "positive"], classifier.ClassNames);
        Assert.Equal(TinySet()[1].Label, classifier.Predict(TinySet()[1].Text).Label);
        Assert.Equal(TinySet()[2].Label, classifier.Predict(TinySet()[2].Text).Label);
        foreach (var suffix in new[] { ".last.ckpt.safetensors", ".best.ckpt.safetensors", ".log.jsonl", ".loss.svg" })
            Assert.True(File.Exists(folder.File("tiny" + suffix)), suffix);
        var log = File.ReadAllLines(folder.File("tiny.log.jsonl"));
        Assert.Equal(12, log.Length);
        using (var line = JsonDocument.Parse(log[^1])) Assert.Equal("macro_f1", line.RootElement.GetProperty("metric").GetString());
        Assert.Contains("validation macro_f1", File.ReadAllText(folder.File("tiny.loss.svg")));
        Assert.Contains(progress, p => p.ValidationScore is not null);

        var loaded = TextClassifier.Load(path);
        var record = loaded.Training!;
        Assert.Equal(36, record.TrainingExamples);
        Assert.Equal(4, record.ValidationExamples);
        Assert.Equal("epochs", record.StoppedBecause);
        Assert.Equal("macro_f1", record.ValidationMetric);
        Assert.NotNull(record.ValidationMacroF1);

        var report = loaded.Evaluate(TinySet());
        Assert.True(report.Accuracy >= 0.9, $"accuracy {report.Accuracy}");
        Assert.Equal(40, report.ConfusionMatrix.Sum(row => row.Sum()));
        Assert.Equal(report.Classes.Average(c => c.F1), report.MacroF1, 12);
        // A checkpoint loads as a model too.
        Assert.Equal(classifier.ClassNames, TextClassifier.Load(folder.File("tiny.best.ckpt.safetensors")).ClassNames);
    }

    [Fact]
    public void A_resumed_run_repeats_the_uninterrupted_run_loss_for_loss()
    {
        var straight = new List<TrainingProgress>();
        var whole = Tiny().Train(TinySet(), t => t.MaxSteps(10).BatchSize(6).Seed(4).ValidateEvery(5).ReportProgress(new Collect(straight)));

        using var folder = new TemporaryFolder();
        var path = folder.File("half.safetensors");
        var resumed = new List<TrainingProgress>();
        Tiny().Train(TinySet(), t => t.MaxSteps(5).BatchSize(6).Seed(4).ValidateEvery(5).SaveTo(path).ReportProgress(new Collect(resumed)));
        var final = Tiny().Train(TinySet(), t => t.MaxSteps(10).BatchSize(6).Seed(4).ValidateEvery(5).SaveTo(path)
            .ResumeFrom(folder.File("half.last.ckpt.safetensors")).ReportProgress(new Collect(resumed)));

        Assert.Equal(straight.Select(p => p.Loss), resumed.Select(p => p.Loss));
        Assert.Equal(straight.Select(p => p.ValidationScore), resumed.Select(p => p.ValidationScore));
        Assert.Equal(10, final.Training!.Steps);
        for (int i = 0; i < whole.Parameters.Count; i++) Assert.Equal(whole.Parameters[i].Value.ToArray(), final.Parameters[i].Value.ToArray());
    }

    [Fact]
    public void Balanced_class_weights_are_n_over_k_times_count_and_explicit_ones_must_name_every_class()
    {
        // 10 negative, 30 positive: balanced weights 40/(2·10) = 2 and 40/(2·30) = 2/3.
        var examples = TinySet(40, negativeEvery: 4);
        var classifier = Tiny().Train(examples, t => t.MaxSteps(2).BatchSize(8).NoValidation().BalancedClassWeights());
        var weights = classifier.Training!.ClassWeights!;
        Assert.Equal(2f, weights[0], 5);
        Assert.Equal(2f / 3, weights[1], 5);

        var missing = Assert.Throws<TrainingException>(() => Tiny().Train(examples,
            t => t.MaxSteps(1).NoValidation().ClassWeights(new Dictionary<string, float> { ["positive"] = 1 })));
        Assert.Contains("negative", missing.Message);
        var stray = Assert.Throws<TrainingException>(() => Tiny().Train(examples,
            t => t.MaxSteps(1).NoValidation().ClassWeights(new Dictionary<string, float> { ["positive"] = 1, ["negative"] = 2, ["neutral"] = 1 })));
        Assert.Contains("neutral", stray.Message);
        var explicitWeights = Tiny().Train(examples, t => t.MaxSteps(1).NoValidation()
            .ClassWeights(new Dictionary<string, float> { ["positive"] = 1, ["negative"] = 3 }));
        Assert.Equal([3f, 1f], explicitWeights.Training!.ClassWeights!);
    }

    [Fact]
    public void Transfer_from_a_language_model_keeps_the_encoder_frozen_for_the_first_epochs_then_trains_it()
    {
        using var folder = new TemporaryFolder();
        var lmPath = folder.File("lm.safetensors");
        var corpus = string.Join(" . ", TinySet().Select(e => e.Text));
        var lm = LanguageModel.Configure().WordLevel().Embedding(8).Lstm(8, layers: 1).Train(corpus, t => t.MaxSteps(2).BatchSize(2).SequenceLength(8).NoValidation());
        lm.Save(lmPath);
        var lmEmbedding = LstmText.IO.ModelFile.Read(lmPath).Tensors["embedding.weight"].ToArray();

        var frozen = TextClassifier.Configure().FromLanguageModel(lmPath).Pooling(SequencePooling.Mean)
            .Train(TinySet(), t => t.Epochs(1).BatchSize(8).FreezeEncoderFor(1));
        Assert.Equal(lmEmbedding, frozen.NamedParameters.Single(p => p.Name == "embedding.weight").Parameter.Value.ToArray());
        Assert.Equal(lmPath, frozen.Training!.TransferredFrom);
        Assert.All(frozen.Parameters, p => Assert.True(p.IsTrainable));

        var thawed = TextClassifier.Configure().FromLanguageModel(lmPath).Pooling(SequencePooling.Mean)
            .Train(TinySet(), t => t.Epochs(2).BatchSize(8).FreezeEncoderFor(1).EncoderLearningRateFactor(0.1f).KeepLastWeights());
        Assert.NotEqual(lmEmbedding, thawed.NamedParameters.Single(p => p.Name == "embedding.weight").Parameter.Value.ToArray());
        Assert.Equal(lm.Tokenizer.VocabularySize, thawed.Tokenizer.VocabularySize);
    }

    [Fact]
    public void Early_stopping_watches_the_chosen_metric_and_cancelling_leaves_a_checkpoint_that_resumes()
    {
        var stopped = Tiny().Train(TinySet(), t => t.Epochs(40).BatchSize(8).LearningRate(0.02f).BestBy(ClassificationMetric.Accuracy).EarlyStopping(1));
        var record = stopped.Training!;
        Assert.Equal("early-stopping", record.StoppedBecause);
        Assert.Equal("accuracy", record.ValidationMetric);

        using var folder = new TemporaryFolder();
        var path = folder.File("cancelled.safetensors");
        using var cancellation = new CancellationTokenSource();
        var error = Assert.Throws<OperationCanceledException>(() => Tiny().Train(TinySet(),
            t => t.MaxSteps(20).BatchSize(8).SaveTo(path).CancelWith(cancellation.Token).ReportProgress(new CancelAfter(3, cancellation))));
        Assert.Contains("step 3", error.Message);
        Assert.Equal("cancelled", TextClassifier.Load(path).Training!.StoppedBecause);
        var resumed = Tiny().Train(TinySet(), t => t.MaxSteps(5).BatchSize(8).SaveTo(path).ResumeFrom(folder.File("cancelled.last.ckpt.safetensors")));
        Assert.Equal(5, resumed.Training!.Steps);
    }

    [Fact]
    public void Fine_tuning_trains_a_copy_on_new_examples_of_the_same_classes()
    {
        var original = Tiny().Train(TinySet(), t => t.MaxSteps(3).BatchSize(8).NoValidation());
        var before = original.Parameters.Select(p => p.Value.ToArray()).ToArray();
        var positives = TinySet().Where(e => e.Label == "positive").ToArray();

        var tuned = original.FineTune(positives, t => t.MaxSteps(2).BatchSize(4).NoValidation());

        Assert.NotSame(original, tuned);
        Assert.Equal(original.ClassNames, tuned.ClassNames);
        for (int i = 0; i < before.Length; i++) Assert.Equal(before[i], original.Parameters[i].Value.ToArray());
        Assert.NotEqual(before[^1], tuned.Parameters[^1].Value.ToArray());
        var record = tuned.Training!;
        Assert.Equal(2, record.Steps);
        Assert.Contains("lr=0.0005", record.Settings);
        var stranger = Assert.Throws<TrainingException>(() => original.FineTune([new LabelledExample("meh", "neutral", 3)]));
        Assert.Contains("'neutral' (line 3) is not among the classifier's classes", stranger.Message);
    }

    [Fact]
    public void Bad_data_gives_clear_training_errors()
    {
        Assert.Contains("no labelled examples", Assert.Throws<TrainingException>(() => Tiny().Train([])).Message);
        var one = TinySet().Where(e => e.Label == "positive").ToArray();
        Assert.Contains("at least two", Assert.Throws<TrainingException>(() => Tiny().Train(one, t => t.NoValidation())).Message);
        var strange = Assert.Throws<TrainingException>(() => Tiny().Train(TinySet(),
            t => t.ValidationExamples([new LabelledExample("so so", "neutral", 9)])));
        Assert.Contains("'neutral' (line 9)", strange.Message);
    }

    [Fact]
    public void A_report_counts_the_confusion_matrix_and_per_class_scores_by_hand()
    {
        // truth: a a a b b c; predicted: a a b b c c
        var report = ClassificationReport.FromPredictions(["a", "b", "c"], [0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 2, 2]);
        Assert.Equal(4.0 / 6, report.Accuracy, 12);
        Assert.Equal([2, 1, 0], report.ConfusionMatrix[0]);
        Assert.Equal([0, 1, 1], report.ConfusionMatrix[1]);
        Assert.Equal(1.0, report.Classes[0].Precision, 12);
        Assert.Equal(2.0 / 3, report.Classes[0].Recall, 12);
        Assert.Equal(0.5, report.Classes[1].F1, 12);
        Assert.Equal(2.0 / 3, report.Classes[2].F1, 12);
        Assert.Equal((0.8 + 0.5 + 2.0 / 3) / 3, report.MacroF1, 12);
        using var json = JsonDocument.Parse(report.ToJson());
        Assert.Equal(3, json.RootElement.GetProperty("confusion_matrix").GetArrayLength());
        Assert.Equal("b", json.RootElement.GetProperty("classes")[1].GetProperty("name").GetString());
        Assert.True(json.RootElement.TryGetProperty("macro_f1", out _));
    }

    private sealed class Collect(List<TrainingProgress> reports) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => reports.Add(value);
    }

    private sealed class CancelAfter(int steps, CancellationTokenSource source) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Step == steps) source.Cancel();
        }
    }
}
