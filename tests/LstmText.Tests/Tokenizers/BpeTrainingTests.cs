using System.Diagnostics;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using LstmText.Tokenizers;

namespace LstmText.Tests.Tokenizers;

public class BpeTrainingTests
{
    private static readonly string[] corpus = Enumerable.Range(0, 200).Select(i =>
        $"The lower the newer, the lowest of the newest {i}. Don't we'll they're \u4E2D\u6587 caf\u00E9 \U0001F600\n").ToArray();

    private static readonly Lazy<BpeTokenizer> trained = new(() => BpeTokenizer.Train(corpus, new BpeTrainingOptions { VocabularySize = 300 }));

    [Fact]
    public void Training_reaches_the_target_vocabulary_size()
    {
        var tokenizer = trained.Value;
        Assert.Equal(300, tokenizer.VocabularySize);
        Assert.Equal(300 - 3 - 256, tokenizer.MergeCount);
        Assert.Equal(["<pad>", "<bos>", "<eos>"], tokenizer.Vocabulary.Tokens.Take(3));
    }

    [Fact]
    public void Frequent_words_become_single_tokens()
    {
        var tokenizer = trained.Value;
        Assert.Single(tokenizer.Encode(" lowest"));
        Assert.Single(tokenizer.Encode(" newest"));
        Assert.True(tokenizer.Encode(corpus[0]).Length < Encoding.UTF8.GetByteCount(corpus[0]) / 3);
    }

    [Fact]
    public void Trained_tokenizer_round_trips_any_text()
    {
        var tokenizer = trained.Value;
        Prop.ForAll(RandomUnicode.Text, text => tokenizer.Decode(tokenizer.Encode(text)) == text).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Training_is_deterministic()
    {
        var again = BpeTokenizer.Train(corpus, new BpeTrainingOptions { VocabularySize = 300 });
        Assert.Equal(trained.Value.ToJson(), again.ToJson());
    }

    [Fact]
    public void Training_stops_when_no_pair_is_frequent_enough()
    {
        var tokenizer = BpeTokenizer.Train(["abcd abcd"], new BpeTrainingOptions { VocabularySize = 10_000, MinimumPairFrequency = 2 });
        Assert.True(tokenizer.VocabularySize < 3 + 256 + 10);
        Assert.Single(tokenizer.Encode("abcd"));
    }

    [Fact]
    public void Trained_merges_match_a_naive_recount()
    {
        // Reference: recount every pair after every merge, the slow way the trainer must agree with.
        var words = new Dictionary<string, int>();
        foreach (var text in corpus.Take(20))
        {
            foreach (var piece in Pieces(text))
            {
                words[piece] = words.GetValueOrDefault(piece) + 1;
            }
        }
        var symbols = words.Keys.ToDictionary(w => w, w => Encoding.UTF8.GetBytes(w).Select(b => ((char)b).ToString()).ToList());
        var fast = BpeTokenizer.Train(corpus.Take(20), new BpeTrainingOptions { VocabularySize = 3 + 256 + 30, SpecialTokens = new SpecialTokens(null, null, "<bos>", "<eos>", ["<x>"]) });
        var fastMergeCounts = new List<long>();
        var naiveCounts = new List<long>();
        foreach (var (left, right) in fast.Merges)
        {
            var counts = new Dictionary<(string, string), long>();
            foreach (var (word, sequence) in symbols)
            {
                for (var i = 0; i + 1 < sequence.Count; i++)
                {
                    counts[(sequence[i], sequence[i + 1])] = counts.GetValueOrDefault((sequence[i], sequence[i + 1])) + words[word];
                }
            }
            var best = counts.Values.Max();
            var pair = (ToBytes(left), ToBytes(right));
            naiveCounts.Add(best);
            fastMergeCounts.Add(counts.GetValueOrDefault(pair));
            foreach (var sequence in symbols.Values)
            {
                for (var i = 0; i + 1 < sequence.Count; i++)
                {
                    if (sequence[i] == pair.Item1 && sequence[i + 1] == pair.Item2)
                    {
                        sequence[i] += sequence[i + 1];
                        sequence.RemoveAt(i + 1);
                    }
                }
            }
        }
        Assert.Equal(naiveCounts, fastMergeCounts); // every merge the trainer chose was a most frequent pair
    }

    [Fact]
    public void Training_on_a_megabyte_reaches_the_vocabulary_and_encodes_it_losslessly()
    {
        var random = new Random(1);
        var words = Enumerable.Range(0, 5000).Select(_ => new string(Enumerable.Range(0, random.Next(2, 10)).Select(_ => (char)('a' + random.Next(26))).ToArray())).ToArray();
        var text = new StringBuilder();
        while (text.Length < 1_000_000)
        {
            text.Append(words[(int)Math.Min(words.Length - 1, Math.Abs(random.NextDouble() * random.NextDouble()) * words.Length)]).Append(random.Next(10) == 0 ? ".\n" : " ");
        }
        // Its speed is measured by tools/bench/TokenizerBench, not asserted here.
        var tokenizer = BpeTokenizer.Train([text.ToString()], new BpeTrainingOptions { VocabularySize = 4000 });
        Assert.Equal(4000, tokenizer.VocabularySize);
        string sample = text.ToString(0, 5000);
        var ids = tokenizer.Encode(sample);
        Assert.True(ids.Length < sample.Length / 2, $"{ids.Length} ids for {sample.Length} characters: the merges should shorten it");
        Assert.Equal(sample, tokenizer.Decode(ids));
    }

    private static string ToBytes(string token) =>
        string.Concat(token.Select(c => ((char)Array.IndexOf(ByteLevelAlphabetForTests.Chars, c)).ToString()));

    private static IEnumerable<string> Pieces(string text)
    {
        // GPT-2's pattern through .NET's own regular expressions, an independent check of the scanner.
        return System.Text.RegularExpressions.Regex.Matches(text, @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+")
            .Select(m => m.Value);
    }
}

internal static class ByteLevelAlphabetForTests
{
    public static readonly char[] Chars = Enumerable.Range(0, 256).Select(b =>
        b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF ? (char)b : '\0').ToArray();

    static ByteLevelAlphabetForTests()
    {
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            if (Chars[b] == '\0')
            {
                Chars[b] = (char)next++;
            }
        }
    }
}
