using System.CommandLine;
using System.Globalization;
using System.Text;
using LstmText.Compute;
using LstmText.Layers;
using LstmText.Models;
using LstmText.Tensors;
using LstmText.Tokenizers;
using Spectre.Console;

namespace LstmText.Cli;

/// <summary>
/// <c>lstmtext bench classify</c>: rows per second of a sentiment-sized classifier on IMDb-length reviews, in
/// batches and one row at a time. tools/bench/classify_torch.py is the PyTorch twin (same sizes, same JSON).
/// </summary>
internal static class ClassifyBenchCommand
{
    public static Command Create()
    {
        var vocabulary = new Option<int>("--vocab") { Description = "Words in the vocabulary.", DefaultValueFactory = _ => 20_000 };
        var embedding = new Option<int>("--embedding") { Description = "Embedding size.", DefaultValueFactory = _ => 100 };
        var hidden = new Option<int>("--hidden") { Description = "LSTM hidden size per direction (bidirectional).", DefaultValueFactory = _ => 128 };
        var rows = new Option<int>("--rows") { Description = "Reviews classified in batch mode.", DefaultValueFactory = _ => 512 };
        var singleRows = new Option<int>("--single-rows") { Description = "Reviews classified one at a time.", DefaultValueFactory = _ => 64 };
        var length = new Option<int>("--length") { Description = "Mean words per review (lengths vary uniformly by ±50%).", DefaultValueFactory = _ => 230 };
        var batchSize = new Option<int>("--batch-size") { Description = "Rows per batch in batch mode.", DefaultValueFactory = _ => 32 };
        var threads = new Option<int>("--threads") { Description = "Threads for the GEMMs and for batches run concurrently.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var repeat = new Option<int>("--repeat") { Description = "Timed runs; the best counts.", DefaultValueFactory = _ => 3 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };
        var int8 = new Option<bool>("--int8") { Description = "Classify with int8 weights (dynamic quantization) instead of float." };
        var command = new Command("classify",
            "Time a bidirectional LSTM classifier (concat pooling) on synthetic IMDb-length reviews, batched and single.\n" +
            "Example: lstmtext bench classify --rows 512 --length 230 --batch-size 32 --threads 2 --json")
        { vocabulary, embedding, hidden, rows, singleRows, length, batchSize, threads, repeat, json, int8 };
        command.SetAction(parse =>
        {
            int v = parse.GetValue(vocabulary), n = parse.GetValue(rows), meanLength = parse.GetValue(length);
            var random = new RandomSource(1);
            var words = Enumerable.Range(0, v).Select(i => "w" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
            var tokenizer = WordTokenizer.Build([string.Join(' ', words)],
                new WordTokenizerOptions { Splitting = WordSplitting.Whitespace });
            var backend = new CpuBackend(Math.Max(1, parse.GetValue(threads)));
            var classifier = new TextClassifier(tokenizer, ["negative", "positive"], new TextClassifierArchitecture
            {
                EmbeddingSize = parse.GetValue(embedding), HiddenSize = parse.GetValue(hidden), Bidirectional = true,
                Pooling = SequencePooling.Concat,
            }, random, backend);
            if (parse.GetValue(int8)) classifier = classifier.WithInt8Weights();
            var reviews = new string[n];
            var text = new StringBuilder();
            for (int r = 0; r < n; r++)
            {
                text.Clear();
                int count = Math.Max(1, meanLength / 2 + random.NextInt(meanLength + 1));
                for (int w = 0; w < count; w++) text.Append(words[random.NextInt(v)]).Append(' ');
                reviews[r] = text.ToString();
            }
            int batch = parse.GetValue(batchSize), timedRepeats = parse.GetValue(repeat);
            var batched = BenchmarkClock.Measure(() => classifier.PredictBatch(reviews, batch), timedRepeats, TimeSpan.FromSeconds(1));
            var singles = reviews.Take(Math.Min(n, parse.GetValue(singleRows))).ToArray();
            var single = BenchmarkClock.Measure(() =>
            {
                foreach (var review in singles) classifier.Predict(review);
            }, timedRepeats, TimeSpan.FromSeconds(1));
            double batchRowsPerSecond = n / batched.Best, singleRowsPerSecond = singles.Length / single.Best;
            if (parse.GetValue(json))
            {
                BenchmarkOutput.WriteJson(parse, new Dictionary<string, object>
                {
                    ["engine"] = "lstmtext " + backend.Name,
                    ["threads"] = backend.Threads,
                    ["int8_kernel"] = parse.GetValue(int8) ? Int8Instructions.Active : "none",
                    ["rows"] = n,
                    ["mean_length"] = meanLength,
                    ["batch_size"] = batch,
                    ["batch_rows_per_second"] = batchRowsPerSecond,
                    ["single_rows_per_second"] = singleRowsPerSecond,
                });
                return 0;
            }
            var table = new Table().AddColumns("engine", "rows", "words/row", "batch", "batched rows/s", "single rows/s");
            table.AddRow(backend.Name, n.ToString(CultureInfo.InvariantCulture), meanLength.ToString(CultureInfo.InvariantCulture),
                batch.ToString(CultureInfo.InvariantCulture), $"[bold]{batchRowsPerSecond:F0}[/]", $"[bold]{singleRowsPerSecond:F0}[/]");
            BenchmarkOutput.WriteTable(parse, table);
            return 0;
        });
        return command;
    }
}
