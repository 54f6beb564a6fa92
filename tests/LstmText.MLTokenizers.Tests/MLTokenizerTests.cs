using System.Text.Json;
using LstmText.Data;
using LstmText.Generation;
using LstmText.Layers;
using LstmText.Models;
using LstmText.Tokenizers;
using ML = Microsoft.ML.Tokenizers;

namespace LstmText.MLTokenizers.Tests;

/// <summary>
/// Microsoft.ML.Tokenizers tokenizers as LstmText tokenizers: the same ids as the reference implementations and as
/// Microsoft.ML.Tokenizers itself, JSON that carries the files, and models that train, save, load with no other file,
/// generate and classify.
/// </summary>
public sealed class MLTokenizerTests
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures");
    private static readonly string Shakespeare = File.ReadAllText(Path.Combine(FindRoot(), "corpora", "shakespeare", "input.txt"))[200_000..230_000];

    static MLTokenizerTests() => MLTokenizer.Register();

    public static TheoryData<string> FixtureFiles => ["shakespeare-bpe.model", "shakespeare-unigram.model", "shakespeare.tiktoken"];

    private static MLTokenizer Open(string file) => file.EndsWith(".tiktoken", StringComparison.Ordinal)
        ? MLTokenizer.FromTiktoken(Path.Combine(Fixtures, file))
        : MLTokenizer.FromSentencePiece(Path.Combine(Fixtures, file));

    private static ML.Tokenizer OpenWithMicrosoftML(string file)
    {
        using var stream = File.OpenRead(Path.Combine(Fixtures, file));
        if (!file.EndsWith(".tiktoken", StringComparison.Ordinal))
            return ML.SentencePieceTokenizer.Create(stream, false, false);
        var special = new Dictionary<string, int> { ["<|endoftext|>"] = 656 };
        return ML.TiktokenTokenizer.Create(stream,
            new ML.RegexPreTokenizer(new System.Text.RegularExpressions.Regex(MLTokenizer.Cl100kPattern), special), null, special);
    }

    [Theory]
    [MemberData(nameof(FixtureFiles))]
    public void Ids_equal_the_reference_implementation_on_the_fixture_sentences(string file)
    {
        using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures, "ml-tokenizer-ids.json")));
        var sentences = expected.RootElement.GetProperty("sentences").EnumerateArray().Select(s => s.GetString()!).ToArray();
        var ids = expected.RootElement.GetProperty("ids").GetProperty(file).EnumerateArray()
            .Select(row => row.EnumerateArray().Select(i => i.GetInt32()).ToArray()).ToArray();
        var tokenizer = Open(file);
        for (var i = 0; i < sentences.Length; i++)
        {
            // Microsoft.ML.Tokenizers 2.0.1 gives a Unigram model one <unk> per unknown character where SentencePiece
            // gives one for the whole run ("1234567"); the next test pins that, the others must match exactly.
            if (file == "shakespeare-unigram.model" && ids[i].Contains(0)) continue;
            Assert.Equal(ids[i], tokenizer.Encode(sentences[i]));
        }
    }

    [Fact]
    public void Microsoft_ML_Tokenizers_gives_a_Unigram_model_one_unknown_id_per_unknown_character()
    {
        var tokenizer = Open("shakespeare-unigram.model");
        Assert.Equal([3, 0, 0, 0, 0, 0, 0, 0], tokenizer.Encode(" 1234567"));
    }

    [Theory]
    [MemberData(nameof(FixtureFiles))]
    public void Ids_equal_Microsoft_ML_Tokenizers_own_on_Shakespeare_and_decode_back(string file)
    {
        var tokenizer = Open(file);
        var direct = OpenWithMicrosoftML(file);
        var ids = tokenizer.Encode(Shakespeare);
        Assert.Equal(direct.EncodeToIds(Shakespeare), ids);
        Assert.True(ids.Length > 1000 && ids.Length < Shakespeare.Length, $"{ids.Length} ids for {Shakespeare.Length} chars");
        Assert.Equal(direct.Decode(ids), tokenizer.Decode(ids));
        if (file != "shakespeare-unigram.model")
        {
            // Byte fallback (SentencePiece BPE here) and byte-level BPE (tiktoken) give the text back exactly, line breaks and all.
            Assert.Equal(Shakespeare, tokenizer.Decode(ids));
        }
        var chunks = Shakespeare.Chunk(997).Select(c => new string(c)).ToArray();
        var chunked = tokenizer.EncodeChunks(chunks).SelectMany(c => c).ToArray();
        if (file == "shakespeare-unigram.model")
        {
            Assert.Equal(ids, chunked);
        }
        else
        {
            // A corpus is encoded in chunks cut where white space follows a non-space character. SentencePiece's dummy
            // prefix (with white space kept) and cl100k's "!\n\n" token can then differ at a cut: only white space moves.
            Assert.Equal(Shakespeare.Where(c => !char.IsWhiteSpace(c)), tokenizer.Decode(chunked).Where(c => !char.IsWhiteSpace(c)));
            Assert.InRange(chunked.Length - ids.Length, -2 * chunks.Length, 2 * chunks.Length);
        }
    }

    [Theory]
    [MemberData(nameof(FixtureFiles))]
    public void The_streaming_decoder_gives_the_same_text_as_decoding_at_once(string file)
    {
        var tokenizer = Open(file);
        var ids = tokenizer.Encode(Shakespeare[..3000] + " \u00e9t\u00e9 \u4e2d\u6587 \U0001F600");
        var decoder = tokenizer.CreateStreamingDecoder();
        var streamed = string.Concat(ids.Select(decoder.Append)) + decoder.Flush();
        Assert.Equal(tokenizer.Decode(ids), streamed);
    }

    [Theory]
    [MemberData(nameof(FixtureFiles))]
    public void The_json_embeds_the_files_so_the_tokenizer_comes_back_from_it_alone(string file)
    {
        var folder = Directory.CreateTempSubdirectory();
        try
        {
            var copy = Path.Combine(folder.FullName, file);
            File.Copy(Path.Combine(Fixtures, file), copy);
            var tokenizer = copy.EndsWith(".tiktoken", StringComparison.Ordinal) ? MLTokenizer.FromTiktoken(copy) : MLTokenizer.FromSentencePiece(copy);
            File.Delete(copy);
            var json = tokenizer.ToJson();
            var again = Tokenizer.FromJson(json);
            Assert.IsType<MLTokenizer>(again);
            Assert.Equal(tokenizer.Kind, again.Kind);
            Assert.Equal(tokenizer.Vocabulary.Tokens, again.Vocabulary.Tokens);
            Assert.Equal(tokenizer.Encode(Shakespeare), again.Encode(Shakespeare));
            Assert.Equal(json, again.ToJson());
            Assert.Equal(tokenizer.EndOfSequenceId, again.EndOfSequenceId);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Special_tokens_and_vocabulary_follow_the_files()
    {
        var sentencePiece = Open("shakespeare-bpe.model");
        Assert.Equal(600, sentencePiece.VocabularySize);
        Assert.Equal("<unk>", sentencePiece.TokenOf(sentencePiece.UnknownId!.Value));
        Assert.Equal("<s>", sentencePiece.TokenOf(sentencePiece.BeginOfSequenceId!.Value));
        Assert.Equal("</s>", sentencePiece.TokenOf(sentencePiece.EndOfSequenceId!.Value));
        Assert.True(sentencePiece.IsSpecial(sentencePiece.EndOfSequenceId.Value));
        Assert.Equal("<0x0A>", sentencePiece.TokenOf(sentencePiece.Encode("a\nb").Single(id => sentencePiece.TokenOf(id).StartsWith("<0x", StringComparison.Ordinal))));

        var tiktoken = Open("shakespeare.tiktoken");
        Assert.Equal(657, tiktoken.VocabularySize);
        Assert.Equal(656, tiktoken.EndOfSequenceId);
        Assert.True(tiktoken.TryGetId("\u0120t", out var spaceT));
        Assert.Equal(" t", tiktoken.Decode([spaceT]));
        Assert.Equal([656], tiktoken.Encode("<|endoftext|>"));
        Assert.Equal("ab", tiktoken.Decode(tiktoken.Encode("ab<|endoftext|>"), skipSpecialTokens: true));
        Assert.Throws<NotSupportedException>(() => tiktoken.ExtendVocabulary(["new words"]));
    }

    [Fact]
    public void Bert_WordPiece_and_BPE_files_give_Microsoft_ML_Tokenizers_ids_and_survive_the_json()
    {
        var folder = Directory.CreateTempSubdirectory();
        try
        {
            var vocab = Path.Combine(folder.FullName, "vocab.txt");
            File.WriteAllLines(vocab, ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat", "sat", "on", "mat", "##s", "##ting", "a", ",", "."]);
            const string text = "The cats sat on a mat, sitting.";
            var bert = MLTokenizer.FromBert(vocab);
            Assert.Equal(ML.BertTokenizer.Create(vocab).EncodeToIds(text, addSpecialTokens: false), bert.Encode(text));
            Assert.Equal([5, 6, 10, 7, 8, 12, 9, 13, 1, 14], bert.Encode(text));
            Assert.Equal(0, bert.PaddingId);
            Assert.Equal(1, bert.UnknownId);
            var wordPiece = MLTokenizer.FromWordPiece(vocab);
            Assert.Equal(ML.WordPieceTokenizer.Create(vocab).EncodeToIds("cats sat"), wordPiece.Encode("cats sat"));

            var gpt2 = Path.Combine(Fixtures, "gpt2");
            var bpe = MLTokenizer.FromBpe(Path.Combine(gpt2, "encoder.json"), Path.Combine(gpt2, "vocab.bpe"));
            Assert.Equal(ML.BpeTokenizer.Create(Path.Combine(gpt2, "encoder.json"), Path.Combine(gpt2, "vocab.bpe")).EncodeToIds(text), bpe.Encode(text));
            Assert.Equal(50257, bpe.VocabularySize);

            File.Delete(vocab);
            foreach (var tokenizer in new ITokenizer[] { bert, wordPiece, bpe })
            {
                var again = Tokenizer.FromJson(tokenizer.ToJson());
                Assert.Equal(tokenizer.Kind, again.Kind);
                Assert.Equal(tokenizer.Encode(text), again.Encode(text));
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(FixtureFiles))]
    public void A_language_model_trains_saves_loads_with_no_other_file_and_generates(string file)
    {
        var folder = Directory.CreateTempSubdirectory();
        try
        {
            var model = LanguageModel.Configure().Tokenizer(Open(file)).Embedding(16).Lstm(24, layers: 1)
                .Train(Shakespeare, t => t.MaxSteps(30).BatchSize(8).SequenceLength(24).Seed(1).NoValidation().LearningRate(1e-2f));
            Assert.True(model.Training!.TrainingLoss < Math.Log(model.Tokenizer.VocabularySize),
                $"loss {model.Training.TrainingLoss} is no better than chance over {model.Tokenizer.VocabularySize} tokens");
            var path = Path.Combine(folder.FullName, "lm.safetensors");
            model.Save(path);
            var loaded = LanguageModel.Load(path);
            Assert.Equal(model.Tokenizer.Kind, loaded.Tokenizer.Kind);
            var text = loaded.Generate("ROMEO:", g => g.Seed(3).MaxTokens(20));
            Assert.Equal(model.Generate("ROMEO:", g => g.Seed(3).MaxTokens(20)), text);
            Assert.False(string.IsNullOrWhiteSpace(text));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(FixtureFiles))]
    public void A_classifier_trains_saves_loads_with_no_other_file_and_classifies(string file)
    {
        var examples = new List<LabelledExample>();
        string[] good = ["a good play", "good and true", "so good a king", "good lord", "my good friend"];
        string[] bad = ["a bad play", "bad and false", "so bad a king", "bad lord", "my bad friend"];
        for (var repeat = 0; repeat < 4; repeat++)
        {
            examples.AddRange(good.Select((t, i) => new LabelledExample(t, "good", examples.Count + i + 1)));
            examples.AddRange(bad.Select((t, i) => new LabelledExample(t, "bad", examples.Count + i + 1)));
        }
        var folder = Directory.CreateTempSubdirectory();
        try
        {
            var classifier = TextClassifier.Configure().Tokenizer(Open(file)).Embedding(16).Lstm(16)
                .Train(examples, t => t.Epochs(30).BatchSize(8).Seed(2).NoValidation().LearningRate(2e-2f));
            var path = Path.Combine(folder.FullName, "classifier.safetensors");
            classifier.Save(path);
            var loaded = TextClassifier.Load(path);
            Assert.Equal(classifier.Tokenizer.ToJson(), loaded.Tokenizer.ToJson());
            Assert.Equal("good", loaded.Predict("a good lord").Label);
            Assert.Equal("bad", loaded.Predict("a bad lord").Label);
            Assert.Equal(classifier.Predict("so good a friend").Probabilities, loaded.Predict("so good a friend").Probabilities);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_file_that_is_not_a_tokenizer_gets_one_clear_error()
    {
        var folder = Directory.CreateTempSubdirectory();
        try
        {
            var path = Path.Combine(folder.FullName, "not.model");
            File.WriteAllText(path, "this is not a sentencepiece model");
            var error = Assert.Throws<TokenizerFormatException>(() => MLTokenizer.FromSentencePiece(path));
            Assert.Contains(path, error.Message, StringComparison.Ordinal);
            Assert.Contains("sentencepiece", error.Message, StringComparison.Ordinal);
            var bad = Path.Combine(folder.FullName, "bad.tiktoken");
            File.WriteAllText(bad, "QQ== 0\nnot-a-line\n");
            Assert.Throws<TokenizerFormatException>(() => MLTokenizer.FromTiktoken(bad));
            Assert.Throws<TokenizerFormatException>(() => Tokenizer.FromJson("{\"type\":\"sentencepiece\",\"files\":{\"model\":\"@@@\"}}"));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "LstmText.sln"))) return folder.FullName;
        }
        throw new DirectoryNotFoundException("The repository root (with LstmText.sln) is not above the test's folder.");
    }
}
