using System.Collections.Concurrent;

namespace LstmText.Tokenizers;

/// <summary>
/// Remembers the ids of pre-tokenised pieces, because natural text repeats the same words over and over and
/// merging is the costly part of BPE. Thread-safe; it forgets everything when it grows past its capacity,
/// which bounds memory without the bookkeeping of a true LRU.
/// </summary>
internal sealed class BpePieceCache
{
    /// <summary>Longer pieces are rare and would fill the cache with text that never recurs.</summary>
    public const int LongestCachedPiece = 48;

    private readonly int capacity;

    private readonly ConcurrentDictionary<string, int[]> idsOfPiece = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> idsOfSpan;
    private int count;

    public BpePieceCache(int capacity)
    {
        this.capacity = capacity;
        idsOfSpan = idsOfPiece.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public bool TryGet(ReadOnlySpan<char> piece, out int[] ids) => idsOfSpan.TryGetValue(piece, out ids!);

    public void Add(ReadOnlySpan<char> piece, int[] ids)
    {
        if (piece.Length > LongestCachedPiece)
        {
            return;
        }
        if (Interlocked.Increment(ref count) > capacity)
        {
            idsOfPiece.Clear();
            Interlocked.Exchange(ref count, 0);
        }
        idsOfPiece.TryAdd(piece.ToString(), ids);
    }
}
