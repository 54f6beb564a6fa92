using System.Text;
using LstmText.Generation;
using LstmText.Models;
using LstmText.Tensors;
using LstmText.Tokenizers;
using LstmText.Tests.Tokenizers;

namespace LstmText.Tests.Models;

/// <summary>
/// A text of any length is read up to the classifier's <see cref="TextClassifier.MaxTokens"/>, without tokenizing (or
/// storing the ids of) the rest: a row of two million words costs what its first few hundred cost.
/// </summary>
public sealed class LongTextTests
{
    private static readonly string[] Corpus =
    [
        "a good film with a good cast", "a bad film, badly acted", "the plot was thin but the music was lovely",
        "I've never seen worse. Terrible!", "don't miss it: wonderful, moving, funny", "über naïve café — 10/10 😀",
    ];

    /// <summary>Counts every id a tokenizer produces (stored or only counted past the end of a span).</summary>
    private sealed class CountingTokenizer(ITokenizer inner) : ITokenizer
    {
        private long _produced;

        public long Produced => Interlocked.Read(ref _produced);

        public string Kind => inner.Kind;
        public Vocabulary Vocabulary => inner.Vocabulary;
        public int VocabularySize => inner.VocabularySize;
        public SpecialTokens SpecialTokens => inner.SpecialTokens;
        public int? PaddingId => inner.PaddingId;
        public int? UnknownId => inner.UnknownId;
        public int? BeginOfSequenceId => inner.BeginOfSequenceId;
        public int? EndOfSequenceId => inner.EndOfSequenceId;
        public bool IsSpecial(int id) => inner.IsSpecial(id);
        public string TokenOf(int id) => inner.TokenOf(id);
        public bool TryGetId(ReadOnlySpan<char> token, out int id) => inner.TryGetId(token, out id);

        public int[] Encode(ReadOnlySpan<char> text)
        {
            var ids = inner.Encode(text);
            Interlocked.Add(ref _produced, ids.Length);
            return ids;
        }

        public bool TryEncode(ReadOnlySpan<char> text, Span<int> destination, out int tokenCount)
        {
            bool fits = inner.TryEncode(text, destination, out tokenCount);
            Interlocked.Add(ref _produced, tokenCount);
            return fits;
        }

        public int Encode(ReadOnlySpan<char> text, Span<int> destination)
        {
            int count = inner.Encode(text, destination);
            Interlocked.Add(ref _produced, count);
            return count;
        }

        public int MaxTokenCount(int textLength) => inner.MaxTokenCount(textLength);
        public string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens = false) => inner.Decode(ids, skipSpecialTokens);
        public IStreamingDecoder CreateStreamingDecoder(bool skipSpecialTokens = false) => inner.CreateStreamingDecoder(skipSpecialTokens);
        public string ToJson() => inner.ToJson();
        public VocabularyGrowth ExtendVocabulary(IEnumerable<string> corpus, VocabularyGrowthOptions? options = null) => inner.ExtendVocabulary(corpus, options);
    }

    private static string Words(int count, int seed)
    {
        var random = new Random(seed);
        var words = string.Join(' ', Corpus).Split(' ');
        var text = new StringBuilder(count * 6);
        for (int i = 0; i < count; i++)
        {
            if (i > 0) text.Append(random.Next(20) == 0 ? "\n  " : " ");
            text.Append(words[random.Next(words.Length)]);
        }
        return text.ToString();
    }

    public static TheoryData<string> Kinds => new() { "word", "char", "bpe", "gpt2" };

    private static ITokenizer TokenizerOf(string kind) => kind switch
    {
        "word" => WordTokenizer.Build(Corpus),
        "char" => CharTokenizer.Build(Corpus),
        "bpe" => BpeTokenizer.Train(Corpus, new BpeTrainingOptions { VocabularySize = 300 }),
        _ => Gpt2Files.Tokenizer,
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void The_first_ids_of_a_text_are_those_of_the_whole_text_cut_to_the_limit(string kind)
    {
        var tokenizer = TokenizerOf(kind);
        for (int seed = 0; seed < 30; seed++)
        {
            string text = Words(1 + seed * 37, seed);
            var all = tokenizer.Encode(text);
            foreach (int limit in new[] { 1, 2, 7, 64, 300, all.Length, all.Length + 5 })
            {
                if (limit < 1) continue;
                Assert.Equal(all.Take(limit).ToArray(), tokenizer.EncodeFirst(text, limit));
            }
        }
        Assert.Empty(tokenizer.EncodeFirst("", 5));
        Assert.Equal(tokenizer.Encode(new string('x', 5000)).Take(9), tokenizer.EncodeFirst(new string('x', 5000), 9));
    }

    [Fact]
    public void A_text_of_two_million_words_is_classified_from_its_first_max_tokens_without_tokenizing_the_rest()
    {
        var counting = new CountingTokenizer(WordTokenizer.Build(Corpus));
        var classifier = new TextClassifier(counting, ["negative", "positive"],
            new TextClassifierArchitecture { EmbeddingSize = 4, HiddenSize = 4, Bidirectional = true }, new RandomSource(1))
        {
            MaxTokens = 256,
        };
        string huge = Words(2_000_000, 7);
        string head = string.Join(' ', huge.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Take(256));

        long before = counting.Produced;
        var prediction = classifier.Predict(huge);
        long produced = counting.Produced - before;
        // The whole text has 2 million words and more tokens still (commas, colons); ids past the limit are neither
        // stored nor even counted beyond the prefix tried.
        Assert.InRange(produced, 256, 4 * 256);
        Assert.Equal(classifier.Predict(head).Probabilities, prediction.Probabilities);

        // Encoding it allocates the 256 ids it returns, not the millions a whole encoding would.
        classifier.Encode(huge);
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        var ids = classifier.Encode(huge);
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        Assert.Equal(256, ids.Length);
        Assert.True(allocated < 64 * 1024, $"encoding the first 256 tokens allocated {allocated:N0} bytes");
    }

    [Fact]
    public void A_batch_of_long_texts_is_cut_by_its_token_budget_and_predicts_the_same()
    {
        var classifier = new TextClassifier(WordTokenizer.Build(Corpus), ["negative", "positive"],
            new TextClassifierArchitecture { EmbeddingSize = 4, HiddenSize = 4 }, new RandomSource(2)) { MaxTokens = 50 };
        var texts = Enumerable.Range(0, 40).Select(i => Words(5 + i * 3, i)).ToArray();
        var wide = classifier.PredictBatch(texts, batchSize: 40, batchTokens: 100_000);
        var narrow = classifier.PredictBatch(texts, batchSize: 40, batchTokens: 60);
        for (int i = 0; i < texts.Length; i++)
        {
            Assert.Equal(wide[i].Label, narrow[i].Label);
            Assert.Equal(wide[i].Probabilities[0], narrow[i].Probabilities[0], 5);
        }
    }
}
