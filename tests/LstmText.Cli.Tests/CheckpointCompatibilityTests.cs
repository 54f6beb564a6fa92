using System.Buffers.Binary;
using System.Text.Json;

namespace LstmText.Cli.Tests;

/// <summary>
/// Checkpoints written before the unified trainer (Fixtures/checkpoints-v1, see its README) still resume, and the trainer
/// reaches the very weights the old code reached, straight or resumed, for a language model and a classifier.
/// </summary>
public sealed class CheckpointCompatibilityTests : IDisposable
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures", "checkpoints-v1");

    private readonly string _folder = Directory.CreateTempSubdirectory("lstmtext-cli-ckpt-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Copy(string name)
    {
        string path = Path.Combine(_folder, name);
        File.Copy(Path.Combine(Fixtures, name), path, overwrite: true);
        return path;
    }

    private string[] LanguageModelOptions(int steps, string output) =>
    [
        "train", "--corpus", Copy("corpus.txt"), "--embedding", "8", "--hidden", "8", "--layers", "2", "--dropout", "0.1",
        "--batch-size", "4", "--sequence-length", "16", "--validate-every", "2", "--max-steps", $"{steps}", "--out", Path.Combine(_folder, output),
    ];

    private string[] ClassifierOptions(int steps, string output) =>
    [
        "train-classifier", "--data", Copy("labelled.tsv"), "--from-lm", Copy("lm.safetensors"), "--pooling", "concat", "--batch-size", "8",
        "--validate-every", "2", "--unk-dropout", "0.1", "--freeze-encoder-epochs", "1", "--clip", "1", "--max-tokens", "48",
        "--keep", "last", "--lr", "0.01", "--max-steps", $"{steps}", "--out", Path.Combine(_folder, output),
    ];

    [Fact]
    public void A_language_model_checkpoint_of_the_old_trainer_resumes_to_the_old_weights()
    {
        var (exit, _, error) = CommandLine.Run([.. LanguageModelOptions(8, "resumed.safetensors"), "--resume", Copy("lm.last.ckpt.safetensors")]);
        Assert.True(exit == 0, error);
        AssertSameTensors(Path.Combine(Fixtures, "lm8.safetensors"), Path.Combine(_folder, "resumed.safetensors"));
    }

    [Fact]
    public void A_language_model_trains_to_the_old_weights()
    {
        var (exit, _, error) = CommandLine.Run(LanguageModelOptions(8, "straight.safetensors"));
        Assert.True(exit == 0, error);
        AssertSameTensors(Path.Combine(Fixtures, "lm8.safetensors"), Path.Combine(_folder, "straight.safetensors"));
    }

    [Fact]
    public void A_classifier_checkpoint_of_the_old_trainer_resumes_to_the_old_weights()
    {
        var (exit, _, error) = CommandLine.Run([.. ClassifierOptions(10, "resumed.safetensors"), "--resume", Copy("classifier.last.ckpt.safetensors")]);
        Assert.True(exit == 0, error);
        AssertSameTensors(Path.Combine(Fixtures, "classifier10.safetensors"), Path.Combine(_folder, "resumed.safetensors"));
    }

    [Fact]
    public void A_classifier_trains_to_the_old_weights_and_its_new_checkpoint_resumes_the_same()
    {
        var (exit, _, error) = CommandLine.Run(ClassifierOptions(4, "four.safetensors"));
        Assert.True(exit == 0, error);
        string checkpoint = Path.Combine(_folder, "four.last.ckpt.safetensors");
        var state = JsonDocument.Parse(Metadata(checkpoint)["lstmtext.checkpoint"]).RootElement;
        Assert.Equal("classifier", state.GetProperty("kind").GetString());
        Assert.Equal(48, state.GetProperty("kind_state").GetProperty("max_tokens").GetInt32());
        Assert.False(state.TryGetProperty("sequence_length", out _));

        (exit, _, error) = CommandLine.Run([.. ClassifierOptions(10, "resumed.safetensors"), "--resume", checkpoint]);
        Assert.True(exit == 0, error);
        AssertSameTensors(Path.Combine(Fixtures, "classifier10.safetensors"), Path.Combine(_folder, "resumed.safetensors"));
        (exit, _, error) = CommandLine.Run(ClassifierOptions(10, "straight.safetensors"));
        Assert.True(exit == 0, error);
        AssertSameTensors(Path.Combine(Fixtures, "classifier10.safetensors"), Path.Combine(_folder, "straight.safetensors"));
    }

    /// <summary>Every tensor of <paramref name="expected"/> is in <paramref name="actual"/>, byte for byte, and no other.</summary>
    private static void AssertSameTensors(string expected, string actual)
    {
        var want = Tensors(expected);
        var got = Tensors(actual);
        Assert.Equal(want.Keys.Order(StringComparer.Ordinal), got.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, bytes) in want) Assert.True(bytes.AsSpan().SequenceEqual(got[name]), $"tensor {name} differs");
    }

    private static Dictionary<string, byte[]> Tensors(string path)
    {
        var (header, data) = Read(path);
        var tensors = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var entry in header.EnumerateObject())
        {
            if (entry.Name == "__metadata__") continue;
            var offsets = entry.Value.GetProperty("data_offsets");
            int start = offsets[0].GetInt32(), end = offsets[1].GetInt32();
            tensors[entry.Name] = data[start..end];
        }
        return tensors;
    }

    private static Dictionary<string, string> Metadata(string path) =>
        Read(path).Header.GetProperty("__metadata__").Deserialize<Dictionary<string, string>>()!;

    private static (JsonElement Header, byte[] Data) Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        int length = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(bytes));
        var header = JsonDocument.Parse(bytes.AsMemory(8, length)).RootElement;
        return (header, bytes[(8 + length)..]);
    }
}
