using LstmText.Layers;
using LstmText.Models;
using LstmText.Tokenizers;

namespace LstmText.MLTokenizers.Tests;

/// <summary>The example of docs/tokenizers.md on Microsoft.ML.Tokenizers, verbatim between the markers, so the page shows code that runs.</summary>
public sealed class DocumentationExampleTests
{
    [Fact]
    public void The_sentencepiece_example_runs_and_the_page_shows_it_verbatim()
    {
        var folder = Directory.CreateTempSubdirectory();
        try
        {
            var spmPath = Path.Combine(folder.FullName, "spm.model");
            File.Copy(Path.Combine(AppContext.BaseDirectory, "Fixtures", "shakespeare-bpe.model"), spmPath);
            var modelPath = Path.Combine(folder.FullName, "lm.safetensors");
            var corpus = string.Concat(Enumerable.Repeat("ROMEO:\nBut, soft! what light through yonder window breaks?\n\n", 100));

            // docs: ml-tokenizers
            MLTokenizer.Register();                                    // once at start-up: these models load again
            var spm = MLTokenizer.FromSentencePiece(spmPath);          // or FromTiktoken, FromWordPiece, FromBert, FromBpe
            int[] ids = spm.Encode("ROMEO: But, soft!");               // Microsoft.ML.Tokenizers' own ids
            var model = LanguageModel.Configure().Tokenizer(spm).Embedding(16).Lstm(32, layers: 1)
                .Train(corpus, t => t.MaxSteps(5).BatchSize(4).SequenceLength(16).NoValidation());
            model.Save(modelPath);                                     // spm.model travels inside, base64 in the JSON
            var loaded = LanguageModel.Load(modelPath);                // no other file needed
            string text = loaded.Generate("ROMEO:", g => g.MaxTokens(20).Seed(1));
            // docs: end

            File.Delete(spmPath);
            Assert.Equal(spm.Inner.EncodeToIds("ROMEO: But, soft!"), ids);
            Assert.Equal(text, LanguageModel.Load(modelPath).Generate("ROMEO:", g => g.MaxTokens(20).Seed(1)));
            Assert.False(string.IsNullOrEmpty(text));

            var root = new DirectoryInfo(AppContext.BaseDirectory);
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "LstmText.sln"))) root = root.Parent;
            if (root is null) return; // Run from a copy of the build output without the sources: nothing to compare with.
            var code = File.ReadAllText(Path.Combine(root.FullName, "tests", "LstmText.MLTokenizers.Tests", "DocumentationExampleTests.cs")).ReplaceLineEndings("\n");
            var start = code.IndexOf('\n', code.IndexOf("            // docs: ml-tokenizers", StringComparison.Ordinal)) + 1;
            var end = code.IndexOf("            // docs: end", StringComparison.Ordinal);
            var example = string.Join("\n", code[start..end].TrimEnd('\n').Split('\n').Select(line => line.Length >= 12 ? line[12..] : line.TrimStart()));
            var page = File.ReadAllText(Path.Combine(root.FullName, "docs", "tokenizers.md")).ReplaceLineEndings("\n");
            Assert.Contains(example, page, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
