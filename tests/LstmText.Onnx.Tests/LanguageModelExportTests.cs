using Xunit.Abstractions;
using LstmText.Compute;
using LstmText.Layers;
using LstmText.Models;
using LstmText.Tensors;
using LstmText.Tokenizers;

namespace LstmText.Onnx.Tests;

/// <summary>
/// Exported language models run by ONNX Runtime on the CPU give our logits for a batch, and carry (h, c) from one
/// chunk to the next as our stateful LSTM does.
/// </summary>
public sealed class LanguageModelExportTests(ITestOutputHelper log)
{
    private static readonly CharTokenizer Tokenizer = CharTokenizer.Build(["the quick brown fox jumps over the lazy dog, twice!"]);

    public static TheoryData<int, int, int, bool> Shapes() => new()
    {
        { 1, 8, 8, true },
        { 2, 6, 7, false },
        { 3, 5, 5, true },
    };

    private static int[][] RandomRows(int rows, int steps, int vocabulary, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, rows).Select(_ => Enumerable.Range(0, steps).Select(_ => random.Next(vocabulary)).ToArray()).ToArray();
    }

    private static Dictionary<string, (Array, long[])> Inputs(int[][] rows, (float[] Values, long[] Shape)? h = null, (float[] Values, long[] Shape)? c = null)
    {
        var (ids, _, steps) = OnnxRun.Pad(rows, 0);
        var inputs = new Dictionary<string, (Array, long[])> { [OnnxTensorNames.InputIds] = (ids, [rows.Length, steps]) };
        if (h is { } hidden) inputs[OnnxTensorNames.InitialHidden] = (hidden.Values, hidden.Shape);
        if (c is { } cell) inputs[OnnxTensorNames.InitialCell] = (cell.Values, cell.Shape);
        return inputs;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void A_batch_gives_our_logits_and_the_state_carries_to_the_next_chunk(int layers, int embedding, int hidden, bool tied)
    {
        var model = LanguageModel.Create(Tokenizer, new LanguageModelArchitecture(Tokenizer.VocabularySize, embedding, hidden, layers, TieWeights: tied),
            seed: (ulong)layers);
        AssertSameAsOurs(model, RandomRows(3, 11, Tokenizer.VocabularySize, layers), firstChunk: 6);
    }

    [Fact]
    public void The_bundled_Shakespeare_model_gives_our_logits_and_carries_its_state()
    {
        var model = LanguageModel.Load(RepositoryFiles.PathOf("corpora/shakespeare/shakespeare-char.safetensors"));
        var text = File.ReadAllText(RepositoryFiles.PathOf("corpora/shakespeare/input.txt"));
        var rows = new[] { 0, 1000, 5000 }.Select(start => model.Tokenizer.Encode(text.AsSpan(start, 48))).ToArray();
        Assert.All(rows, r => Assert.Equal(rows[0].Length, r.Length));
        var (logits, states) = AssertSameAsOurs(model, rows, firstChunk: 30);
        log.WriteLine($"Shakespeare: largest logit difference {logits:E2}, largest state difference {states:E2}");
    }

    [Fact]
    public void H0_and_c0_are_optional_inputs_and_the_metadata_carries_the_tokenizer()
    {
        var model = LanguageModel.Create(Tokenizer, new LanguageModelArchitecture(Tokenizer.VocabularySize, 4, 4, 2));
        using var run = new OnnxRun(OnnxExport.ToBytes(model));
        Assert.Equal([OnnxTensorNames.InputIds], run.Session.InputMetadata.Keys);
        Assert.Equal([OnnxTensorNames.InitialCell, OnnxTensorNames.InitialHidden], run.Session.OverridableInitializerMetadata.Keys.Order());
        Assert.Equal([OnnxTensorNames.FinalCell, OnnxTensorNames.FinalHidden, OnnxTensorNames.Logits], run.Session.OutputMetadata.Keys.Order());
        Assert.Equal([-1, -1, Tokenizer.VocabularySize], run.Session.OutputMetadata[OnnxTensorNames.Logits].Dimensions);
        Assert.Equal([2, -1, 4], run.Session.OutputMetadata[OnnxTensorNames.FinalHidden].Dimensions);
        var metadata = run.Session.ModelMetadata.CustomMetadataMap;
        Assert.Equal(LanguageModelArchitecture.Kind, metadata[OnnxMetadataKeys.Kind]);
        Assert.Equal(model.ToModelFile().Config.ToJson(), metadata[OnnxMetadataKeys.Config]);
        Assert.Equal(Tokenizer.Encode("lazy fox"), LstmText.Tokenizers.Tokenizer.FromJson(metadata[OnnxMetadataKeys.Tokenizer]).Encode("lazy fox"));
    }

    [Fact]
    public void A_tied_model_stores_its_embedding_once()
    {
        var tied = LanguageModel.Create(Tokenizer, new LanguageModelArchitecture(Tokenizer.VocabularySize, 16, 16, 1, TieWeights: true));
        var untied = LanguageModel.Create(Tokenizer, new LanguageModelArchitecture(Tokenizer.VocabularySize, 16, 16, 1));
        int decoderBytes = 4 * 16 * Tokenizer.VocabularySize;
        // The untied file holds the decoder weight; the tied one a Transpose node instead (names and headers: tens of bytes).
        Assert.InRange(OnnxExport.ToBytes(untied).Length - OnnxExport.ToBytes(tied).Length, decoderBytes - 100, decoderBytes + 100);
    }

    /// <summary>
    /// Runs <paramref name="rows"/> (equal lengths) through ONNX Runtime whole, and in two chunks with hn/cn fed back as
    /// h0/c0; compares the logits with <see cref="LanguageModel.ComputeLogits"/> row by row and the final states with
    /// our LSTM run statefully over the same chunks.
    /// </summary>
    /// <returns>The largest logit difference and the largest state difference seen.</returns>
    private static (double Logits, double States) AssertSameAsOurs(LanguageModel model, int[][] rows, int firstChunk)
    {
        int batch = rows.Length, steps = rows[0].Length, vocabulary = model.Architecture.VocabularySize;
        using var run = new OnnxRun(OnnxExport.ToBytes(model));
        var whole = run.Run(Inputs(rows), OnnxTensorNames.Logits, OnnxTensorNames.FinalHidden, OnnxTensorNames.FinalCell);
        Assert.Equal([batch, steps, (long)vocabulary], whole[OnnxTensorNames.Logits].Shape);
        var expected = rows.Select(r => model.ComputeLogits(r).ToArray()).ToArray();
        double logitError = 0, stateError = 0;
        for (int b = 0; b < batch; b++)
            logitError = Math.Max(logitError, Tolerance.AssertClose(expected[b], whole[OnnxTensorNames.Logits].Values.AsSpan(b * steps * vocabulary, steps * vocabulary), $"logits of row {b}"));

        var first = run.Run(Inputs(rows.Select(r => r[..firstChunk]).ToArray()), OnnxTensorNames.FinalHidden, OnnxTensorNames.FinalCell);
        var second = run.Run(Inputs(rows.Select(r => r[firstChunk..]).ToArray(), first[OnnxTensorNames.FinalHidden], first[OnnxTensorNames.FinalCell]),
            OnnxTensorNames.Logits, OnnxTensorNames.FinalHidden, OnnxTensorNames.FinalCell);
        int rest = steps - firstChunk;
        for (int b = 0; b < batch; b++)
            logitError = Math.Max(logitError, Tolerance.AssertClose(expected[b].AsSpan(firstChunk * vocabulary), second[OnnxTensorNames.Logits].Values.AsSpan(b * rest * vocabulary, rest * vocabulary),
                $"second-chunk logits of row {b}"));

        // Our LSTM, run statefully over the same two chunks from the model's own weights.
        var a = model.Architecture;
        var tensors = model.ToModelFile().Tensors;
        var embedding = new Embedding(vocabulary, a.EmbeddingSize, new RandomSource(0));
        embedding.Weight.Load(tensors["embedding.weight"]);
        var lstm = new Lstm(a.EmbeddingSize, a.HiddenSize, new RandomSource(0), a.Layers);
        foreach (var p in lstm.Parameters) p.Load(tensors["lstm." + p.Name]);
        int[] TimeMajor(int from, int count) =>
            Enumerable.Range(0, count * batch).Select(i => rows[i % batch][from + i / batch]).ToArray();
        lstm.Forward(embedding.Forward(TimeMajor(0, firstChunk), firstChunk, batch));
        var afterFirst = lstm.FinalState.Copy();
        stateError = Math.Max(stateError, Tolerance.AssertClose(afterFirst.Hidden.HostSpan, first[OnnxTensorNames.FinalHidden].Values, "hn after the first chunk"));
        stateError = Math.Max(stateError, Tolerance.AssertClose(afterFirst.Cell.HostSpan, first[OnnxTensorNames.FinalCell].Values, "cn after the first chunk"));
        lstm.Forward(embedding.Forward(TimeMajor(firstChunk, rest), rest, batch), afterFirst);
        stateError = Math.Max(stateError, Tolerance.AssertClose(lstm.FinalState.Hidden.HostSpan, second[OnnxTensorNames.FinalHidden].Values, "hn after the second chunk"));
        stateError = Math.Max(stateError, Tolerance.AssertClose(lstm.FinalState.Cell.HostSpan, second[OnnxTensorNames.FinalCell].Values, "cn after the second chunk"));
        stateError = Math.Max(stateError, Tolerance.AssertClose(lstm.FinalState.Hidden.HostSpan, whole[OnnxTensorNames.FinalHidden].Values, "hn of the whole run"));
        return (logitError, stateError);
    }
}
