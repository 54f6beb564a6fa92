using System.Diagnostics;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Running;
using LstmText.Tokenizers;
using TokenizerBench;

// Usage: dotnet run -c Release --project tools/bench/TokenizerBench -- [data-folder] [--bdn]
// Without --bdn: a quick Stopwatch run on one thread: half a second of warm-up, then the best pass of the
// next two seconds (at least five passes).
// With --bdn: BenchmarkDotNet (slow; LSTMTEXT_DATA names the data folder).
var dataFolder = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? BenchData.DefaultDataFolder();
if (args.Contains("--bdn"))
{
    Environment.SetEnvironmentVariable("LSTMTEXT_DATA", dataFolder);
    BenchmarkRunner.Run<EncodeThroughput>();
    return;
}

Console.WriteLine($"data: {dataFolder}");
Console.WriteLine($"machine: {RuntimeInformation.OSDescription}, {RuntimeInformation.ProcessArchitecture}, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
var corpora = BenchData.Load(dataFolder);
Console.WriteLine("| corpus | UTF-8 MB | chars MB/s | words MB/s | GPT-2 BPE MB/s | GPT-2 BPE first pass MB/s |");
Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: |");
foreach (var data in corpora)
{
    var ids = new int[data.Bpe.MaxTokenCount(data.Chunks.Max(c => c.Length))];
    var fresh = BpeTokenizer.LoadOpenAI(
        Path.Combine(dataFolder, "gpt2-tokenizer", "encoder.json"), Path.Combine(dataFolder, "gpt2-tokenizer", "vocab.bpe"));
    var firstPass = FirstPass(data, fresh, ids); // an empty piece cache: every distinct word is merged once
    Console.WriteLine($"| {data.Name} | {data.Utf8Bytes / 1e6:F1} | {Measure(data, data.Chars, ids):F0} | {Measure(data, data.Words, ids):F0} | {Measure(data, data.Bpe, ids):F1} | {firstPass:F1} |");
}

var trainingText = corpora.Single(d => d.Name == "imdb").Chunks.Aggregate(new List<string>(), (list, chunk) =>
{
    if (list.Sum(c => c.Length) < 10_000_000)
    {
        list.Add(chunk);
    }
    return list;
});
var stopwatch = Stopwatch.StartNew();
var trained = BpeTokenizer.Train(trainingText, new BpeTrainingOptions { VocabularySize = 8192 });
Console.WriteLine($"BPE training: {trainingText.Sum(c => c.Length) / 1e6:F1} M chars of IMDb to {trained.VocabularySize} tokens in {stopwatch.Elapsed.TotalSeconds:F1} s");

static double FirstPass(BenchData data, ITokenizer tokenizer, int[] ids)
{
    var stopwatch = Stopwatch.StartNew();
    foreach (var chunk in data.Chunks)
    {
        tokenizer.Encode(chunk, ids);
    }
    return data.Utf8Bytes / 1e6 / stopwatch.Elapsed.TotalSeconds;
}

static double Measure(BenchData data, ITokenizer tokenizer, int[] ids)
{
    // Warm up for half a second (JIT tiers, the BPE cache), then keep the best of the passes made in two seconds.
    var best = double.MaxValue;
    var clock = Stopwatch.StartNew();
    var passes = 0;
    while (clock.Elapsed.TotalSeconds < 2.5 || passes < 5)
    {
        var stopwatch = Stopwatch.StartNew();
        foreach (var chunk in data.Chunks)
        {
            tokenizer.Encode(chunk, ids);
        }
        if (clock.Elapsed.TotalSeconds > 0.5)
        {
            best = Math.Min(best, stopwatch.Elapsed.TotalSeconds);
            passes++;
        }
    }
    return data.Utf8Bytes / 1e6 / best;
}
