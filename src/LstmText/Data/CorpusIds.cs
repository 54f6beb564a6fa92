using LstmText.IO;
using LstmText.Tokenizers;

namespace LstmText.Data;

/// <summary>Turns a corpus into one array of ids.</summary>
internal static class CorpusIds
{
    public static int[] Encode(ITokenizer tokenizer, TextCorpus corpus, out int unknownCount) =>
        Encode(tokenizer, CorpusSource.FromCorpus(corpus), out unknownCount);

    public static int[] Encode(ITokenizer tokenizer, CorpusSource source, out int unknownCount)
    {
        var ids = new List<int>();
        foreach (var chunk in tokenizer.EncodeChunks(source.Chunks())) ids.AddRange(chunk);
        var result = ids.ToArray();
        unknownCount = CountUnknown(tokenizer, result);
        return result;
    }

    public static int CountUnknown(ITokenizer tokenizer, ReadOnlySpan<int> ids)
    {
        if (tokenizer.UnknownId is not { } unknown) return 0;
        int count = 0;
        foreach (int id in ids) if (id == unknown) count++;
        return count;
    }

    /// <summary>A 64-bit FNV-1a hash of the ids, so a resumed run can tell that it reads the same corpus.</summary>
    public static ulong Fingerprint(ReadOnlySpan<int> ids)
    {
        ulong hash = 14695981039346656037UL;
        foreach (int id in ids)
        {
            hash ^= (uint)id;
            hash *= 1099511628211UL;
        }
        return hash;
    }
}
