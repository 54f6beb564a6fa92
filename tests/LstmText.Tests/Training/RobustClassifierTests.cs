using LstmText.Data;
using LstmText.Layers;
using LstmText.Models;
using LstmText.Tokenizers;
using LstmText.Training;

namespace LstmText.Tests.Training;

/// <summary>A classifier that reads real text robustly: case-insensitive words, and a trained unknown token through word dropout.</summary>
public sealed class RobustClassifierTests
{
    private static readonly WordTokenizerOptions robust = new() { LowerCase = true, Normalization = WordNormalization.All };

    private static TextClassifierBuilder Tiny() =>
        TextClassifier.Configure().WordLevel(robust).Embedding(8).Lstm(8, bidirectional: true).Pooling(SequencePooling.Concat).PoolingDropout(0.1);

    /// <summary>The tiny set with some words capitalised, so the vocabulary would hold both forms without lower-casing.</summary>
    private static List<LabelledExample> MixedCaseSet() =>
        ClassifierTrainerTests.TinySet(60).Select((e, i) => i % 3 == 0 ? e with { Text = System.Globalization.CultureInfo.InvariantCulture.TextInfo.ToTitleCase(e.Text) } : e).ToList();

    [Fact]
    public void Title_case_and_small_letters_get_the_same_answer()
    {
        var classifier = Tiny().Train(MixedCaseSet(), t => t.Epochs(10).BatchSize(8).LearningRate(0.02f).NoValidation());
        foreach (var (upper, lower) in new[] { ("A Wonderful, Moving Film", "a wonderful, moving film"), ("The Plot Was Great", "the plot was great"), ("So Bad", "so bad") })
        {
            var a = classifier.Predict(upper);
            var b = classifier.Predict(lower);
            Assert.Equal(b.Label, a.Label);
            Assert.Equal(b.Confidence, a.Confidence, 6);
        }
        Assert.Equal("positive", classifier.Predict("The Film Was Great").Label);
        Assert.Equal("negative", classifier.Predict("THE FILM WAS AWFUL").Label);
    }

    [Fact]
    public void With_unknown_word_dropout_made_up_words_are_not_confident_while_known_words_are()
    {
        var classifier = Tiny().Train(ClassifierTrainerTests.TinySet(80), t => t.Epochs(15).BatchSize(8).LearningRate(0.02f).NoValidation().UnknownWordDropout(0.1));
        foreach (var text in new[] { "zorbly fnargle quimp wuzzle", "blicket dax", "snorfle glimmix trabbo vellum quisk dorp" })
        {
            var madeUp = classifier.Predict(text);
            Assert.True(madeUp.Confidence < 0.7, $"\"{text}\": {madeUp.Label} {madeUp.Confidence}");
        }
        Assert.True(classifier.Predict("the film was great") is { Label: "positive", Confidence: > 0.9f }, classifier.Predict("the film was great").ToString());
        Assert.True(classifier.Predict("the film was awful") is { Label: "negative", Confidence: > 0.9f }, classifier.Predict("the film was awful").ToString());
    }

    [Fact]
    public void Unknown_word_dropout_is_seeded_and_changes_training()
    {
        static IReadOnlyList<double> Losses(double dropout, ulong seed)
        {
            var losses = new List<double>();
            Tiny().Train(ClassifierTrainerTests.TinySet(), t => t.MaxSteps(8).BatchSize(8).Seed(seed).NoValidation().UnknownWordDropout(dropout)
                .ReportProgress(new Collect(losses)));
            return losses;
        }
        Assert.Equal(Losses(0.2, 3), Losses(0.2, 3));
        Assert.NotEqual(Losses(0, 3), Losses(0.2, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClassifierTrainingSettings().UnknownWordDropout(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClassifierTrainingSettings().UnknownWordDropout(-0.1));
    }

    private sealed class Collect(List<double> losses) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => losses.Add(value.Loss);
    }
}
