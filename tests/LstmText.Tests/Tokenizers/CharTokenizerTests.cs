using System.Text;
using FsCheck;
using FsCheck.Fluent;
using LstmText.Tokenizers;

namespace LstmText.Tests.Tokenizers;

public class CharTokenizerTests
{
    [Fact]
    public void Random_unicode_round_trips_when_every_character_is_known()
    {
        Prop.ForAll(RandomUnicode.Text, text =>
        {
            var tokenizer = CharTokenizer.Build([text]);
            var ids = tokenizer.Encode(text);
            return tokenizer.Decode(ids) == text && ids.Length == text.EnumerateRunes().Count();
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void An_emoji_is_one_token_not_two_surrogates()
    {
        var tokenizer = CharTokenizer.Build(["a\U0001F600b"]);
        var ids = tokenizer.Encode("\U0001F600");
        Assert.Single(ids);
        Assert.Equal("\U0001F600", tokenizer.TokenOf(ids[0]));
        Assert.DoesNotContain(tokenizer.Vocabulary.Tokens, token => token.Length == 1 && char.IsSurrogate(token[0]));
    }

    [Fact]
    public void Lone_surrogates_become_unknown_and_never_a_token_of_their_own()
    {
        var tokenizer = CharTokenizer.Build(["ab\uD800c"]);
        Assert.DoesNotContain(tokenizer.Vocabulary.Tokens, token => token.Length == 1 && char.IsSurrogate(token[0]));
        Assert.Contains("\uFFFD", tokenizer.Vocabulary.Tokens);
        var ids = tokenizer.Encode("a\uDC00");
        Assert.Equal(["a", "\uFFFD"], ids.Select(tokenizer.TokenOf));
    }

    [Fact]
    public void Unseen_characters_map_to_unknown()
    {
        var tokenizer = CharTokenizer.Build(["abc"]);
        Assert.Equal([tokenizer.TryGetId("a", out var a) ? a : -1, tokenizer.UnknownId!.Value], tokenizer.Encode("az"));
        Assert.Equal("a<unk>", tokenizer.Decode(tokenizer.Encode("az")));
        Assert.Equal("a", tokenizer.Decode(tokenizer.Encode("az"), skipSpecialTokens: true));
    }

    [Fact]
    public void Without_an_unknown_token_an_unseen_character_is_an_error()
    {
        var tokenizer = CharTokenizer.Build(["abc"], new CharTokenizerOptions { SpecialTokens = SpecialTokens.None });
        var error = Assert.Throws<ArgumentException>(() => tokenizer.Encode("ax"));
        Assert.Contains("U+0078", error.Message);
    }

    [Fact]
    public void Special_tokens_take_the_first_ids()
    {
        var tokenizer = CharTokenizer.Build(["hello"], new CharTokenizerOptions
        {
            SpecialTokens = new SpecialTokens(additional: ["<sep>"]),
        });
        Assert.Equal(["<pad>", "<unk>", "<bos>", "<eos>", "<sep>"], tokenizer.Vocabulary.Tokens.Take(5));
        Assert.Equal((0, 1, 2, 3), (tokenizer.PaddingId, tokenizer.UnknownId, tokenizer.BeginOfSequenceId, tokenizer.EndOfSequenceId));
        Assert.True(tokenizer.IsSpecial(4));
        Assert.False(tokenizer.IsSpecial(5));
        Assert.Equal(5 + 4, tokenizer.VocabularySize); // h e l o
    }

    [Fact]
    public void Minimum_frequency_and_maximum_size_keep_the_most_frequent_characters()
    {
        var corpus = new[] { "aaaaa bbbb cc d" }; // a:5 b:4 space:3 c:2 d:1
        var byFrequency = CharTokenizer.Build(corpus, new CharTokenizerOptions { MinimumFrequency = 3 });
        Assert.Equal([" ", "a", "b"], byFrequency.Vocabulary.Tokens.Skip(4));
        var bySize = CharTokenizer.Build(corpus, new CharTokenizerOptions { MaximumVocabularySize = 6 });
        Assert.Equal(["a", "b"], bySize.Vocabulary.Tokens.Skip(4));
    }

    [Fact]
    public void Grapheme_clusters_keep_flags_skin_tones_and_families_whole()
    {
        var text = "\U0001F1EB\U0001F1F7\U0001F44D\U0001F3FD\U0001F468\u200D\U0001F469\u200D\U0001F467e\u0301";
        var tokenizer = CharTokenizer.Build([text], new CharTokenizerOptions { Unit = CharacterUnit.GraphemeCluster });
        var ids = tokenizer.Encode(text);
        Assert.Equal(4, ids.Length);
        Assert.Equal(text, tokenizer.Decode(ids));
        Assert.Equal("e\u0301", tokenizer.TokenOf(ids[3]));
    }

    [Fact]
    public void Lower_casing_folds_every_script()
    {
        var tokenizer = CharTokenizer.Build(["ABC \u00C0\u03A3\u0416 \U00010400"], new CharTokenizerOptions { LowerCase = true });
        Assert.Equal("abc \u00E0\u03C3\u0436 \U00010428", tokenizer.Decode(tokenizer.Encode("ABC \u00C0\u03A3\u0416 \U00010400")));
        Assert.DoesNotContain("A", tokenizer.Vocabulary.Tokens);
    }

    [Fact]
    public void Normalization_works_or_says_why_it_cannot()
    {
        // An application that runs with InvariantGlobalization on Linux has no ICU and string.Normalize returns
        // its input unchanged; the tokenizer must refuse there rather than silently not normalise.
        var invariant = AppContext.TryGetSwitch("System.Globalization.Invariant", out var on) && on;
        var options = new CharTokenizerOptions { Normalization = TextNormalization.Nfkc };
        if (invariant && !OperatingSystem.IsWindows())
        {
            var error = Assert.Throws<NotSupportedException>(() => CharTokenizer.Build(["\uFB01"], options));
            Assert.Contains("InvariantGlobalization", error.Message);
        }
        else
        {
            var tokenizer = CharTokenizer.Build(["\uFB01 e\u0301"], options);
            Assert.Equal("fi \u00E9", tokenizer.Decode(tokenizer.Encode("\uFB01 e\u0301")));
        }
    }

    [Fact]
    public void Encoding_into_a_span_writes_the_same_ids()
    {
        var tokenizer = CharTokenizer.Build(["hello world \U0001F600"]);
        var text = "world \U0001F600 hello";
        Span<int> ids = stackalloc int[tokenizer.MaxTokenCount(text.Length)];
        var count = tokenizer.Encode(text, ids);
        Assert.Equal(tokenizer.Encode(text), ids[..count].ToArray());
        Assert.Equal(text.Length - 1, count);
    }

    [Fact]
    public void Json_lists_the_tokens_in_id_order_and_reads_back()
    {
        var tokenizer = CharTokenizer.Build(["b\U0001F600a"], new CharTokenizerOptions { Unit = CharacterUnit.GraphemeCluster, LowerCase = true });
        var json = tokenizer.ToJson();
        using (var document = System.Text.Json.JsonDocument.Parse(json))
        {
            Assert.Equal("char", document.RootElement.GetProperty("type").GetString());
            Assert.Equal(tokenizer.Vocabulary.Tokens, document.RootElement.GetProperty("tokens").EnumerateArray().Select(t => t.GetString()));
        }
        var reloaded = Assert.IsType<CharTokenizer>(Tokenizer.FromJson(json));
        Assert.Equal(CharacterUnit.GraphemeCluster, reloaded.Options.Unit);
        Assert.True(reloaded.Options.LowerCase);
        Assert.Equal(tokenizer.Encode("AB\U0001F600x"), reloaded.Encode("AB\U0001F600x"));
        Assert.Equal(json, reloaded.ToJson());
    }

    [Fact]
    public void Many_threads_encode_at_once()
    {
        var text = RandomUnicode.Seeded(7, 500);
        var tokenizer = CharTokenizer.Build([text]);
        var expected = tokenizer.Encode(text);
        Parallel.For(0, 200, new ParallelOptions { MaxDegreeOfParallelism = 4 }, _ => Assert.Equal(expected, tokenizer.Encode(text)));
        Assert.Equal(text, tokenizer.Decode(expected));
        Assert.Equal(Encoding.UTF8.GetByteCount(text), Encoding.UTF8.GetByteCount(tokenizer.Decode(expected)));
    }
}
