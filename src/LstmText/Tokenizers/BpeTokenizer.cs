using System.Buffers;
using System.Text;
using System.Text.Json;

namespace LstmText.Tokenizers;

/// <summary>
/// Byte-level byte-pair encoding, the GPT-2 scheme: text is split by GPT-2's pre-tokenisation pattern, each piece
/// becomes its UTF-8 bytes, and learned merges join adjacent tokens in rank order. Every text can be encoded, so
/// no unknown token is needed; invalid surrogates in the input become U+FFFD. It reads and writes Hugging Face's
/// <c>vocab.json</c> + <c>merges.txt</c> and OpenAI's <c>encoder.json</c> + <c>vocab.bpe</c>; with GPT-2's files its
/// ids are GPT-2's. Special tokens written in the text are encoded as plain text, as OpenAI's encoder does.
/// </summary>
public sealed class BpeTokenizer : Tokenizer
{
    internal const string KindName = "bpe";

    // About 25 MB at most; IMDb's 25,000 reviews hold some 115,000 distinct pieces, which fit.
    // Rescanning every pair after every merge costs the square of the length: nothing for words, but a
    // megabyte-long run of letters in untrusted input must not take hours, so long pieces use a heap.
    private const int LongestQuadraticPiece = 64;

    private const int CacheCapacity = 200_000;

    private readonly int[] idOfByte = new int[256];
    private readonly Dictionary<long, int> rankOfPair;
    private readonly (int Left, int Right, int Merged)[] merges;
    private readonly byte[][] bytesOfId;
    private readonly BpePieceCache cache = new(CacheCapacity);

    private BpeTokenizer(Vocabulary vocabulary, IReadOnlyList<(int Left, int Right, int Merged)> merges, SpecialTokens specialTokens)
        : base(vocabulary, specialTokens)
    {
        this.merges = merges.ToArray();
        bytesOfId = new byte[vocabulary.Count][];
        for (var id = 0; id < vocabulary.Count; id++)
        {
            var token = vocabulary.TokenOf(id);
            bytesOfId[id] = (IsSpecial(id) ? null : ByteLevelAlphabet.BytesOf(token)) ?? Encoding.UTF8.GetBytes(token);
        }
        for (var b = 0; b < 256; b++)
        {
            var token = ByteLevelAlphabet.CharOfByte[b].ToString();
            if (!vocabulary.TryGetId(token, out idOfByte[b]) || IsSpecial(idOfByte[b]))
            {
                throw new ArgumentException($"The vocabulary has no token \"{token}\" for byte 0x{b:X2}; byte-level BPE needs all 256.");
            }
        }
        rankOfPair = new Dictionary<long, int>(this.merges.Length);
        for (var rank = 0; rank < this.merges.Length; rank++)
        {
            // A repeated merge takes its last rank, as OpenAI's dict(zip(merges, range(...))) does.
            rankOfPair[BpeTrainer.PairKey(this.merges[rank].Left, this.merges[rank].Right)] = rank;
        }
    }

    /// <inheritdoc/>
    public override string Kind => KindName;

    /// <summary>The number of merges, in rank order after the 256 byte tokens.</summary>
    public int MergeCount => merges.Length;

    /// <summary>The merges in rank order, as the two tokens each one joins.</summary>
    public IEnumerable<(string Left, string Right)> Merges =>
        merges.Select(merge => (TokenOf(merge.Left), TokenOf(merge.Right)));

    /// <summary>Learns a byte-level BPE vocabulary from a corpus.</summary>
    /// <param name="corpus">The texts, e.g. the chunks of an <c>TextCorpus</c>.</param>
    /// <param name="options">The vocabulary size to reach and the special tokens.</param>
    public static BpeTokenizer Train(IEnumerable<string> corpus, BpeTrainingOptions? options = null)
    {
        options ??= new BpeTrainingOptions();
        var specials = options.SpecialTokens;
        var tokens = specials.All.ToList();
        var firstByteId = tokens.Count;
        tokens.AddRange(Enumerable.Range(0, 256).Select(b => ByteLevelAlphabet.CharOfByte[b].ToString()));
        if (tokens.Distinct(StringComparer.Ordinal).Count() != tokens.Count)
        {
            throw new ArgumentException("A special token is spelled like a byte token; use a longer special token.", nameof(options));
        }

        var pieces = CountPieces(corpus);
        var words = new List<int[]>(pieces.Count);
        var frequencies = new List<long>(pieces.Count);
        foreach (var (piece, frequency) in pieces)
        {
            words.Add(Encoding.UTF8.GetBytes(piece).Select(b => firstByteId + b).ToArray());
            frequencies.Add(frequency);
        }
        var learned = new BpeTrainer(words, frequencies).LearnMerges(
            tokens, specials.All.ToHashSet(StringComparer.Ordinal), options.VocabularySize, options.MinimumPairFrequency);
        return new BpeTokenizer(new Vocabulary(tokens), learned, specials);
    }

    /// <summary>Reads Hugging Face's <c>vocab.json</c> (token to id) and <c>merges.txt</c> (one merge per line, maybe after a <c>#version</c> line).</summary>
    /// <param name="vocabJsonPath">The vocabulary file.</param>
    /// <param name="mergesPath">The merges file.</param>
    /// <param name="specialTokens">The special tokens, which must be in the vocabulary; by default <c>&lt;|endoftext|&gt;</c> ends (and begins) a sequence when present.</param>
    /// <exception cref="TokenizerFormatException">A file is malformed; the message names the file and the line or token.</exception>
    public static BpeTokenizer LoadHuggingFace(string vocabJsonPath, string mergesPath, SpecialTokens? specialTokens = null) =>
        BpeVocabularyFiles.Read(vocabJsonPath, mergesPath, specialTokens, (vocabulary, merges, specials) => new BpeTokenizer(vocabulary, merges, specials));

    /// <summary>Reads OpenAI's <c>encoder.json</c> and <c>vocab.bpe</c>, the files GPT-2 was released with.</summary>
    /// <param name="encoderJsonPath">The vocabulary file.</param>
    /// <param name="vocabBpePath">The merges file.</param>
    /// <param name="specialTokens">As for <see cref="LoadHuggingFace"/>.</param>
    /// <exception cref="TokenizerFormatException">A file is malformed; the message names the file and the line or token.</exception>
    public static BpeTokenizer LoadOpenAI(string encoderJsonPath, string vocabBpePath, SpecialTokens? specialTokens = null) =>
        LoadHuggingFace(encoderJsonPath, vocabBpePath, specialTokens);

    /// <summary>Writes Hugging Face's <c>vocab.json</c> and <c>merges.txt</c> (with a <c>#version: 0.2</c> line).</summary>
    public void SaveHuggingFace(string vocabJsonPath, string mergesPath) => BpeVocabularyFiles.Write(this, vocabJsonPath, mergesPath);

    /// <summary>Writes OpenAI's <c>encoder.json</c> and <c>vocab.bpe</c>, which have the same content as Hugging Face's pair.</summary>
    public void SaveOpenAI(string encoderJsonPath, string vocabBpePath) => BpeVocabularyFiles.Write(this, encoderJsonPath, vocabBpePath);

    /// <summary>Decodes ids to their exact bytes; text in any encoding round-trips through this.</summary>
    public byte[] DecodeToUtf8(ReadOnlySpan<int> ids, bool skipSpecialTokens = false)
    {
        var bytes = new ArrayBufferWriter<byte>();
        foreach (var id in ids)
        {
            if (!(skipSpecialTokens && IsSpecial(id)))
            {
                bytes.Write(BytesOf(id));
            }
        }
        return bytes.WrittenSpan.ToArray();
    }

    /// <inheritdoc/>
    /// <remarks>One id per UTF-8 byte at most, and a UTF-16 char is at most 3 bytes.</remarks>
    public override int MaxTokenCount(int textLength) => (int)Math.Min(int.MaxValue, 3L * textLength);

    /// <inheritdoc/>
    public override IStreamingDecoder CreateStreamingDecoder(bool skipSpecialTokens = false) =>
        new ByteLevelStreamDecoder(this, skipSpecialTokens);

    /// <inheritdoc/>
    /// <remarks>
    /// Byte-level BPE already encodes every text, so growing is optional: this learns extra merges from the new
    /// corpus, on top of the existing ones, so that its frequent words become fewer tokens. Old merges keep their
    /// ranks, so text encodes the same way up to the new merges. A pair must occur at least twice (or
    /// <see cref="VocabularyGrowthOptions.MinimumFrequency"/> times) to be merged; set
    /// <see cref="VocabularyGrowthOptions.MaximumNewTokens"/>, or every repeated pair is merged.
    /// </remarks>
    public override VocabularyGrowth ExtendVocabulary(IEnumerable<string> corpus, VocabularyGrowthOptions? options = null)
    {
        options ??= new VocabularyGrowthOptions();
        var pieces = CountPieces(corpus);
        var words = new List<int[]>(pieces.Count);
        var frequencies = new List<long>(pieces.Count);
        foreach (var (piece, frequency) in pieces)
        {
            words.Add(EncodePieceUncached(piece));
            frequencies.Add(frequency);
        }
        var tokens = Vocabulary.Tokens.ToList();
        var target = (int)Math.Min(int.MaxValue, (long)VocabularySize + options.MaximumNewTokens);
        var learned = new BpeTrainer(words, frequencies).LearnMerges(
            tokens, SpecialTokens.All.ToHashSet(StringComparer.Ordinal), target, Math.Max(2, options.MinimumFrequency));
        var extended = new BpeTokenizer(new Vocabulary(tokens), merges.Concat(learned).ToArray(), SpecialTokens);
        return new VocabularyGrowth(extended, Enumerable.Range(VocabularySize, tokens.Count - VocabularySize).ToArray());
    }

    internal byte[] BytesOf(int id)
    {
        if ((uint)id >= (uint)bytesOfId.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(id), id, $"Token ids run from 0 to {bytesOfId.Length - 1}.");
        }
        return bytesOfId[id];
    }

    internal static BpeTokenizer FromJsonFields(TokenizerJsonFields fields)
    {
        var specials = ReadSpecialTokens(fields);
        var vocabulary = ReadVocabulary(fields);
        var lines = fields.RequiredStringArray("merges");
        var merges = BpeVocabularyFiles.ParseMerges(vocabulary, lines, index => $"Tokenizer JSON field \"merges\" item {index}");
        try
        {
            return new BpeTokenizer(vocabulary, merges, specials);
        }
        catch (ArgumentException e)
        {
            throw new TokenizerFormatException($"Tokenizer JSON: {e.Message}", e);
        }
    }

    private protected override void EncodeCore(ReadOnlySpan<char> text, ref TokenIdWriter writer)
    {
        if (UnicodeText.HasLoneSurrogate(text))
        {
            text = UnicodeText.ReplaceLoneSurrogates(text);
        }
        Span<byte> byteBuffer = stackalloc byte[256];
        Span<int> symbolBuffer = stackalloc int[256];
        while (!text.IsEmpty)
        {
            var length = Gpt2PreTokenizer.NextPieceLength(text);
            var piece = text[..length];
            text = text[length..];
            if (piece.Length == 1 && piece[0] < 0x80)
            {
                writer.Add(idOfByte[piece[0]]);
                continue;
            }
            if (cache.TryGet(piece, out var cached))
            {
                foreach (var id in cached)
                {
                    writer.Add(id);
                }
                continue;
            }
            var maxBytes = Encoding.UTF8.GetMaxByteCount(piece.Length);
            var bytes = maxBytes <= byteBuffer.Length ? byteBuffer : new byte[maxBytes];
            var symbols = maxBytes <= symbolBuffer.Length ? symbolBuffer : new int[maxBytes];
            var ids = MergeBytes(piece, bytes, symbols);
            cache.Add(piece, ids.ToArray());
            foreach (var id in ids)
            {
                writer.Add(id);
            }
        }
    }

    private protected override void WriteJsonFields(Utf8JsonWriter writer)
    {
    }

    private protected override void WriteJsonTail(Utf8JsonWriter writer)
    {
        writer.WriteStartArray("merges");
        foreach (var (left, right) in Merges)
        {
            writer.WriteStringValue($"{left} {right}");
        }
        writer.WriteEndArray();
    }

    private static IReadOnlyDictionary<string, long> CountPieces(IEnumerable<string> corpus)
    {
        var counter = new UnitCounter();
        foreach (var document in corpus)
        {
            var text = UnicodeText.HasLoneSurrogate(document) ? UnicodeText.ReplaceLoneSurrogates(document) : document.AsSpan();
            while (!text.IsEmpty)
            {
                var length = Gpt2PreTokenizer.NextPieceLength(text);
                counter.Add(text[..length]);
                text = text[length..];
            }
        }
        return counter.Counts;
    }

    private int[] EncodePieceUncached(string piece)
    {
        var maxBytes = Encoding.UTF8.GetMaxByteCount(piece.Length);
        return MergeBytes(piece, new byte[maxBytes], new int[maxBytes]).ToArray();
    }

    private Span<int> MergeBytes(ReadOnlySpan<char> piece, Span<byte> bytes, Span<int> symbols)
    {
        var count = Encoding.UTF8.GetBytes(piece, bytes);
        for (var index = 0; index < count; index++)
        {
            symbols[index] = idOfByte[bytes[index]];
        }
        if (count > LongestQuadraticPiece)
        {
            return symbols[..MergeLongPiece(symbols[..count])];
        }
        // OpenAI's bpe(): merge the lowest-ranked pair everywhere it occurs, left to right, until none is left.
        while (count > 1)
        {
            var bestRank = int.MaxValue;
            for (var index = 0; index + 1 < count; index++)
            {
                if (rankOfPair.TryGetValue(BpeTrainer.PairKey(symbols[index], symbols[index + 1]), out var rank) && rank < bestRank)
                {
                    bestRank = rank;
                }
            }
            if (bestRank == int.MaxValue)
            {
                break;
            }
            var (left, right, merged) = merges[bestRank];
            var written = 0;
            for (var index = 0; index < count; index++)
            {
                if (index + 1 < count && symbols[index] == left && symbols[index + 1] == right)
                {
                    symbols[written++] = merged;
                    index++;
                }
                else
                {
                    symbols[written++] = symbols[index];
                }
            }
            count = written;
        }
        return symbols[..count];
    }

    /// <summary>
    /// The same merges as the quadratic loop, in O(n log n): a heap ordered by (rank, position) pops the lowest
    /// rank first and, within a rank, the leftmost occurrence, which is the order OpenAI's loop merges in.
    /// Entries whose symbols have changed since they were queued are skipped.
    /// </summary>
    private int MergeLongPiece(Span<int> symbols)
    {
        var count = symbols.Length;
        var next = new int[count];
        var previous = new int[count];
        for (var index = 0; index < count; index++)
        {
            next[index] = index + 1 < count ? index + 1 : -1;
            previous[index] = index - 1;
        }
        var queue = new PriorityQueue<(int Position, int Left, int Right), long>();
        for (var index = 0; index + 1 < count; index++)
        {
            Enqueue(queue, symbols, index, index + 1);
        }
        while (queue.TryDequeue(out var entry, out var priority))
        {
            var left = entry.Position;
            var right = next[left];
            if (previous[left] == int.MinValue || right < 0 || symbols[left] != entry.Left || symbols[right] != entry.Right)
            {
                continue;
            }
            symbols[left] = merges[(int)(priority >> 32)].Merged;
            previous[right] = int.MinValue; // merged away
            next[left] = next[right];
            if (next[left] >= 0)
            {
                previous[next[left]] = left;
                Enqueue(queue, symbols, left, next[left]);
            }
            if (previous[left] >= 0)
            {
                Enqueue(queue, symbols, previous[left], left);
            }
        }
        var written = 0;
        for (var index = 0; index >= 0; index = next[index])
        {
            symbols[written++] = symbols[index];
        }
        return written;
    }

    private void Enqueue(PriorityQueue<(int Position, int Left, int Right), long> queue, Span<int> symbols, int left, int right)
    {
        if (rankOfPair.TryGetValue(BpeTrainer.PairKey(symbols[left], symbols[right]), out var rank))
        {
            queue.Enqueue((left, symbols[left], symbols[right]), ((long)rank << 32) | (uint)left);
        }
    }
}
