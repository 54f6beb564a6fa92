using System.Text;
using LstmText.Tokenizers;

namespace LstmText.Tests.Tokenizers;

public class Gpt2CompatibilityTests
{
    public static TheoryData<int> FixtureIndexes()
    {
        var data = new TheoryData<int>();
        for (var index = 0; index < Gpt2Files.ReferenceEncodings().Count(); index++)
        {
            data.Add(index);
        }
        return data;
    }

    [Fact]
    public void Hello_world_has_Gpt2s_ids()
    {
        Assert.Equal([15496, 995], Gpt2Files.Tokenizer.Encode("Hello world"));
    }

    [Fact]
    public void Loaded_files_have_Gpt2s_sizes()
    {
        var gpt2 = Gpt2Files.Tokenizer;
        Assert.Equal(50257, gpt2.VocabularySize);
        Assert.Equal(50000, gpt2.MergeCount);
        Assert.Equal(50256, gpt2.EndOfSequenceId);
        Assert.Null(gpt2.UnknownId);
    }

    [Theory]
    [MemberData(nameof(FixtureIndexes))]
    public void Encodes_like_OpenAIs_encoder(int index)
    {
        var (text, expected) = Gpt2Files.ReferenceEncodings().ElementAt(index);
        Assert.Equal(expected, Gpt2Files.Tokenizer.Encode(text));
    }

    [Theory]
    [MemberData(nameof(FixtureIndexes))]
    public void Decodes_reference_ids_to_their_text(int index)
    {
        var (text, ids) = Gpt2Files.ReferenceEncodings().ElementAt(index);
        Assert.Equal(text, Gpt2Files.Tokenizer.Decode(ids));
    }

    // Lone surrogates do not survive xUnit's serialisation of test data (two cases became one), so the cases are
    // given as UTF-16 code units.
    [Theory]
    [InlineData(new[] { 'a', '\uD800', 'b' })]
    [InlineData(new[] { 'a', '\uDC00', 'b' })]
    [InlineData(new[] { '\uD83D' })]
    [InlineData(new[] { 'x', '\uDE00', '\uD83D' })]
    public void Lone_surrogates_encode_as_replacement_characters(char[] units)
    {
        var text = new string(units);
        var replaced = text.Replace('\uD800', '\uFFFD').Replace('\uDC00', '\uFFFD').Replace('\uD83D', '\uFFFD').Replace('\uDE00', '\uFFFD');
        var ids = Gpt2Files.Tokenizer.Encode(text);
        Assert.Equal(Gpt2Files.Tokenizer.Encode(replaced), ids);
        Assert.Equal(replaced, Gpt2Files.Tokenizer.Decode(ids));
    }

    [Fact]
    public void Replacement_character_matches_the_fixture()
    {
        var (text, ids) = Gpt2Files.ReferenceEncodings().Single(e => e.Text.StartsWith("a\uFFFDb", StringComparison.Ordinal));
        Assert.Equal(ids, Gpt2Files.Tokenizer.Encode(text.Replace("a\uFFFDb", "a\uD800b")));
    }

    [Fact]
    public void Random_text_round_trips_byte_for_byte()
    {
        for (var seed = 0; seed < 200; seed++)
        {
            var text = RandomUnicode.Seeded(seed, 40);
            var ids = Gpt2Files.Tokenizer.Encode(text);
            Assert.Equal(text, Gpt2Files.Tokenizer.Decode(ids));
            Assert.Equal(Encoding.UTF8.GetBytes(text), Gpt2Files.Tokenizer.DecodeToUtf8(ids));
        }
    }

    [Fact]
    public void Streamed_emoji_never_shows_a_broken_character()
    {
        var text = "ok \U0001F468\u200D\U0001F469\u200D\U0001F467 \u4E2D\u6587 caf\u00E9";
        var ids = Gpt2Files.Tokenizer.Encode(text);
        Assert.True(ids.Length > text.Length / 2, "the emoji should take several byte-level tokens");
        var decoder = Gpt2Files.Tokenizer.CreateStreamingDecoder();
        var streamed = new StringBuilder();
        foreach (var id in ids)
        {
            var piece = decoder.Append(id);
            Assert.False(piece.Contains('\uFFFD'), $"piece \"{piece}\" holds a replacement character");
            Assert.False(UnicodeTextHasLoneSurrogate(piece), $"piece \"{piece}\" holds half a character");
            streamed.Append(piece);
        }
        streamed.Append(decoder.Flush());
        Assert.Equal(text, streamed.ToString());
    }

    [Fact]
    public void Stream_flush_turns_unfinished_bytes_into_one_replacement_character()
    {
        var gpt2 = Gpt2Files.Tokenizer;
        var emojiIds = gpt2.Encode("\U0001F600");
        Assert.True(emojiIds.Length >= 2);
        var decoder = gpt2.CreateStreamingDecoder();
        Assert.Equal(string.Empty, decoder.Append(emojiIds[0]));
        Assert.Equal("\uFFFD", decoder.Flush());
        Assert.Equal("\U0001F600", string.Concat(emojiIds.Select(decoder.Append)) + decoder.Flush());
    }

    [Fact]
    public void Concurrent_encoding_gives_the_same_ids()
    {
        var texts = Enumerable.Range(0, 64).Select(seed => RandomUnicode.Seeded(seed, 30) + " the same words again").ToArray();
        var expected = texts.Select(text => Gpt2Files.Tokenizer.Encode(text)).ToArray();
        Parallel.For(0, 2000, new ParallelOptions { MaxDegreeOfParallelism = 4 }, iteration =>
        {
            var index = iteration % texts.Length;
            Assert.Equal(expected[index], Gpt2Files.Tokenizer.Encode(texts[index]));
        });
    }

    [Fact]
    public void Hugging_Face_files_round_trip()
    {
        var folder = Directory.CreateTempSubdirectory("lstmtext-bpe");
        try
        {
            var vocab = Path.Combine(folder.FullName, "vocab.json");
            var merges = Path.Combine(folder.FullName, "merges.txt");
            Gpt2Files.Tokenizer.SaveHuggingFace(vocab, merges);
            Assert.StartsWith("#version", File.ReadLines(merges).First());
            var reloaded = BpeTokenizer.LoadHuggingFace(vocab, merges);
            var text = "Reloaded files give the same ids: 42, \U0001F600!";
            Assert.Equal(Gpt2Files.Tokenizer.Encode(text), reloaded.Encode(text));
            Assert.Equal(Gpt2Files.Tokenizer.VocabularySize, reloaded.VocabularySize);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Merges_file_with_an_unknown_token_names_the_line()
    {
        var folder = Directory.CreateTempSubdirectory("lstmtext-bpe");
        try
        {
            var merges = Path.Combine(folder.FullName, "merges.txt");
            File.WriteAllText(merges, "#version: 0.2\n\u0120 t\nnot-a-token x\n");
            var error = Assert.Throws<TokenizerFormatException>(() => BpeTokenizer.LoadHuggingFace(Gpt2Files.EncoderJson, merges));
            Assert.Contains("merges.txt line 3", error.Message);
            Assert.Contains("not-a-token", error.Message);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Span_encoding_reports_the_length_it_needs()
    {
        var gpt2 = Gpt2Files.Tokenizer;
        Span<int> tooShort = stackalloc int[1];
        Assert.False(gpt2.TryEncode("Hello world, again", tooShort, out var needed));
        Assert.Equal(gpt2.Encode("Hello world, again").Length, needed);
        Assert.Equal(15496, tooShort[0]);
        var exact = new int[needed];
        Assert.Equal(needed, gpt2.Encode("Hello world, again", exact));
        Assert.Throws<ArgumentException>(() => gpt2.Encode("Hello world, again", new int[1]));
        Assert.True(gpt2.MaxTokenCount("Hello world, again".Length) >= needed);
    }

    private static bool UnicodeTextHasLoneSurrogate(string text)
    {
        for (var index = 0; index < text.Length; index++)
        {
            if (char.IsHighSurrogate(text[index]) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]))
            {
                index++;
            }
            else if (char.IsSurrogate(text[index]))
            {
                return true;
            }
        }
        return false;
    }
}
