using LstmText.IO;
using LstmText.Layers;
using LstmText.Models;
using LstmText.Tokenizers;
using LstmText.Training;

namespace LstmText.Tests.Models;

/// <summary>End-to-end: a tiny character model trained for a few steps, saved, loaded, scored, sampled, resumed and fine-tuned.</summary>
public sealed class LanguageModelTests : IDisposable
{
    internal const string Corpus =
        "the cat sat on the mat. the dog sat on the log. a cat and a dog met on the mat by the log. " +
        "the cat ran, the dog ran, and the mat and the log stayed where they were. ";

    private readonly string _folder = Directory.CreateTempSubdirectory("lstmtext-lm-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    internal static LanguageModel TrainTiny(int steps = 6, string? saveTo = null, ulong seed = 7) =>
        LanguageModel.Configure().CharacterLevel().Embedding(8).Lstm(12, layers: 2).Dropout(0.1)
            .Train(Corpus + Corpus, t =>
            {
                t.MaxSteps(steps).BatchSize(4).SequenceLength(10).Seed(seed).ValidateEvery(3).LearningRate(1e-2f);
                if (saveTo is not null) t.SaveTo(saveTo);
            });

    private string PathOf(string name) => Path.Combine(_folder, name);

    [Fact]
    public void Training_lowers_the_loss_and_the_saved_model_loads_back_identically()
    {
        var path = PathOf("tiny.safetensors");
        var model = TrainTiny(steps: 30, saveTo: path);
        Assert.NotNull(model.Training);
        Assert.Equal(30, model.Training!.Steps);
        Assert.True(model.Training.BestValidationLoss < Math.Log(model.Tokenizer.VocabularySize));
        var loaded = LanguageModel.Load(path);
        Assert.Equal(model.Architecture, loaded.Architecture);
        var ids = model.Tokenizer.Encode("the cat");
        Assert.Equal(model.ComputeLogits(ids).ToArray(), loaded.ComputeLogits(ids).ToArray());
        Assert.True(File.Exists(PathOf("tiny.last.ckpt.safetensors")));
        Assert.True(File.Exists(PathOf("tiny.best.ckpt.safetensors")));
        Assert.True(File.ReadAllLines(PathOf("tiny.log.jsonl")).Length >= 10);
        Assert.StartsWith("<svg", File.ReadAllText(PathOf("tiny.loss.svg")));
        // A checkpoint loads as a model too.
        Assert.Equal(model.Architecture, LanguageModel.Load(PathOf("tiny.last.ckpt.safetensors")).Architecture);
    }

    [Fact]
    public void Evaluation_does_not_depend_on_the_window_length()
    {
        var model = TrainTiny();
        var whole = model.Evaluate(Corpus, windowLength: 1000);
        var windows = model.Evaluate(Corpus, windowLength: 7);
        Assert.Equal(whole.Loss, windows.Loss, 5);
        Assert.Equal(model.Tokenizer.Encode(Corpus).Length, whole.Tokens);
        Assert.Equal(Math.Exp(whole.Loss), whole.Perplexity, 9);
        Assert.Equal(whole.Loss / Math.Log(2), whole.BitsPerToken, 9);
    }

    [Fact]
    public void A_resumed_run_repeats_the_uninterrupted_run_loss_for_loss()
    {
        var straight = new List<double>();
        LanguageModel.Configure().CharacterLevel().Embedding(8).Lstm(12, layers: 2).Dropout(0.1).Train(Corpus + Corpus,
            t => t.MaxSteps(8).BatchSize(4).SequenceLength(10).Seed(3).ValidateEvery(3).ReportProgress(new Collect(straight)));

        var path = PathOf("half.safetensors");
        var resumed = new List<double>();
        LanguageModel.Configure().CharacterLevel().Embedding(8).Lstm(12, layers: 2).Dropout(0.1).Train(Corpus + Corpus,
            t => t.MaxSteps(4).BatchSize(4).SequenceLength(10).Seed(3).ValidateEvery(3).SaveTo(path).ReportProgress(new Collect(resumed)));
        var final = LanguageModel.Configure().CharacterLevel().Embedding(8).Lstm(12, layers: 2).Dropout(0.1).Train(Corpus + Corpus,
            t => t.MaxSteps(8).BatchSize(4).SequenceLength(10).Seed(3).ValidateEvery(3).SaveTo(path)
                .ResumeFrom(PathOf("half.last.ckpt.safetensors")).ReportProgress(new Collect(resumed)));

        Assert.Equal(straight, resumed);
        Assert.Equal(8, final.Training!.Steps);
    }

    [Fact]
    public void Fine_tuning_with_vocabulary_growth_adds_rows_at_the_mean_and_without_it_counts_unknowns()
    {
        var model = TrainTiny();
        const string newText = "zebras zigzag quickly; the zebra sat on the mat. zebras zigzag quickly; the zebra sat on the mat. ";
        var grown = model.FineTune(newText + newText, t => t.ExtendVocabulary().MaxSteps(2).BatchSize(2).SequenceLength(8).NoValidation());
        Assert.True(grown.Architecture.VocabularySize > model.Architecture.VocabularySize);
        Assert.True(grown.Training!.AddedTokens > 0);
        Assert.True(model.Tokenizer.TryGetId("t", out int t));
        Assert.True(grown.Tokenizer.TryGetId("t", out int t2));
        Assert.Equal(t, t2);

        var unknown = model.FineTune(newText + newText, t => t.MaxSteps(1).BatchSize(2).SequenceLength(8).NoValidation().FreezeEmbedding().FreezeLowerLayers(1));
        Assert.Equal(model.Architecture, unknown.Architecture);
        Assert.True(unknown.Training!.UnknownTokens > 0);
    }

    [Fact]
    public void Generation_is_reproducible_with_a_seed_and_honours_stop_strings_and_beams()
    {
        var model = TrainTiny();
        var a = model.Generate("the ", g => g.Seed(5).MaxTokens(20).Temperature(0.9f).TopK(5).TopP(0.9f).MinP(0.01f).RepetitionPenalty(1.1f));
        var b = model.Generate("the ", g => g.Seed(5).MaxTokens(20).Temperature(0.9f).TopK(5).TopP(0.9f).MinP(0.01f).RepetitionPenalty(1.1f));
        Assert.Equal(a, b);
        var samples = model.GenerateAll("the ", g => g.Seed(1).MaxTokens(10).Samples(3));
        Assert.Equal(3, samples.Count);
        var greedy = model.GenerateAll("the ", g => g.Greedy().MaxTokens(12).Stop(" "));
        Assert.DoesNotContain(" ", greedy[0].Text);
        var beams = model.GenerateAll("the ", g => g.Beams(3).Samples(2).MaxTokens(6));
        Assert.Equal(2, beams.Count);
        Assert.True(beams[0].LogProbability <= 0);
        Assert.Throws<ArgumentException>(() => model.Generate("the", g => g.Greedy().Temperature(0.5f)));
        Assert.Throws<ArgumentException>(() => model.Generate("the \u4e2d", g => g.MaxTokens(2)));
    }

    [Fact]
    public async Task Streaming_gives_the_same_text_as_one_call_in_pieces()
    {
        var model = TrainTiny();
        var whole = model.Generate("the ", g => g.Seed(9).MaxTokens(15));
        var pieces = new List<string>();
        await foreach (var piece in model.GenerateStreamingAsync("the ", g => g.Seed(9).MaxTokens(15))) pieces.Add(piece);
        Assert.Equal(whole, string.Concat(pieces));
    }

    [Fact]
    public void Generating_on_many_threads_at_once_gives_the_same_texts_as_one_thread()
    {
        var model = TrainTiny();
        var expected = Enumerable.Range(0, 8).Select(i => model.Generate("a ", g => g.Seed((ulong)i).MaxTokens(10))).ToArray();
        var actual = new string[8];
        Parallel.For(0, 8, i => actual[i] = model.Generate("a ", g => g.Seed((ulong)i).MaxTokens(10)));
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Bad_input_gives_clear_errors_and_writes_nothing()
    {
        var path = PathOf("bad.safetensors");
        var empty = Assert.Throws<TrainingException>(() => LanguageModel.Configure().Train("", t => t.SaveTo(path)));
        Assert.Contains("empty", empty.Message);
        var small = Assert.Throws<TrainingException>(() => LanguageModel.Configure().Embedding(4).Lstm(4, layers: 1).Train("abc abc", t => t.SaveTo(path)));
        Assert.Contains("too short", small.Message);
        Assert.Empty(Directory.GetFiles(_folder));
        var tie = Assert.Throws<ArgumentException>(() => LanguageModel.Configure().Embedding(4).Lstm(8, layers: 1).TieWeights().Train(Corpus));
        Assert.Contains("embedding size", tie.Message);
        File.WriteAllText(PathOf("not-a-model.safetensors"), "hello");
        Assert.ThrowsAny<IOException>(() => LanguageModel.Load(PathOf("not-a-model.safetensors")));
        var notOurs = Assert.Throws<ModelFileFormatException>(() =>
            LanguageModel.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "pytorch", "functional.safetensors")));
        Assert.Contains("not an LstmText model file", notOurs.Message);
        var good = PathOf("good.safetensors");
        TrainTiny(steps: 1).Save(good);
        var bytes = File.ReadAllBytes(good);
        File.WriteAllBytes(PathOf("truncated.safetensors"), bytes[..^7]);
        Assert.Throws<SafeTensorsFormatException>(() => LanguageModel.Load(PathOf("truncated.safetensors")));
        var diverged = Assert.Throws<TrainingDivergedException>(() => LanguageModel.Configure().Embedding(4).Lstm(4, layers: 1)
            .Train(Corpus, t => t.LearningRate(float.NaN).MaxSteps(5).BatchSize(2).SequenceLength(8).NoGradientClipping()));
        Assert.Contains("NaN", diverged.Message);
    }

    [Fact]
    public void Tied_weights_train_save_and_load()
    {
        var path = PathOf("tied.safetensors");
        var model = LanguageModel.Configure().Embedding(8).Lstm(8, layers: 1).TieWeights().EmbeddingDropout(0.1)
            .Train(Corpus, t => t.MaxSteps(3).BatchSize(2).SequenceLength(8).SaveTo(path).NoValidation());
        var loaded = LanguageModel.Load(path);
        Assert.True(loaded.Architecture.TieWeights);
        Assert.Equal(model.ParameterCount, loaded.ParameterCount);
    }

    [Fact]
    public void A_new_tied_model_starts_near_the_uniform_loss()
    {
        // Embedding and decoder start from U(−0.1, 0.1) and the decoder bias at zero, so the first logits are nearly
        // equal and the loss is nearly ln V. (From nn.Embedding's N(0, 1), a tied 64-wide decoder starts about 1 nat above.)
        var words = string.Join(' ', Enumerable.Range(0, 300).Select(i => "w" + i));
        var model = LanguageModel.Configure().WordLevel().Embedding(64).Lstm(64, layers: 1).TieWeights()
            .Train(words, t => t.LearningRate(0f).MaxSteps(1).BatchSize(2).SequenceLength(8).NoValidation());
        var loss = model.Evaluate(words).Loss;
        Assert.InRange(loss, Math.Log(model.Tokenizer.VocabularySize) - 0.02, Math.Log(model.Tokenizer.VocabularySize) + 0.05);
    }

    [Fact]
    public void Cancelling_saves_a_checkpoint_that_resumes()
    {
        var path = PathOf("cancelled.safetensors");
        using var cancellation = new CancellationTokenSource();
        var error = Assert.Throws<OperationCanceledException>(() => LanguageModel.Configure().Embedding(8).Lstm(8, layers: 1).Train(Corpus + Corpus,
            t => t.MaxSteps(50).BatchSize(4).SequenceLength(10).SaveTo(path).CancelWith(cancellation.Token)
                .ReportProgress(new CancelAfter(2, cancellation))));
        Assert.Contains("step 2", error.Message);
        Assert.Equal("cancelled", LanguageModel.Load(path).Training!.StoppedBecause);
        var resumed = LanguageModel.Configure().Embedding(8).Lstm(8, layers: 1).Train(Corpus + Corpus,
            t => t.MaxSteps(3).BatchSize(4).SequenceLength(10).SaveTo(path).ResumeFrom(PathOf("cancelled.last.ckpt.safetensors")));
        Assert.Equal(3, resumed.Training!.Steps);
    }

    [Fact]
    public async Task Streaming_a_bpe_model_never_shows_a_broken_character_and_stops_at_stop_strings()
    {
        const string text = "naïve café — 😀 smile 😀 naïve café — déjà vu. ";
        var model = LanguageModel.Configure().Bpe(300).Embedding(8).Lstm(8, layers: 1).Train(string.Concat(Enumerable.Repeat(text, 6)),
            t => t.MaxSteps(2).BatchSize(2).SequenceLength(8).NoValidation());
        var pieces = new List<string>();
        await foreach (var piece in model.GenerateStreamingAsync("café", g => g.Seed(2).MaxTokens(40).Temperature(1.5f))) pieces.Add(piece);
        Assert.Equal(model.Generate("café", g => g.Seed(2).MaxTokens(40).Temperature(1.5f)), string.Concat(pieces));
        foreach (var piece in pieces)
        {
            // A half-trained model may emit byte sequences that are not UTF-8 at all (shown as U+FFFD), but a piece
            // never splits a character that the bytes do spell.
            Assert.False(piece.Length > 0 && char.IsHighSurrogate(piece[^1]), "a piece ends inside a character");
            Assert.False(piece.Length > 0 && char.IsLowSurrogate(piece[0]), "a piece starts inside a character");
        }
        var stopped = new List<string>();
        await foreach (var piece in model.GenerateStreamingAsync("café", g => g.Seed(2).MaxTokens(40).Temperature(1.5f).Stop(" "))) stopped.Add(piece);
        Assert.DoesNotContain(" ", string.Concat(stopped));
        Assert.Equal(model.Generate("café", g => g.Seed(2).MaxTokens(40).Temperature(1.5f).Stop(" ")), string.Concat(stopped));
    }

    private sealed class CancelAfter(int steps, CancellationTokenSource source) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Step == steps) source.Cancel();
        }
    }

    private sealed class Collect(List<double> losses) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => losses.Add(value.Loss);
    }
}
