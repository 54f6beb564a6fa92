using LstmText.Generation;
using LstmText.Models;
using LstmText.Tokenizers;
using Microsoft.ML.OnnxRuntime;

namespace LstmText.Onnx.Tests;

/// <summary>The exported graphs on a GPU through ONNX Runtime's CUDA execution provider (skipped without one).</summary>
public sealed class CudaExportTests
{
    [CudaFact]
    public void The_bundled_models_give_our_numbers_on_the_CUDA_execution_provider()
    {
        var classifier = TextClassifier.Load(RepositoryFiles.PathOf("corpora/sentiment/sentiment.safetensors"));
        var texts = File.ReadLines(RepositoryFiles.PathOf("corpora/sentiment/uci-sentences.tsv")).Skip(1).Take(16)
            .Select(line => line.Split('\t')[0]).ToArray();
        var rows = texts.Select(classifier.Encode).ToArray();
        var predictions = classifier.PredictBatch(texts);
        var options = new SessionOptions();
        options.AppendExecutionProvider_CUDA(0);
        using (var run = new OnnxRun(OnnxExport.ToBytes(classifier), options))
        {
            var (ids, lengths, steps) = OnnxRun.Pad(rows, classifier.Tokenizer.PaddingId ?? 0);
            var probabilities = run.Run(new Dictionary<string, (Array, long[])>
            {
                [OnnxTensorNames.InputIds] = (ids, [rows.Length, steps]),
                [OnnxTensorNames.Lengths] = (lengths, [rows.Length]),
            }, OnnxTensorNames.Probabilities)[OnnxTensorNames.Probabilities].Values;
            int classes = classifier.ClassNames.Count;
            // cuDNN and cuBLAS sum in their own order (and may use TF32): a looser bound than the CPU's 1e-5.
            for (int i = 0; i < texts.Length; i++)
                for (int c = 0; c < classes; c++)
                    Assert.True(Math.Abs(predictions[i].Probabilities[c] - probabilities[i * classes + c]) < 1e-3,
                        $"text {i}, class {c}: {predictions[i].Probabilities[c]} on the CPU, {probabilities[i * classes + c]} on CUDA");
        }

        var model = LanguageModel.Load(RepositoryFiles.PathOf("corpora/shakespeare/shakespeare-char.safetensors"));
        var prompt = model.Tokenizer.Encode("ROMEO:\nWhat light through yonder window breaks?");
        var expected = model.ComputeLogits(prompt).ToArray();
        var gpuOptions = new SessionOptions();
        gpuOptions.AppendExecutionProvider_CUDA(0);
        using var lm = new OnnxRun(OnnxExport.ToBytes(model), gpuOptions);
        var logits = lm.Run(new Dictionary<string, (Array, long[])>
        {
            [OnnxTensorNames.InputIds] = (prompt.Select(id => (long)id).ToArray(), [1, prompt.Length]),
        }, OnnxTensorNames.Logits)[OnnxTensorNames.Logits].Values;
        double worst = expected.Zip(logits, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(worst < 1e-2, $"logits differ by up to {worst} on CUDA");
    }
}
