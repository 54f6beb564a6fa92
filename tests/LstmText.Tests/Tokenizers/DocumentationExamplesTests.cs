using LstmText.IO;
using LstmText.Tokenizers;

namespace LstmText.Tests.Tokenizers;

/// <summary>The examples of docs/tokenizers.md, verbatim between the markers, so the page shows code that runs.</summary>
public class DocumentationExamplesTests
{
    [Fact]
    public void Characters()
    {
        // docs: characters
        var chars = CharTokenizer.Build(["First Citizen:\nBefore we proceed any further, hear me speak. \U0001F600"]);
        int[] ids = chars.Encode("hear me \U0001F600");         // 9 ids: the emoji is one
        string text = chars.Decode(ids);                        // "hear me 😀"
        string unknown = chars.Decode(chars.Encode("Zero"));    // "<unk>ero": Z was never seen
        // end
        Assert.Equal(9, ids.Length);
        Assert.Equal("hear me \U0001F600", text);
        Assert.Equal("<unk>ero", unknown);
    }

    [Fact]
    public void Graphemes()
    {
        // docs: graphemes
        var graphemes = CharTokenizer.Build(["\U0001F1EB\U0001F1F7 \U0001F44D\U0001F3FD"],
            new CharTokenizerOptions { Unit = CharacterUnit.GraphemeCluster, LowerCase = true });
        int count = graphemes.Encode("\U0001F44D\U0001F3FD\U0001F1EB\U0001F1F7").Length; // 2: a thumb with its skin tone, a flag
        // end
        Assert.Equal(2, count);
    }

    [Fact]
    public void Words()
    {
        // docs: words
        var ptb = WordTokenizer.Build(["no it was n't black monday\n", "but while the new york stock exchange did n't fall\n"],
            new WordTokenizerOptions { Splitting = WordSplitting.Whitespace, LineBreaksAsEndOfSequence = true, MinimumFrequency = 1 });
        int[] ids = ptb.Encode("it was black monday\n");           // ..., <eos>
        string line = ptb.Decode(ids);                             // "it was black monday\n"

        var words = WordTokenizer.Build(["Don't panic, it's fine."], new WordTokenizerOptions { LowerCase = true });
        string[] tokens = words.Encode("DON'T panic!").Select(words.TokenOf).ToArray(); // ["don't", "panic", "<unk>"]
        // end
        Assert.Equal(ptb.EndOfSequenceId, ids[^1]);
        Assert.Equal("it was black monday\n", line);
        Assert.Equal(["don't", "panic", "<unk>"], tokens);
    }

    [Fact]
    public void Gpt2()
    {
        var encoderJson = Gpt2Files.EncoderJson;
        var vocabBpe = Gpt2Files.VocabBpe;
        // docs: gpt2
        var gpt2 = BpeTokenizer.LoadOpenAI(encoderJson, vocabBpe);   // or LoadHuggingFace(vocab.json, merges.txt)
        int[] ids = gpt2.Encode("Hello world");                      // [15496, 995], as GPT-2

        var decoder = gpt2.CreateStreamingDecoder();                 // for text generated one id at a time
        var shown = new System.Text.StringBuilder();
        foreach (var id in gpt2.Encode("caf\u00E9 \U0001F600"))
        {
            shown.Append(decoder.Append(id));                        // never half a character
        }
        shown.Append(decoder.Flush());
        // end
        Assert.Equal([15496, 995], ids);
        Assert.Equal("caf\u00E9 \U0001F600", shown.ToString());
    }

    [Fact]
    public void Training_Bpe()
    {
        var folder = Directory.CreateTempSubdirectory("lstmtext-docs").FullName;
        var corpus = Enumerable.Repeat("the lower the newer, the lowest the newest\n", 50).ToArray();
        // docs: train
        var bpe = BpeTokenizer.Train(corpus, new BpeTrainingOptions { VocabularySize = 300 });
        bpe.SaveHuggingFace(Path.Combine(folder, "vocab.json"), Path.Combine(folder, "merges.txt"));
        int newest = bpe.Encode(" newest").Length;                     // 1: a frequent word became one token
        // end
        Assert.Equal(1, newest);
        Assert.Equal(bpe.Encode("the newest"), BpeTokenizer.LoadHuggingFace(Path.Combine(folder, "vocab.json"), Path.Combine(folder, "merges.txt")).Encode("the newest"));
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public void Json_and_spans()
    {
        var tokenizer = CharTokenizer.Build(["abc"]);
        // docs: json
        string json = tokenizer.ToJson();                   // what a model file stores under "lstmtext.tokenizer"
        ITokenizer again = Tokenizer.FromJson(json);        // any kind: "type" says which

        Span<int> buffer = stackalloc int[again.MaxTokenCount("cab".Length)];
        int written = again.Encode("cab", buffer);          // no array allocated for the ids
        bool fits = again.TryEncode("abcabc", buffer[..2], out int needed); // false, needed == 6
        // end
        Assert.Equal(3, written);
        Assert.False(fits);
        Assert.Equal(6, needed);
    }

    [Fact]
    public void Growth()
    {
        var chars = CharTokenizer.Build(["abc"]);
        // docs: growth
        VocabularyGrowth growth = chars.ExtendVocabulary(["abc\u00E9\u00E9x"], new VocabularyGrowthOptions { MinimumFrequency = 1 });
        ITokenizer extended = growth.Tokenizer;              // ids 0..6 unchanged
        IReadOnlyList<int> added = growth.NewIds;            // [7, 8]: "é", "x" — grow the embedding by 2 rows
        // end
        Assert.Equal([7, 8], added);
        Assert.Equal(chars.Encode("cab"), extended.Encode("cab"));
    }

    [Fact]
    public void Corpora()
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, "line one\nline two\n");
        var gpt2 = Gpt2Files.Tokenizer;
        // docs: corpus
        var corpus = TextCorpus.FromFile(path, new CorpusReadOptions { InvalidBytes = InvalidTextHandling.Throw });
        long tokens = 0;
        foreach (int[] ids in gpt2.EncodeChunks(corpus.ReadChunks()))   // streams: one chunk in memory at a time
        {
            tokens += ids.Length;
        }
        var latin1 = new CorpusReadOptions { Encoding = TextCorpus.EncodingNamed("windows-1252") };
        // end
        Assert.Equal(gpt2.Encode("line one\nline two\n").Length, tokens);
        Assert.Equal(1252, latin1.Encoding!.CodePage);
        File.Delete(path);
    }
}
