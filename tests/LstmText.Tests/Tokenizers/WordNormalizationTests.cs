using LstmText.Tokenizers;

namespace LstmText.Tests.Tokenizers;

/// <summary>The word tokenizer's normalisation: treebank text, social-media marks, capitals, and the JSON that carries them.</summary>
public sealed class WordNormalizationTests
{
    private static readonly WordTokenizerOptions everything = new()
    {
        LowerCase = true, Normalization = WordNormalization.All, MarkAllCaps = true, MarkHashtags = true,
    };

    private static string[] Tokens(WordTokenizer tokenizer, string text) => tokenizer.Encode(text).Select(tokenizer.TokenOf).ToArray();

    /// <summary>A tokenizer that knows every word of <paramref name="corpus"/>, so tokens show what normalisation made of them.</summary>
    private static string[] TokensOf(string corpus, WordTokenizerOptions options) => Tokens(WordTokenizer.Build([corpus], options), corpus);

    [Fact]
    public void Lower_casing_makes_title_case_and_small_letters_the_same_ids()
    {
        var tokenizer = WordTokenizer.Build(["a wonderful, moving film"], everything);
        Assert.Equal(tokenizer.Encode("a wonderful, moving film"), tokenizer.Encode("A Wonderful, Moving Film"));
        Assert.DoesNotContain(tokenizer.UnknownId!.Value, tokenizer.Encode("A Wonderful, Moving Film"));
    }

    [Theory]
    [InlineData("it does n't work , it 's -lrb- sadly -rrb- `` bad '' and i ca n't stand it .",
        "It doesn't work, it's (sadly) \"bad\" and I can't stand it.")]
    [InlineData("we 're sure they 've gone and she 'll say i 'm right -lsb- sic -rsb-", "We're sure they've gone and she'll say I'm right [sic]")]
    [InlineData("it was n't `` great ''", "It wasn\u2019t \u201Cgreat\u201D")]
    public void Treebank_text_and_plain_text_give_the_same_ids(string treebank, string plain)
    {
        var options = new WordTokenizerOptions { LowerCase = true, Normalization = WordNormalization.Treebank };
        var tokenizer = WordTokenizer.Build([plain], options);
        Assert.Equal(tokenizer.Encode(plain), tokenizer.Encode(treebank));
        Assert.DoesNotContain(tokenizer.UnknownId!.Value, tokenizer.Encode(treebank));
    }

    [Fact]
    public void Treebank_normalisation_splits_clitics_as_the_treebank_does_and_decodes_them_joined()
    {
        var options = new WordTokenizerOptions { LowerCase = true, Normalization = WordNormalization.Treebank };
        var tokenizer = WordTokenizer.Build(["I can't say it's O'Neill's -LRB- fine -RRB-"], options);
        Assert.Equal(["i", "ca", "n't", "say", "it", "'s", "o'neill", "'s", "(", "fine", ")"], Tokens(tokenizer, "I can't say it's O'Neill's -LRB- fine -RRB-"));
        Assert.Equal("i can't say it's o'neill's (fine)", tokenizer.Decode(tokenizer.Encode("I can't say it's O'Neill's (fine)")));
        // Quotes around a word are not clitics.
        Assert.Equal(["'", "so", "'"], TokensOf("'so'", options));
    }

    [Fact]
    public void Without_normalisation_treebank_clitics_stay_apart_as_before()
    {
        var tokenizer = WordTokenizer.Build(["doesn't"], new WordTokenizerOptions { LowerCase = true });
        Assert.NotEqual(tokenizer.Encode("doesn't"), tokenizer.Encode("does n't"));
    }

    [Theory]
    [InlineData("@jack loved it http://t.co/x1 :)", "<user> loved it <url> :)")]
    [InlineData("see www.example.com/a?b=c, @Some_One", "see <url> , <user>")]
    [InlineData("#BestMovieEver sooooo good!!! :-( ;-) :D <3", "<hashtag> bestmovieever soo good ! ! ! :( ;) :D <3")]
    [InlineData("goooood and soooo good and sooo good", "good and soo good and soo good")]
    [InlineData("I LOVED it, TOTALLY", "i <caps> loved it , <caps> totally")]
    [InlineData("mail me@example.com at 10:30 or 1000 times", "mail me @ example . com at 10 : 30 or 1000 times")]
    [InlineData("great:) and bad:(", "great :) and bad :(")]
    public void Social_media_marks_read_as_placeholders_words_and_emoticons(string text, string expected)
    {
        Assert.Equal(expected.Split(' '), TokensOf(text, everything));
    }

    [Fact]
    public void The_documented_social_media_example_reads_as_documented()
    {
        var options = new WordTokenizerOptions { LowerCase = true, Normalization = WordNormalization.All, MarkAllCaps = true };
        var social = WordTokenizer.Build(["@jack SOOO good :) http://t.co/x it doesn't"], options);
        Assert.Equal("<user> <caps> soo good :) <url> it does n't".Split(' '),
            Tokens(social, "@bob SOOOOO good :-) www.example.com it does n't"));
    }

    [Fact]
    public void Each_mark_can_be_left_alone()
    {
        var hashtagsOnly = new WordTokenizerOptions { Normalization = WordNormalization.Hashtags };
        Assert.Equal(["great", ":", ")", "@", "jack"], TokensOf("#great :) @jack", hashtagsOnly));
        var noMarker = everything with { MarkHashtags = false, MarkAllCaps = false };
        Assert.Equal(["great", "wow"], TokensOf("#great WOW", noMarker));
    }

    [Fact]
    public void Elongated_words_read_alike_however_long_they_are_stretched()
    {
        var tokenizer = WordTokenizer.Build(["so good"], everything);
        Assert.Equal(tokenizer.Encode("sooo goooood"), tokenizer.Encode("soooooooo gooood"));
        Assert.Equal(tokenizer.Encode("so good"), tokenizer.Encode("so goooood"));
    }

    [Fact]
    public void Building_counts_the_words_that_encoding_looks_up()
    {
        var corpus = "@a @b @c http://x :) :-) #Fun #fun FUN sooo sooooo doesn't does n't";
        var tokenizer = WordTokenizer.Build([corpus], everything);
        Assert.DoesNotContain(tokenizer.UnknownId!.Value, tokenizer.Encode(corpus));
        Assert.True(tokenizer.TryGetId("<user>", out _));
        Assert.True(tokenizer.TryGetId("<caps>", out _));
        Assert.False(tokenizer.TryGetId("sooo", out _));
        Assert.True(tokenizer.Encode(corpus).Length <= tokenizer.MaxTokenCount(corpus.Length));
    }

    [Fact]
    public void The_options_survive_a_json_round_trip()
    {
        var tokenizer = WordTokenizer.Build(["@jack LOVED #it :)"], everything with { Normalization = WordNormalization.Treebank | WordNormalization.Mentions | WordNormalization.Emoticons });
        var json = tokenizer.ToJson();
        Assert.Contains("\"normalize\":[\"treebank\",\"mentions\",\"emoticons\"]", json.Replace(" ", "").Replace("\n", ""));
        var again = Assert.IsType<WordTokenizer>(Tokenizer.FromJson(json));
        Assert.Equal(tokenizer.Options.Normalization, again.Options.Normalization);
        Assert.True(again.Options is { LowerCase: true, MarkAllCaps: true, MarkHashtags: true });
        Assert.Equal(json, again.ToJson());
        Assert.Equal(tokenizer.Encode("@bob LOVED #it :-) it's"), again.Encode("@bob LOVED #it :-) it's"));
    }

    [Fact]
    public void An_old_tokenizer_json_loads_with_no_normalisation_and_writes_the_same_json()
    {
        const string old = """{"type":"word","splitting":"words-and-punctuation","lowercase":true,"lineBreaksAsEos":false,"special":{"pad":"<pad>","unk":"<unk>","bos":"<bos>","eos":"<eos>","additional":[]},"tokens":["<pad>","<unk>","<bos>","<eos>","does","n't","@","jack",":",")"]}""";
        var tokenizer = Assert.IsType<WordTokenizer>(Tokenizer.FromJson(old));
        Assert.Equal(WordNormalization.None, tokenizer.Options.Normalization);
        Assert.False(tokenizer.Options.MarkAllCaps);
        Assert.Equal(["@", "jack", ":", ")", "does", "<unk>"], Tokens(tokenizer, "@jack :) does doesn't"));
        var written = Tokenizer.FromJson(tokenizer.ToJson());
        Assert.Equal(tokenizer.ToJson(), written.ToJson());
        Assert.DoesNotContain("normalize", tokenizer.ToJson());
    }

    [Fact]
    public void An_unknown_normalisation_name_in_json_is_a_format_error_naming_it()
    {
        const string bad = """{"type":"word","normalize":["treebank","shouting"],"special":{"pad":"<pad>","unk":"<unk>"},"tokens":["<pad>","<unk>"]}""";
        var error = Assert.Throws<TokenizerFormatException>(() => Tokenizer.FromJson(bad));
        Assert.Contains("shouting", error.Message);
    }
}
