using BenchmarkDotNet.Attributes;
using LstmText.Tokenizers;

namespace TokenizerBench;

/// <summary>BenchmarkDotNet's view of the same work that the quick Stopwatch run measures.</summary>
[MemoryDiagnoser]
public class EncodeThroughput
{
    private BenchData data = null!;
    private int[] ids = [];

    /// <summary>The corpus to encode.</summary>
    [Params("tinyshakespeare", "ptb", "imdb")]
    public string Corpus { get; set; } = "";

    /// <summary>Loads the corpus named by <see cref="Corpus"/>.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var folder = Environment.GetEnvironmentVariable("LSTMTEXT_DATA") ?? BenchData.DefaultDataFolder();
        data = BenchData.Load(folder).Single(d => d.Name == Corpus);
        ids = new int[data.Bpe.MaxTokenCount(data.Chunks.Max(c => c.Length))];
    }

    /// <summary>Characters (Unicode scalar values).</summary>
    [Benchmark]
    public long Chars() => EncodeAll(data.Chars);

    /// <summary>Words.</summary>
    [Benchmark]
    public long Words() => EncodeAll(data.Words);

    /// <summary>GPT-2 byte-level BPE.</summary>
    [Benchmark]
    public long Bpe() => EncodeAll(data.Bpe);

    private long EncodeAll(ITokenizer tokenizer)
    {
        long count = 0;
        foreach (var chunk in data.Chunks)
        {
            count += tokenizer.Encode(chunk, ids);
        }
        return count;
    }
}
