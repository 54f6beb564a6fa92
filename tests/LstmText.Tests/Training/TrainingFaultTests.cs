using System.Text.Json;
using LstmText.Data;
using LstmText.Generation;
using LstmText.Layers;
using LstmText.Models;
using LstmText.Training;
using LstmText.Tests.IO;
using LstmText.Tests.Models;

namespace LstmText.Tests.Training;

/// <summary>
/// Faults during training (issue 11, items 5 and 9): divergence stops the run and keeps the last good checkpoint,
/// cancelling writes the model, a resumed run refuses changed options, and the log and progress agree.
/// </summary>
public sealed class TrainingFaultTests : IDisposable
{
    private readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static LanguageModelBuilder TinyLanguageModel(int hidden = 8) => LanguageModel.Configure().Embedding(8).Lstm(hidden, layers: 1);

    private static TextClassifierBuilder TinyClassifier(int hidden = 8) =>
        TextClassifier.Configure().WordLevel().Embedding(8).Lstm(hidden).Pooling(SequencePooling.Concat);

    /// <summary>Every line of the log is JSON whose numbers are all finite.</summary>
    private static void AssertLogIsFiniteJson(string logPath)
    {
        if (!File.Exists(logPath)) return;
        foreach (var line in File.ReadAllLines(logPath))
        {
            using var json = JsonDocument.Parse(line);
            foreach (var property in json.RootElement.EnumerateObject())
                if (property.Value.ValueKind == JsonValueKind.Number) Assert.True(double.IsFinite(property.Value.GetDouble()), line);
        }
    }

    [Theory]
    [InlineData(1e6f)]
    [InlineData(1e20f)]
    public void A_language_model_whose_loss_explodes_stops_as_diverged_and_writes_no_model(float rate)
    {
        string path = _folder.File("lm.safetensors");

        var error = Assert.Throws<TrainingDivergedException>(() => TinyLanguageModel().Train(LanguageModelTests.Corpus,
            t => t.LearningRate(rate).MaxSteps(40).BatchSize(2).SequenceLength(8).ValidateEvery(2).SaveTo(path)));

        Assert.StartsWith($"training diverged at step {error.Step}: ", error.Message);
        Assert.EndsWith("Try a lower learning rate or gradient clipping.", error.Message);
        Assert.True(error.Step <= 1 + TrainingLoop<TrainingSettings, LanguageModelBatch>.ExplosionSteps, error.Message);
        Assert.False(File.Exists(path));
        AssertLogIsFiniteJson(_folder.File("lm.log.jsonl"));
    }

    [Fact]
    public void A_classifier_whose_loss_explodes_stops_as_diverged_and_writes_no_model()
    {
        string path = _folder.File("classifier.safetensors");

        var error = Assert.Throws<TrainingDivergedException>(() => TinyClassifier().Train(ClassifierTrainerTests.TinySet(),
            t => t.LearningRate(1e6f).NoGradientClipping().Epochs(20).BatchSize(4).ValidateEvery(2).SaveTo(path)));

        Assert.StartsWith("training diverged at step ", error.Message);
        Assert.False(File.Exists(path));
        AssertLogIsFiniteJson(_folder.File("classifier.log.jsonl"));
    }

    [Fact]
    public void Divergence_after_good_steps_keeps_the_last_good_checkpoint()
    {
        string path = _folder.File("lm.safetensors");
        // Four steps at 2e-3, then the rate jumps a millionfold: the checkpoint of step 4 is the last good one.
        var error = Assert.Throws<TrainingDivergedException>(() => TinyLanguageModel().Train(LanguageModelTests.Corpus,
            t => t.LearningRate(2e-3f).StepSchedule(4, 1e6f).NoGradientClipping().MaxSteps(60).BatchSize(2).SequenceLength(8)
                .ValidateEvery(2).SaveTo(path)));

        string last = _folder.File("lm.last.ckpt.safetensors");
        Assert.Equal(last, error.LastGoodCheckpoint);
        Assert.Contains($"the last good checkpoint is {last}", error.Message);
        var (_, checkpoint) = TrainingCheckpoint.Read(last);
        Assert.Equal(4, checkpoint.Step);
        var good = LanguageModel.Load(last);
        Assert.True(good.Evaluate(LanguageModelTests.Corpus).Loss < 10);
        Assert.False(File.Exists(path));
        AssertLogIsFiniteJson(_folder.File("lm.log.jsonl"));
    }

    [Fact]
    public void A_cancelled_language_model_run_writes_the_model_with_the_last_checkpoints_weights()
    {
        string path = _folder.File("lm.safetensors");
        using var cancellation = new CancellationTokenSource();
        var progress = new Progress(p => { if (p.Step == 3) cancellation.Cancel(); });

        var error = Assert.Throws<OperationCanceledException>(() => TinyLanguageModel().Train(LanguageModelTests.Corpus,
            t => t.MaxSteps(50).BatchSize(2).SequenceLength(8).SaveTo(path).ReportProgress(progress).CancelWith(cancellation.Token)));

        Assert.Contains($"the model as it stands written to {path}", error.Message);
        var model = LanguageModel.Load(path);
        var checkpoint = LanguageModel.Load(_folder.File("lm.last.ckpt.safetensors"));
        Assert.Equal("cancelled", model.Training!.StoppedBecause);
        Assert.Equal(3, model.Training.Steps);
        Assert.Equal(checkpoint.ComputeLogits([1, 2, 3]).ToArray(), model.ComputeLogits([1, 2, 3]).ToArray());
    }

    [Fact]
    public void A_cancelled_classifier_run_writes_the_model_too()
    {
        string path = _folder.File("classifier.safetensors");
        using var cancellation = new CancellationTokenSource();
        var progress = new Progress(p => { if (p.Step == 2) cancellation.Cancel(); });

        var error = Assert.Throws<OperationCanceledException>(() => TinyClassifier().Train(ClassifierTrainerTests.TinySet(),
            t => t.Epochs(20).BatchSize(4).SaveTo(path).ReportProgress(progress).CancelWith(cancellation.Token)));

        Assert.Contains($"the model as it stands written to {path}", error.Message);
        var classifier = TextClassifier.Load(path);
        Assert.Equal("cancelled", classifier.Training!.StoppedBecause);
        var checkpoint = TextClassifier.Load(_folder.File("classifier.last.ckpt.safetensors"));
        Assert.Equal(checkpoint.Predict("a good film").Probabilities, classifier.Predict("a good film").Probabilities);
    }

    [Fact]
    public void Resuming_a_language_model_with_another_architecture_or_tokenizer_is_refused_naming_the_options()
    {
        string path = _folder.File("lm.safetensors");
        TinyLanguageModel(hidden: 8).Train(LanguageModelTests.Corpus, t => t.MaxSteps(2).BatchSize(2).SequenceLength(8).ValidateEvery(2).SaveTo(path));
        string checkpoint = _folder.File("lm.last.ckpt.safetensors");

        var hidden = Assert.Throws<TrainingException>(() => LanguageModel.Configure().Embedding(8).Lstm(16, layers: 2).Train(LanguageModelTests.Corpus,
            t => t.MaxSteps(4).BatchSize(2).SequenceLength(8).ResumeFrom(checkpoint)));
        var tokenizer = Assert.Throws<TrainingException>(() => TinyLanguageModel().WordLevel().Train(LanguageModelTests.Corpus,
            t => t.MaxSteps(4).BatchSize(2).SequenceLength(8).ResumeFrom(checkpoint)));
        var same = TinyLanguageModel().Train(LanguageModelTests.Corpus, t => t.MaxSteps(4).BatchSize(2).SequenceLength(8).ResumeFrom(checkpoint));

        Assert.Equal($"checkpoint {checkpoint} was trained with another architecture: LSTM hidden size 8 in the checkpoint, 16 asked; " +
            "LSTM layers 1 in the checkpoint, 2 asked; resume with the same options, or start a new run without resuming", hidden.Message);
        Assert.Equal($"checkpoint {checkpoint} was trained with another tokenizer: char in the checkpoint, word asked; " +
            "resume with the same tokenizer options, or start a new run without resuming", tokenizer.Message);
        Assert.Equal(4, same.Training!.Steps);
    }

    [Fact]
    public void Resuming_a_classifier_with_another_architecture_is_refused_naming_the_options()
    {
        string path = _folder.File("classifier.safetensors");
        TinyClassifier(hidden: 8).Train(ClassifierTrainerTests.TinySet(), t => t.MaxSteps(2).BatchSize(4).ValidateEvery(2).SaveTo(path));
        string checkpoint = _folder.File("classifier.last.ckpt.safetensors");

        var error = Assert.Throws<TrainingException>(() => TinyClassifier(hidden: 12).Pooling(SequencePooling.Max).Train(ClassifierTrainerTests.TinySet(),
            t => t.MaxSteps(4).BatchSize(4).ResumeFrom(checkpoint)));

        Assert.Contains("another architecture: LSTM hidden size 8 in the checkpoint, 12 asked; pooling concat in the checkpoint, max asked;", error.Message);
    }

    [Fact]
    public void The_log_and_the_progress_reports_give_the_same_epoch_and_training_loss_for_a_step()
    {
        string path = _folder.File("lm.safetensors");
        var reports = new List<TrainingProgress>();
        TinyLanguageModel().Train(LanguageModelTests.Corpus,
            t => t.MaxSteps(12).BatchSize(2).SequenceLength(8).ValidateEvery(5).SaveTo(path).ReportProgress(new Progress(reports.Add)));

        var log = File.ReadAllLines(_folder.File("lm.log.jsonl")).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal([5, 10, 12], log.Select(e => e.GetProperty("step").GetInt32()));
        foreach (var entry in log)
        {
            var report = reports.Single(r => r.Step == entry.GetProperty("step").GetInt32());
            Assert.Equal(report.Epoch, entry.GetProperty("epoch").GetInt32());
            Assert.Equal(report.AverageTrainingLoss!.Value, entry.GetProperty("training_loss").GetDouble(), 12);
        }
        Assert.Equal(1, reports[0].Epoch);
    }

    [Fact]
    public void Evaluating_text_with_characters_the_model_does_not_know_counts_them()
    {
        var model = TinyLanguageModel().Train(LanguageModelTests.Corpus, t => t.MaxSteps(1).BatchSize(2).SequenceLength(8));
        string known = LanguageModelTests.Corpus[..40];

        Assert.Equal(0, model.Evaluate(known).UnknownTokens);
        Assert.Equal(3, model.Evaluate(known + "\u00E9\u00E9\U0001F600").UnknownTokens);
    }

    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
