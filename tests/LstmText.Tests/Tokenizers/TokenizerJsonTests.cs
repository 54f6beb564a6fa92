using LstmText.Tokenizers;

namespace LstmText.Tests.Tokenizers;

public class TokenizerJsonTests
{
    [Fact]
    public void Bpe_Json_reads_back_with_the_same_ids()
    {
        var gpt2 = Gpt2Files.Tokenizer;
        var reloaded = Assert.IsType<BpeTokenizer>(Tokenizer.FromJson(gpt2.ToJson()));
        var text = "JSON keeps every merge: 'll \U0001F600 \u4E2D\u6587  \n";
        Assert.Equal(gpt2.Encode(text), reloaded.Encode(text));
        Assert.Equal(gpt2.EndOfSequenceId, reloaded.EndOfSequenceId);
        Assert.Equal(gpt2.MergeCount, reloaded.MergeCount);
    }

    [Fact]
    public void Save_and_load_use_a_file()
    {
        var tokenizer = WordTokenizer.Build(["saved to a file"]);
        var path = Path.GetTempFileName();
        try
        {
            tokenizer.Save(path);
            Assert.Equal(tokenizer.ToJson(), Tokenizer.Load(path).ToJson());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("{", "not valid JSON")]
    [InlineData("[]", "JSON object")]
    [InlineData("{}", "\"type\"")]
    [InlineData("{\"type\": 3}", "\"type\"")]
    [InlineData("{\"type\": \"unigram\"}", "\"type\"")]
    [InlineData("{\"type\": \"char\"}", "\"tokens\"")]
    [InlineData("{\"type\": \"char\", \"tokens\": \"abc\"}", "\"tokens\"")]
    [InlineData("{\"type\": \"char\", \"tokens\": [\"a\", 1]}", "\"tokens\" item 1")]
    [InlineData("{\"type\": \"char\", \"tokens\": [\"a\", \"a\"]}", "\"tokens\"")]
    [InlineData("{\"type\": \"char\", \"units\": \"bytes\", \"tokens\": [\"a\"]}", "\"units\"")]
    [InlineData("{\"type\": \"word\", \"lowercase\": \"yes\", \"tokens\": [\"a\"]}", "\"lowercase\"")]
    [InlineData("{\"type\": \"word\", \"special\": {\"unk\": \"<unk>\"}, \"tokens\": [\"a\"]}", "\"special\"")]
    [InlineData("{\"type\": \"word\", \"special\": {\"unk\": 5}, \"tokens\": [\"a\"]}", "\"unk\"")]
    [InlineData("{\"type\": \"bpe\", \"tokens\": [\"a\"]}", "\"merges\"")]
    [InlineData("{\"type\": \"bpe\", \"tokens\": [\"a\", \"b\"], \"merges\": [\"a b\"]}", "\"merges\" item 0")]
    [InlineData("{\"type\": \"bpe\", \"tokens\": [\"a\", \"b\", \"ab\"], \"merges\": [\"ab\"]}", "\"merges\" item 0")]
    public void MalformedJsonNamesTheField(string json, string expectedInMessage)
    {
        var error = Assert.Throws<TokenizerFormatException>(() => Tokenizer.FromJson(json));
        Assert.Contains(expectedInMessage, error.Message);
    }

    [Fact]
    public void Bpe_Json_without_all_byte_tokens_says_which_byte_is_missing()
    {
        var error = Assert.Throws<TokenizerFormatException>(() =>
            Tokenizer.FromJson("{\"type\": \"bpe\", \"tokens\": [\"a\", \"b\", \"ab\"], \"merges\": [\"a b\"]}"));
        Assert.Contains("byte 0x00", error.Message);
    }
}
