using System.Runtime.InteropServices;

namespace LstmText.Tokenizers;

/// <summary>
/// Counts how often each token string occurs in a corpus, and picks a vocabulary from the counts:
/// the most frequent first, ties in ordinal order so that the same corpus always gives the same ids.
/// </summary>
internal sealed class UnitCounter
{
    private readonly Dictionary<string, long> counts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long>.AlternateLookup<ReadOnlySpan<char>> countsBySpan;

    public UnitCounter() => countsBySpan = counts.GetAlternateLookup<ReadOnlySpan<char>>();

    public void Add(ReadOnlySpan<char> unit) =>
        CollectionsMarshal.GetValueRefOrAddDefault(countsBySpan, unit, out _)++;

    public IReadOnlyDictionary<string, long> Counts => counts;

    public List<string> MostFrequent(int minimumFrequency, int maximumCount, Func<string, bool> isWanted) =>
        counts.Where(pair => pair.Value >= minimumFrequency && isWanted(pair.Key))
            .OrderByDescending(pair => pair.Value)
            .ThenBy(pair => pair.Key, StringComparer.Ordinal)
            .Take(Math.Max(0, maximumCount))
            .Select(pair => pair.Key)
            .ToList();
}
