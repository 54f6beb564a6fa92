namespace LstmText.Cli.Tests;

/// <summary>
/// <c>--threads</c> on every command that trains or runs a model: refused below 1 with one line, and the answers do not
/// depend on it (each product sums in the same order on any number of threads).
/// </summary>
public sealed class ThreadsCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("lstmtext-cli-threads-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    [Theory]
    [InlineData("generate", "--max-tokens", "5")]
    [InlineData("classify", "--text", "fine")]
    [InlineData("evaluate", "--data", "missing.tsv")]
    [InlineData("calibrate", "--data", "missing.tsv", "--out", "x.safetensors")]
    [InlineData("train", "--corpus", "missing.txt", "--out", "x.safetensors")]
    [InlineData("finetune", "--model", "m.safetensors", "--corpus", "missing.txt", "--out", "x.safetensors")]
    [InlineData("train-classifier", "--data", "missing.tsv", "--out", "x.safetensors")]
    [InlineData("finetune-classifier", "--model", "m.safetensors", "--data", "missing.tsv", "--out", "x.safetensors")]
    [InlineData("forecast", "train", "--data", "missing.csv", "--target", "y", "--out", "x.safetensors")]
    [InlineData("forecast", "evaluate", "--model", "m.safetensors", "--data", "missing.csv")]
    [InlineData("forecast", "predict", "--model", "m.safetensors", "--data", "missing.csv")]
    public void Threads_below_one_is_a_usage_error_that_names_the_option(params string[] command)
    {
        foreach (var threads in new[] { "0", "-2" })
        {
            var (exit, output, error) = CommandLine.Run([.. command, "--threads", threads]);
            Assert.Equal(2, exit);
            Assert.Empty(output);
            Assert.StartsWith($"error: --threads must be a whole number from 1 to 1024, not {threads}", error);
        }
    }

    [Fact]
    public void Generation_and_classification_answer_the_same_on_one_thread_and_on_two()
    {
        string Generate(string threads)
        {
            var (exit, output, error) = CommandLine.Run("generate", "--prompt", "ROMEO:", "--max-tokens", "120", "--seed", "5", "--threads", threads);
            Assert.True(exit == 0, error);
            return output;
        }
        Assert.Equal(Generate("1"), Generate("2"));

        string Classify(string threads)
        {
            var (exit, output, error) = CommandLine.Run("classify", "--text", "not the best film, but a warm one", "--threads", threads);
            Assert.True(exit == 0, error);
            return output;
        }
        Assert.Equal(Classify("1"), Classify("2"));
    }

    [Fact]
    public void Training_on_one_thread_and_on_two_gives_the_same_model()
    {
        // Large enough (batch 16 × 4·256 gates × 256) that the products split across two threads.
        string corpus = PathOf("corpus.txt");
        File.WriteAllText(corpus, string.Concat(Enumerable.Repeat("the cat sat on the mat; the dog sat on the log. ", 60)));
        string Train(string threads)
        {
            string model = PathOf($"t{threads}.safetensors");
            var (exit, _, error) = CommandLine.Run("train", "--corpus", corpus, "--out", model, "--embedding", "32", "--hidden", "256",
                "--layers", "1", "--max-steps", "3", "--batch-size", "16", "--sequence-length", "32", "--validate-every", "3", "--threads", threads);
            Assert.True(exit == 0, error);
            return error[error.IndexOf("training loss", StringComparison.Ordinal)..error.IndexOf("; wrote", StringComparison.Ordinal)];
        }
        string one = Train("1"), two = Train("2");
        Assert.Contains("validation loss", one);
        Assert.Equal(one, two);
        // The weights, byte for byte (the JSON header before them also records when and how long it trained).
        Assert.Equal(Weights(PathOf("t1.safetensors")), Weights(PathOf("t2.safetensors")));
    }

    private static byte[] Weights(string safetensors)
    {
        byte[] bytes = File.ReadAllBytes(safetensors);
        long header = BitConverter.ToInt64(bytes, 0);
        return bytes[(int)(8 + header)..];
    }
}
