using LstmText.Data;
using LstmText.IO;
using LstmText.Layers;
using LstmText.Models;
using LstmText.Tests.IO;

namespace LstmText.Tests.Training;

/// <summary>
/// What the classifier trainer leaves at the end: the best validation's weights (or the last), a temperature fitted on
/// the validation examples, and the text length it trained with, which evaluation then reads texts by.
/// </summary>
public sealed class ClassifierKeepAndCalibrateTests
{
    private static TextClassifierBuilder Tiny() =>
        TextClassifier.Configure().WordLevel().Embedding(8).Lstm(8, bidirectional: true).Pooling(SequencePooling.Max);

    private static Dictionary<string, float[]> Weights(TextClassifier classifier) =>
        classifier.NamedParameters.ToDictionary(p => p.Name, p => p.Parameter.Value.ToArray());

    private static Dictionary<string, float[]> Weights(string path) =>
        ModelFile.Read(path).Tensors.Where(t => !t.Key.StartsWith("training.", StringComparison.Ordinal)).ToDictionary(t => t.Key, t => t.Value.ToArray());

    /// <summary>Validation examples labelled the wrong way round: the better the classifier learns, the worse it scores.</summary>
    private static LabelledExample[] Inverted(IEnumerable<LabelledExample> examples) =>
        examples.Select(e => e with { Label = e.Label == "positive" ? "negative" : "positive" }).ToArray();

    [Fact]
    public void The_model_at_the_end_holds_the_best_validations_weights_by_default_and_the_last_on_request()
    {
        using var folder = new TemporaryFolder();
        var validation = Inverted(ClassifierTrainerTests.TinySet(20));
        string best = folder.File("best.safetensors"), last = folder.File("last.safetensors");
        var kept = Tiny().Train(ClassifierTrainerTests.TinySet(), t => t.Epochs(8).BatchSize(8).LearningRate(0.02f).ValidationExamples(validation).SaveTo(best));
        var record = kept.Training!;
        Assert.Equal("best", record.KeptWeights);
        Assert.True(record.KeptStep < record.Steps, $"kept step {record.KeptStep} of {record.Steps}");
        Assert.Equal(Weights(folder.File("best.best.ckpt.safetensors")), Weights(best));
        Assert.Equal(Weights(folder.File("best.best.ckpt.safetensors")), Weights(kept));
        Assert.NotEqual(Weights(folder.File("best.last.ckpt.safetensors")), Weights(best));

        var lastKept = Tiny().Train(ClassifierTrainerTests.TinySet(), t => t.Epochs(8).BatchSize(8).LearningRate(0.02f).ValidationExamples(validation).SaveTo(last).KeepLastWeights());
        Assert.Equal("last", lastKept.Training!.KeptWeights);
        Assert.Equal(Weights(folder.File("last.last.ckpt.safetensors")), Weights(last));
        Assert.Equal(Weights(folder.File("best.last.ckpt.safetensors")), Weights(last));
    }

    [Fact]
    public void Without_validation_the_last_weights_are_kept_and_the_temperature_stays_one()
    {
        var classifier = Tiny().Train(ClassifierTrainerTests.TinySet(), t => t.Epochs(2).BatchSize(8).NoValidation());
        var record = classifier.Training!;
        Assert.Equal("last", record.KeptWeights);
        Assert.Equal(record.Steps, record.KeptStep);
        Assert.Null(record.Temperature);
        Assert.Equal(1, classifier.Temperature);
    }

    [Fact]
    public void Training_fits_the_temperature_on_the_validation_examples_and_lowers_their_loss()
    {
        var validation = ClassifierTrainerTests.TinySet(30).Skip(10).Select(e => e with { Text = e.Text + " the" }).ToArray();
        var classifier = Tiny().Train(ClassifierTrainerTests.TinySet(), t => t.Epochs(10).BatchSize(8).LearningRate(0.03f).ValidationExamples(validation));
        var record = classifier.Training!;
        Assert.NotNull(record.Temperature);
        Assert.Equal(record.Temperature!.Value, classifier.Temperature);
        Assert.True(record.CalibratedValidationLoss <= record.ValidationLoss + 1e-12, $"{record.ValidationLoss} -> {record.CalibratedValidationLoss}");
        var report = classifier.Evaluate(validation);
        Assert.Equal(record.CalibratedValidationLoss!.Value, report.Loss!.Value, 1e-4);
        Assert.Equal(record.ValidationEce!.Value, report.ExpectedCalibrationError!.Value, 1e-4);
    }

    [Fact]
    public void The_trainers_last_validation_accuracy_equals_evaluate_on_the_same_examples_with_texts_cut_alike()
    {
        // Two tokens of texts whose telling word sits anywhere: cut, many lose it, so reading the whole text would score otherwise.
        var validation = ClassifierTrainerTests.TinySet(60).Skip(40).ToArray();
        var classifier = Tiny().Train(ClassifierTrainerTests.TinySet(), t => t.Epochs(6).BatchSize(8).LearningRate(0.03f).TruncateTo(2).ValidationExamples(validation));
        var record = classifier.Training!;
        Assert.Equal(2, classifier.MaxTokens);
        Assert.Equal(record.ValidationAccuracy!.Value, classifier.Evaluate(validation).Accuracy);
        Assert.Equal(record.ValidationMacroF1!.Value, classifier.Evaluate(validation).MacroF1, 12);

        // Fine-tuning reads texts as the model did unless told otherwise.
        var tuned = classifier.FineTune(ClassifierTrainerTests.TinySet(20), t => t.Epochs(1).BatchSize(8).NoValidation());
        Assert.Equal(2, tuned.MaxTokens);
        Assert.Equal(5, classifier.FineTune(ClassifierTrainerTests.TinySet(20), t => t.Epochs(1).BatchSize(8).NoValidation().TruncateTo(5)).MaxTokens);
    }
}
