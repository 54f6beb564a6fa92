namespace LstmText.Tokenizers;

/// <summary>
/// Learns BPE merges over the unique pre-tokenised words of a corpus, weighted by their frequencies. Pair
/// counts are kept up to date incrementally: a merge touches only the words that hold the merged pair (found
/// through an index from pair to words), and a max-heap with lazy deletion finds the next most frequent pair,
/// so nothing is ever recounted from scratch.
/// </summary>
internal sealed class BpeTrainer
{
    private readonly int[][] words;
    private readonly int[] lengths;
    private readonly long[] frequencies;
    private readonly Dictionary<long, long> pairCounts = [];
    private readonly Dictionary<long, List<int>> wordsOfPair = [];
    private readonly PriorityQueue<long, (long Count, long Pair)> queue = new(Comparer<(long Count, long Pair)>.Create(
        static (a, b) => a.Count != b.Count ? b.Count.CompareTo(a.Count) : a.Pair.CompareTo(b.Pair)));

    /// <param name="words">Each unique word as its current symbol ids.</param>
    /// <param name="frequencies">How often each word occurs.</param>
    public BpeTrainer(IReadOnlyList<int[]> words, IReadOnlyList<long> frequencies)
    {
        this.words = words.Select(symbols => (int[])symbols.Clone()).ToArray();
        lengths = this.words.Select(symbols => symbols.Length).ToArray();
        this.frequencies = frequencies.ToArray();
        for (var word = 0; word < this.words.Length; word++)
        {
            var symbols = this.words[word];
            for (var index = 0; index + 1 < symbols.Length; index++)
            {
                var pair = PairKey(symbols[index], symbols[index + 1]);
                pairCounts[pair] = pairCounts.GetValueOrDefault(pair) + this.frequencies[word];
                AddWordOfPair(pair, word);
            }
        }
        foreach (var (pair, count) in pairCounts)
        {
            queue.Enqueue(pair, (count, pair));
        }
    }

    /// <summary>
    /// Learns merges until the vocabulary holds <paramref name="targetVocabularySize"/> tokens or no pair occurs
    /// <paramref name="minimumPairFrequency"/> times. New tokens are appended to <paramref name="tokens"/>.
    /// </summary>
    /// <returns>The merges in rank order, each with the id of the token it makes.</returns>
    public List<(int Left, int Right, int Merged)> LearnMerges(
        List<string> tokens, IReadOnlySet<string> reserved, int targetVocabularySize, int minimumPairFrequency)
    {
        var idOfToken = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var id = 0; id < tokens.Count; id++)
        {
            idOfToken[tokens[id]] = id;
        }
        var merges = new List<(int Left, int Right, int Merged)>();
        while (tokens.Count < targetVocabularySize && queue.TryDequeue(out var pair, out var queued))
        {
            var count = pairCounts.GetValueOrDefault(pair);
            if (count != queued.Count)
            {
                if (count > 0)
                {
                    queue.Enqueue(pair, (count, pair)); // stale entry: its words changed since it was queued
                }
                continue;
            }
            if (count < minimumPairFrequency)
            {
                break;
            }
            var (left, right) = ((int)(pair >> 32), (int)pair);
            var text = tokens[left] + tokens[right];
            if (reserved.Contains(text))
            {
                continue; // ordinary text must never produce a special token's id
            }
            if (!idOfToken.TryGetValue(text, out var merged))
            {
                merged = tokens.Count;
                tokens.Add(text);
                idOfToken.Add(text, merged);
            }
            merges.Add((left, right, merged));
            ApplyMerge(pair, left, right, merged);
        }
        return merges;
    }

    private void ApplyMerge(long pair, int left, int right, int merged)
    {
        var grown = new HashSet<long>();
        foreach (var word in wordsOfPair[pair])
        {
            var symbols = words[word];
            var length = lengths[word];
            var frequency = frequencies[word];
            if (!Contains(symbols, length, left, right))
            {
                continue; // the index keeps words whose pair an earlier merge already consumed
            }
            for (var index = 0; index + 1 < length; index++)
            {
                pairCounts[PairKey(symbols[index], symbols[index + 1])] -= frequency;
            }
            var written = 0;
            for (var index = 0; index < length; index++)
            {
                if (index + 1 < length && symbols[index] == left && symbols[index + 1] == right)
                {
                    symbols[written++] = merged;
                    index++;
                }
                else
                {
                    symbols[written++] = symbols[index];
                }
            }
            lengths[word] = length = written;
            for (var index = 0; index + 1 < length; index++)
            {
                var newPair = PairKey(symbols[index], symbols[index + 1]);
                pairCounts[newPair] = pairCounts.GetValueOrDefault(newPair) + frequency;
                if (symbols[index] == merged || symbols[index + 1] == merged)
                {
                    AddWordOfPair(newPair, word);
                    grown.Add(newPair);
                }
            }
        }
        wordsOfPair.Remove(pair);
        pairCounts.Remove(pair);
        foreach (var newPair in grown)
        {
            queue.Enqueue(newPair, (pairCounts[newPair], newPair));
        }
    }

    private void AddWordOfPair(long pair, int word)
    {
        if (!wordsOfPair.TryGetValue(pair, out var list))
        {
            wordsOfPair[pair] = list = [];
        }
        if (list.Count == 0 || list[^1] != word)
        {
            list.Add(word);
        }
    }

    private static bool Contains(int[] symbols, int length, int left, int right)
    {
        for (var index = 0; index + 1 < length; index++)
        {
            if (symbols[index] == left && symbols[index + 1] == right)
            {
                return true;
            }
        }
        return false;
    }

    internal static long PairKey(int left, int right) => ((long)left << 32) | (uint)right;
}
