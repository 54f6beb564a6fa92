using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using LstmText.Generation;
using LstmText.Models;
using LstmText.Tokenizers;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;

namespace LstmText.Onnx.Tests;

/// <summary>
/// Runs the serving code of docs/deployment.md as printed there (plain ONNX Runtime, ML.NET, generation), and checks
/// that every line of the page's C# examples appears here, so the page cannot drift from code that runs.
/// </summary>
public sealed class DeploymentDocumentationTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("lstmtext-deploy-").FullName;
    private readonly TextClassifier _classifier = TextClassifier.Load(RepositoryFiles.PathOf("corpora/sentiment/sentiment.safetensors"));
    private readonly string[] texts = ["A wonderful, moving film.", "Terrible battery, it died in a day.", "ok"];

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string ExportedClassifier()
    {
        string path = Path.Combine(_folder, "sentiment.onnx");
        OnnxExport.Write(_classifier, path);
        return path;
    }

    [Fact]
    public void Plain_ONNX_Runtime_code_gives_the_classifiers_probabilities()
    {
        string onnxPath = ExportedClassifier();
        using var session = new InferenceSession(onnxPath);
        var metadata = session.ModelMetadata.CustomMetadataMap;
        ITokenizer tokenizer = Tokenizer.FromJson(metadata["lstmtext.tokenizer"]);
        string[] classNames = JsonSerializer.Deserialize<string[]>(metadata["lstmtext.class_names"])!;
        long padding = long.Parse(metadata["lstmtext.padding_id"], CultureInfo.InvariantCulture);

        int[][] rows = texts.Select(t => tokenizer.Encode(t)).ToArray();
        int steps = rows.Max(r => r.Length);
        var ids = new long[texts.Length * steps];
        Array.Fill(ids, padding);
        var lengths = new long[texts.Length];
        for (int b = 0; b < rows.Length; b++)
        {
            lengths[b] = rows[b].Length;
            for (int t = 0; t < rows[b].Length; t++) ids[b * steps + t] = rows[b][t];
        }
        using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, [texts.Length, steps]);
        using var lengthsValue = OrtValue.CreateTensorValueFromMemory(lengths, [texts.Length]);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions,
            new Dictionary<string, OrtValue> { ["input_ids"] = idsValue, ["lengths"] = lengthsValue }, ["probabilities"]);
        ReadOnlySpan<float> probabilities = results[0].GetTensorDataAsSpan<float>();   // [texts, classes], row-major

        Assert.Equal(_classifier.ClassNames, classNames);
        var ours = _classifier.PredictBatch(texts);
        for (int b = 0; b < texts.Length; b++)
            Tolerance.AssertClose(ours[b].Probabilities.ToArray(), probabilities.Slice(b * classNames.Length, classNames.Length), texts[b]);
    }

    [Fact]
    public void The_MLNET_pipeline_gives_the_classifiers_probabilities()
    {
        string onnxPath = ExportedClassifier();
        ITokenizer tokenizer;
        long padding;
        using (var session = new InferenceSession(onnxPath))
        {
            tokenizer = Tokenizer.FromJson(session.ModelMetadata.CustomMetadataMap["lstmtext.tokenizer"]);
            padding = long.Parse(session.ModelMetadata.CustomMetadataMap["lstmtext.padding_id"], CultureInfo.InvariantCulture);
        }

        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(texts.Select(t => new Review { Text = t }));
        var pipeline = ml.Transforms.CustomMapping<Review, EncodedReview>((review, encoded) =>
            {
                var tokens = tokenizer.Encode(review.Text);
                int length = Math.Min(tokens.Length, EncodedReview.MaxTokens);
                encoded.InputIds = new long[EncodedReview.MaxTokens];
                Array.Fill(encoded.InputIds, padding);
                for (int t = 0; t < length; t++) encoded.InputIds[t] = tokens[t];
                encoded.Lengths = [length];
            }, contractName: null)
            .Append(ml.Transforms.ApplyOnnxModel(
                outputColumnNames: ["probabilities"], inputColumnNames: ["input_ids", "lengths"], modelFile: onnxPath,
                shapeDictionary: new Dictionary<string, int[]> { ["input_ids"] = [1, EncodedReview.MaxTokens], ["lengths"] = [1] },
                gpuDeviceId: null, fallbackToCpu: false));
        var scored = pipeline.Fit(data).Transform(data);
        ScoredReview[] predictions = ml.Data.CreateEnumerable<ScoredReview>(scored, reuseRowObject: false).ToArray();

        var ours = _classifier.PredictBatch(texts);
        Assert.Equal(texts.Length, predictions.Length);
        for (int b = 0; b < texts.Length; b++)
            Tolerance.AssertClose(ours[b].Probabilities.ToArray(), predictions[b].Probabilities, texts[b]);
    }

    [Fact]
    public void Generating_step_by_step_with_hn_and_cn_gives_our_greedy_text()
    {
        var model = LanguageModel.Load(RepositoryFiles.PathOf("corpora/shakespeare/shakespeare-char.safetensors"));
        string onnxPath = Path.Combine(_folder, "shakespeare.onnx");
        OnnxExport.Write(model, onnxPath);

        using var lm = new InferenceSession(onnxPath);
        var tokenizer = Tokenizer.FromJson(lm.ModelMetadata.CustomMetadataMap["lstmtext.tokenizer"]);
        var stateShape = lm.OutputMetadata["hn"].Dimensions.Select(d => (long)d).ToArray();   // [layers, -1, hidden]
        stateShape[1] = 1;
        long[] step = tokenizer.Encode("ROMEO:").Select(id => (long)id).ToArray();         // the prompt first, then one token a step
        float[]? h = null, c = null;
        var generated = new List<int>();
        using var runOptions = new RunOptions();
        for (int i = 0; i < 40; i++)
        {
            var feed = new Dictionary<string, OrtValue> { ["input_ids"] = OrtValue.CreateTensorValueFromMemory(step, [1, step.Length]) };
            if (h is not null)
            {
                feed["h0"] = OrtValue.CreateTensorValueFromMemory(h, stateShape);
                feed["c0"] = OrtValue.CreateTensorValueFromMemory(c!, stateShape);
            }
            using (var outputs = lm.Run(runOptions, feed, ["logits", "hn", "cn"]))
            {
                var logits = outputs[0].GetTensorDataAsSpan<float>();
                var last = logits[^tokenizer.VocabularySize..];
                int next = 0;
                for (int v = 1; v < last.Length; v++) if (last[v] > last[next]) next = v;
                generated.Add(next);
                step = [next];
                h = outputs[1].GetTensorDataAsSpan<float>().ToArray();
                c = outputs[2].GetTensorDataAsSpan<float>().ToArray();
            }
            foreach (var value in feed.Values) value.Dispose();
        }
        string text = tokenizer.Decode(generated.ToArray());

        Assert.Equal(model.Generate("ROMEO:", g => g.Greedy().MaxTokens(40)), text);
    }

    [Fact]
    public void Every_line_of_the_pages_serving_examples_is_in_these_tests()
    {
        string page = File.ReadAllText(RepositoryFiles.PathOf("docs/deployment.md"));
        string serving = page[page.IndexOf("## Serving a classifier from plain ONNX Runtime C#", StringComparison.Ordinal)..];
        var here = File.ReadAllLines(RepositoryFiles.PathOf("tests/LstmText.Onnx.Tests/DeploymentDocumentationTests.cs"))
            .Select(l => l.Trim()).ToHashSet(StringComparer.Ordinal);
        var blocks = Regex.Matches(serving, "```csharp\n(.*?)```", RegexOptions.Singleline);
        Assert.Equal(3, blocks.Count);
        var missing = blocks.SelectMany(b => b.Groups[1].Value.Split('\n'))
            .Select(l => l.Trim())
            // The file names and the sample texts are the page's; the tests write their files to a temporary folder.
            .Where(l => l.Length > 0 && !l.Contains(".onnx\"", StringComparison.Ordinal) && !l.StartsWith("string[] texts", StringComparison.Ordinal))
            .Where(l => !here.Contains(l))
            .ToList();
        Assert.True(missing.Count == 0, "docs/deployment.md has lines these tests do not run:\n" + string.Join("\n", missing));
    }
}

/// <summary>ML.NET's input row (docs/deployment.md).</summary>
public sealed class Review
{
    public string Text { get; set; } = "";
}

/// <summary>The tokenized row ML.NET feeds the ONNX graph: fixed-size vectors.</summary>
public sealed class EncodedReview
{
    public const int MaxTokens = 256;

    [ColumnName("input_ids"), VectorType(MaxTokens)]
    public long[] InputIds { get; set; } = [];

    [ColumnName("lengths"), VectorType(1)]
    public long[] Lengths { get; set; } = [];
}

/// <summary>The graph's output as ML.NET reads it back.</summary>
public sealed class ScoredReview
{
    [ColumnName("probabilities"), VectorType(2)]   // the number of classes
    public float[] Probabilities { get; set; } = [];
}
