using LstmText.Tokenizers;

namespace LstmText.Tests.Tokenizers;

public class WordTokenizerTests
{
    private static readonly WordTokenizerOptions whitespace = new() { Splitting = WordSplitting.Whitespace };

    [Fact]
    public void Whitespace_splitting_round_trips_pre_tokenised_text()
    {
        var text = "the company said N shares of <unk> stock rose 's";
        var tokenizer = WordTokenizer.Build([text], whitespace);
        var ids = tokenizer.Encode(text);
        Assert.Equal(10, ids.Length);
        Assert.Equal(text, tokenizer.Decode(ids));
        Assert.Equal(tokenizer.UnknownId, ids[6]); // "<unk>" in the corpus is the unknown token
    }

    [Fact]
    public void Random_whitespace_separated_words_round_trip()
    {
        for (var seed = 0; seed < 100; seed++)
        {
            var words = RandomUnicode.Seeded(seed, 60).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
                .Select(w => w.Replace("\u0085", "").Replace("\u00A0", "").Replace("\u3000", ""))
                .Where(w => w.Length > 0 && !w.Any(char.IsWhiteSpace));
            var text = string.Join(' ', words);
            var tokenizer = WordTokenizer.Build([text], whitespace);
            Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text)));
        }
    }

    [Fact]
    public void Line_breaks_can_stand_for_end_of_sequence()
    {
        var corpus = "no it was n't black monday\nbut while the new york stock exchange did n't fall\n";
        var tokenizer = WordTokenizer.Build([corpus], whitespace with { LineBreaksAsEndOfSequence = true });
        var ids = tokenizer.Encode(corpus);
        Assert.Equal(2, ids.Count(id => id == tokenizer.EndOfSequenceId));
        Assert.Equal(tokenizer.EndOfSequenceId, ids[^1]);
        Assert.Equal(corpus, tokenizer.Decode(ids));
    }

    [Fact]
    public void Words_and_punctuation_keeps_apostrophes_inside_words()
    {
        var tokenizer = WordTokenizer.Build(["Don't stop, O\u2019Neill! (It's 3.5 km.) \"Yes,\" she said\u2026 caf\u00E9 e\u0301t\u00E9 \U0001F600"]);
        var tokens = tokenizer.Encode("Don't stop, O\u2019Neill! (It's 3.5 km.) \"Yes,\" she said\u2026 caf\u00E9 e\u0301t\u00E9 \U0001F600").Select(tokenizer.TokenOf);
        Assert.Equal(
            ["Don't", "stop", ",", "O\u2019Neill", "!", "(", "It's", "3", ".", "5", "km", ".", ")", "\"", "Yes", ",", "\"", "she", "said", "\u2026", "caf\u00E9", "e\u0301t\u00E9", "\U0001F600"],
            tokens);
    }

    [Fact]
    public void Decoding_puts_spaces_back_by_the_usual_rules()
    {
        var text = "Don't stop, O'Neill! (It's late.) She said \"yes, really\" and left; well-known $5 fee.";
        var tokenizer = WordTokenizer.Build([text]);
        Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text)));
    }

    [Fact]
    public void Streaming_gives_the_same_text_as_decode()
    {
        var text = "Hello, (big) \"world\"! Fine.";
        var tokenizer = WordTokenizer.Build([text]);
        var decoder = tokenizer.CreateStreamingDecoder();
        var streamed = string.Concat(tokenizer.Encode(text).Select(decoder.Append)) + decoder.Flush();
        Assert.Equal(tokenizer.Decode(tokenizer.Encode(text)), streamed);
    }

    [Fact]
    public void Case_folding_maps_all_cases_to_one_word()
    {
        var tokenizer = WordTokenizer.Build(["The THE the \u00C9T\u00C9"], new WordTokenizerOptions { LowerCase = true });
        var ids = tokenizer.Encode("tHe \u00E9t\u00E9");
        Assert.Equal(["the", "\u00E9t\u00E9"], ids.Select(tokenizer.TokenOf));
        Assert.Equal(4 + 2, tokenizer.VocabularySize);
    }

    [Fact]
    public void Vocabulary_keeps_the_most_frequent_words()
    {
        var corpus = new[] { "a a a a b b b c c d", "a b c" };
        var tokenizer = WordTokenizer.Build(corpus, new WordTokenizerOptions { MaximumVocabularySize = 6 });
        Assert.Equal(["a", "b"], tokenizer.Vocabulary.Tokens.Skip(4));
        Assert.Equal(["a", "<unk>", "<unk>"], tokenizer.Encode("a c d").Select(tokenizer.TokenOf));
        var frequent = WordTokenizer.Build(corpus, new WordTokenizerOptions { MinimumFrequency = 3 });
        Assert.Equal(["a", "b", "c"], frequent.Vocabulary.Tokens.Skip(4));
    }

    [Fact]
    public void Json_reads_back_with_its_options()
    {
        var tokenizer = WordTokenizer.Build(["x y\nz"], whitespace with { LowerCase = true, LineBreaksAsEndOfSequence = true });
        var reloaded = Assert.IsType<WordTokenizer>(Tokenizer.FromJson(tokenizer.ToJson()));
        Assert.Equal(tokenizer.Options with { }, reloaded.Options with { SpecialTokens = tokenizer.Options.SpecialTokens });
        Assert.Equal(tokenizer.Encode("X y\nZ q"), reloaded.Encode("X y\nZ q"));
    }
}
