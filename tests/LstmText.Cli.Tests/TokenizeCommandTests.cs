using System.CommandLine;

namespace LstmText.Cli.Tests;

public class TokenizeCommandTests
{
    private static readonly string fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures", "gpt2");
    private static readonly string encoderJson = Path.Combine(fixtures, "encoder.json");
    private static readonly string vocabBpe = Path.Combine(fixtures, "vocab.bpe");

    [Fact]
    public void Prints_Gpt2_ids_as_Json()
    {
        var (exit, output, error) = Run("tokenize", "--encoder", encoderJson, "--bpe", vocabBpe, "--text", "Hello world", "--json");
        Assert.Equal(0, exit);
        Assert.Equal("[15496,995]", output.Trim());
        Assert.Empty(error);
    }

    [Fact]
    public void Prints_one_id_and_token_per_line()
    {
        var (exit, output, _) = Run("tokenize", "--vocab", encoderJson, "--merges", vocabBpe, "--text", "Hello world\n");
        Assert.Equal(0, exit);
        Assert.Equal(["15496\tHello", "995\t\u0120world", "198\t\u010A"], output.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void Prints_pairs_on_one_line_when_asked_to()
    {
        var (exit, output, _) = Run("tokenize", "--encoder", encoderJson, "--bpe", vocabBpe, "--text", "Hello world", "--inline");
        Assert.Equal(0, exit);
        Assert.Equal("15496:Hello 995:\u0120world", output.Trim());
    }

    [Fact]
    public void Reads_an_input_file_and_our_own_tokenizer_Json()
    {
        var folder = Directory.CreateTempSubdirectory("lstmtext-cli");
        try
        {
            var tokenizerPath = Path.Combine(folder.FullName, "tokenizer.json");
            var inputPath = Path.Combine(folder.FullName, "input.txt");
            LstmText.Tokenizers.BpeTokenizer.LoadOpenAI(encoderJson, vocabBpe).Save(tokenizerPath);
            File.WriteAllText(inputPath, "Hello world\n\n");
            var (exit, output, error) = Run("tokenize", "--tokenizer", tokenizerPath, "--input", inputPath, "--json");
            Assert.Equal(0, exit);
            Assert.Empty(error);
            Assert.Equal("[15496,995,628]", output.Trim());
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData(new[] { "tokenize", "--text", "hi" }, "no tokenizer")]
    [InlineData(new[] { "tokenize", "--tokenizer", "/nonexistent/t.json", "--text", "hi" }, "file not found")]
    [InlineData(new[] { "tokenize", "--tokenizer", "a.json", "--model", "m.safetensors", "--text", "hi" }, "choose one tokenizer")]
    [InlineData(new[] { "tokenize", "--vocab", "v.json", "--text", "hi" }, "--vocab needs --merges too")]
    [InlineData(new[] { "tokenize", "--model", "__FIXTURE__", "--text", "hi" }, "encoder.json")]
    public void Bad_options_give_a_one_line_error(string[] args, string expected)
    {
        args = args.Select(a => a == "__FIXTURE__" ? encoderJson : a).ToArray();
        var (exit, output, error) = Run(args);
        Assert.NotEqual(0, exit);
        Assert.Empty(output);
        Assert.Contains(expected, error);
        // One line, and for a usage error (exit 2) the hint that names the command's help.
        Assert.Equal(exit == 2 ? ["see: lstmtext tokenize --help"] : [], error.TrimEnd('\n').Split('\n')[1..]);
    }

    [Fact]
    public void Invalid_Utf8_in_the_input_names_the_file_and_offset()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, [0x48, 0x69, 0x20, 0xFF]);
            var (exit, _, error) = Run("tokenize", "--encoder", encoderJson, "--bpe", vocabBpe, "--input", path);
            Assert.Equal(1, exit);
            Assert.Contains(Path.GetFileName(path), error);
            Assert.Contains("byte offset 3", error);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Reads_the_tokenizer_of_a_model_file()
    {
        var folder = Directory.CreateTempSubdirectory("lstmtext-cli");
        try
        {
            var path = Path.Combine(folder.FullName, "model.safetensors");
            var tokenizer = LstmText.Tokenizers.CharTokenizer.Build(["abc"]);
            var config = new LstmText.IO.ModelConfig
            {
                Kind = "language-model", VocabSize = tokenizer.VocabularySize, EmbeddingDim = 2, HiddenSize = 2,
                NumLayers = 1, Bidirectional = false, Dropout = 0,
            };
            new LstmText.IO.ModelFile(config, new Dictionary<string, LstmText.Tensors.Tensor>
            {
                ["embedding.weight"] = LstmText.Tensors.Tensor.Zeros(tokenizer.VocabularySize, 2),
            }) { Tokenizer = tokenizer.ToJson() }.Write(path);
            var (exit, output, error) = Run("tokenize", "--model", path, "--text", "cab", "--json");
            Assert.Equal(0, exit);
            Assert.Empty(error);
            Assert.Equal("[" + string.Join(",", tokenizer.Encode("cab")) + "]", output.Trim());
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Text_and_input_together_are_rejected()
    {
        var (exit, _, error) = Run("tokenize", "--encoder", encoderJson, "--bpe", vocabBpe, "--text", "a", "--input", "b.txt");
        Assert.NotEqual(0, exit);
        Assert.Contains("not both", error);
    }

    private static (int Exit, string Output, string Error) Run(params string[] args) => CommandLine.Run(args);
}
