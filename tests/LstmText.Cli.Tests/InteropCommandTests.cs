using System.Globalization;
using System.Text;
using Parquet;
using Parquet.Schema;

namespace LstmText.Cli.Tests;

/// <summary>
/// The command line with Microsoft.ML.Tokenizers files (<c>--tokenizer sentencepiece|tiktoken --tokenizer-file</c>) and
/// with Parquet tables in <c>train-classifier</c>, <c>evaluate</c> and <c>classify</c>.
/// </summary>
public sealed class InteropCommandTests : IDisposable
{
    private const string Text =
        "ROMEO:\nBut, soft! what light through yonder window breaks?\nIt is the east, and Juliet is the sun.\n\n" +
        "JULIET:\nO Romeo, Romeo! wherefore art thou Romeo?\nDeny thy father and refuse thy name.\n\n";

    private readonly string folder = Directory.CreateTempSubdirectory("lstmtext-cli-interop-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string PathOf(string name) => Path.Combine(folder, name);

    /// <summary>A copy of a fixture in the test's folder, so the test can delete it and show that the model needs it no more.</summary>
    private string CopyOfFixture(string name)
    {
        var copy = PathOf(name);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Fixtures", "mltokenizers", name), copy);
        return copy;
    }

    [Theory]
    [InlineData("sentencepiece", "shakespeare-bpe.model")]
    [InlineData("sentencepiece", "shakespeare-unigram.model")]
    [InlineData("tiktoken", "shakespeare.tiktoken")]
    public void Train_with_a_tokenizer_file_then_generate_and_info_without_it(string kind, string file)
    {
        var corpus = PathOf("corpus.txt");
        File.WriteAllText(corpus, string.Concat(Enumerable.Repeat(Text, 6)));
        var tokenizerFile = CopyOfFixture(file);
        var model = PathOf("lm.safetensors");
        var (exit, output, error) = CommandLine.Run("train", "--corpus", corpus, "--out", model, "--tokenizer", kind, "--tokenizer-file", tokenizerFile,
            "--embedding", "8", "--hidden", "12", "--layers", "1", "--max-steps", "3", "--batch-size", "2", "--sequence-length", "12", "--lr", "0.01");
        Assert.True(exit == 0, error);
        Assert.Empty(output);
        Assert.Contains("trained 3 steps", error);
        File.Delete(tokenizerFile);

        (exit, output, error) = CommandLine.Run("generate", "--model", model, "--prompt", "ROMEO:", "--max-tokens", "12", "--seed", "1");
        Assert.True(exit == 0, error);
        Assert.False(string.IsNullOrWhiteSpace(output), error);
        var (_, included, _) = CommandLine.Run("generate", "--model", model, "--prompt", "ROMEO:", "--max-tokens", "12", "--seed", "1", "--include-prompt");
        Assert.Equal("ROMEO:" + output, included);

        (exit, output, error) = CommandLine.Run("info", "--model", model);
        Assert.True(exit == 0, error);
        Assert.Contains($"tokenizer:    {kind}", output);
    }

    [Fact]
    public void Train_a_classifier_with_a_sentencepiece_file_then_classify_without_it()
    {
        var data = PathOf("reviews.csv");
        var csv = new StringBuilder("sentiment,review\n");
        foreach (var (text, label, _) in ClassifierCommandTests.TinyRows()) csv.Append(CultureInfo.InvariantCulture, $"{label},{text}\n");
        File.WriteAllText(data, csv.ToString());
        var tokenizerFile = CopyOfFixture("shakespeare-bpe.model");
        var model = PathOf("classifier.safetensors");
        var (exit, _, error) = CommandLine.Run("train-classifier", "--data", data, "--out", model, "--tokenizer", "sentencepiece",
            "--tokenizer-file", tokenizerFile, "--embedding", "8", "--hidden", "8", "--epochs", "20", "--batch-size", "8", "--lr", "0.02",
            "--keep", "last"); // the validation split of 40 rows is too small to pick the best epoch by
        Assert.True(exit == 0, error);
        File.Delete(tokenizerFile);
        var (classified, output, classifyError) = CommandLine.Run("classify", "--model", model, "--text", "a really good film");
        Assert.True(classified == 0, classifyError);
        Assert.StartsWith("positive\t", output);
    }

    [Fact]
    public void Tokenizer_file_mistakes_are_one_line_with_a_usage_or_runtime_exit_code()
    {
        var corpus = PathOf("corpus.txt");
        File.WriteAllText(corpus, Text);
        var model = PathOf("lm.safetensors");
        string[] common = ["train", "--corpus", corpus, "--out", model, "--max-steps", "1"];

        var (exit, _, error) = CommandLine.Run([.. common, "--tokenizer", "sentencepiece"]);
        Assert.Equal(2, exit);
        Assert.Equal("error: --tokenizer sentencepiece needs --tokenizer-file (the spm.model file)\nsee: lstmtext train --help\n", error);

        (exit, _, error) = CommandLine.Run([.. common, "--tokenizer", "char", "--tokenizer-file", corpus]);
        Assert.Equal(2, exit);
        Assert.Equal("error: --tokenizer-file goes with --tokenizer sentencepiece, tiktoken, wordpiece, bert, not with --tokenizer char\nsee: lstmtext train --help\n", error);

        (exit, _, error) = CommandLine.Run([.. common, "--tokenizer", "tiktoken", "--tokenizer-file", PathOf("missing.tiktoken")]);
        Assert.Equal(2, exit);
        Assert.Contains("--tokenizer-file", error);

        (exit, _, error) = CommandLine.Run([.. common, "--tokenizer", "sentencepiece", "--tokenizer-file", corpus]);
        Assert.Equal(1, exit);
        Assert.StartsWith($"error: {corpus}: Microsoft.ML.Tokenizers cannot read it as a sentencepiece tokenizer", error);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
        Assert.False(File.Exists(model));
    }

    [Fact]
    public async Task Train_evaluate_and_classify_Parquet_tables()
    {
        var data = PathOf("reviews.parquet");
        var rows = ClassifierCommandTests.TinyRows().ToArray();
        var id = new DataField<int>("id");
        var review = new DataField<string>("review");
        var sentiment = new DataField<string>("sentiment");
        var tags = new ListField("tags", new DataField<string>("element"));
        await using (var stream = File.Create(data))
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(id, review, sentiment, tags), stream))
        {
            foreach (var group in rows.Chunk(15))
            {
                using var rowGroup = writer.CreateRowGroup();
                await rowGroup.WriteAsync<int>(id, group.Select(r => r.Index).ToArray());
                await rowGroup.WriteAsync(review, group.Select(r => r.Index == 5 ? null : r.Text).ToArray());
                await rowGroup.WriteAsync(sentiment, group.Select(r => r.Label).ToArray());
                await rowGroup.WriteAllPartsAsync<ReadOnlyMemory<char>>((DataField)tags.Item,
                    group.Select(r => r.Label.AsMemory()).ToArray(), group.Select(_ => 3).ToArray(), group.Select(_ => 0).ToArray(), default);
            }
        }
        var model = PathOf("classifier.safetensors");
        var (exit, _, error) = CommandLine.Run("train-classifier", "--data", data, "--out", model, "--embedding", "8", "--hidden", "8",
            "--epochs", "15", "--batch-size", "8", "--lr", "0.02", "--pooling", "max");
        Assert.True(exit == 0, error);
        Assert.True(error.Contains("reviews.parquet:6: the text is null (row skipped)", StringComparison.Ordinal), error);
        Assert.True(error.Contains("on 35 examples of 2 classes (negative, positive)", StringComparison.Ordinal), error);

        var (evaluated, json, evaluateError) = CommandLine.Run("evaluate", "--model", model, "--data", data, "--json");
        Assert.True(evaluated == 0, evaluateError);
        Assert.Contains("\"accuracy\"", json);

        var labelled = PathOf("labelled.parquet");
        var (classified, output, classifyError) = CommandLine.Run("classify", "--model", model, "--input", data, "--output", labelled, "--batch-size", "7");
        Assert.True(classified == 0, classifyError);
        Assert.Empty(output);
        Assert.True(classifyError.Contains("classified 40 rows: 39 labelled, 1 errors", StringComparison.Ordinal), classifyError);
        await using (var stream = File.OpenRead(labelled))
        await using (var reader = await ParquetReader.CreateAsync(stream))
        {
            Assert.Equal(3, reader.RowGroupCount);
            Assert.Equal(["id", "review", "sentiment", "tags", "label", "confidence", "p_negative", "p_positive", "error"], reader.Schema.Fields.Select(f => f.Name));
        }
        await using var labelledStream = File.OpenRead(labelled);
        var table = (await global::Parquet.Serialization.ParquetSerializer.DeserializeUntypedAsync(labelledStream)).Data;
        Assert.Equal(rows.Select(r => r.Index), table.Select(r => (int)r["id"]!));
        Assert.Equal(rows.Select(r => new[] { r.Label }), table.Select(r => ((System.Collections.IEnumerable)r["tags"]!).Cast<object>().Select(t => t.ToString()).ToArray()));
        var correct = table.Count(r => r.GetValueOrDefault("label") is string label && label == (string)r["sentiment"]!);
        Assert.True(correct >= 30, $"{correct} of 39 right");
        Assert.Null(table[5].GetValueOrDefault("label"));
        Assert.Equal("the text is null", table[5]["error"]);

        (exit, _, error) = CommandLine.Run("classify", "--model", model, "--input", data);
        Assert.Equal(2, exit);
        Assert.Equal("error: --output: a Parquet table is written to a file; give --output FILE.parquet\nsee: lstmtext classify --help\n", error);
    }
}
