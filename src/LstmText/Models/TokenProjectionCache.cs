using LstmText.Layers;

namespace LstmText.Models;

/// <summary>
/// Decides when a classifier's inference uses a <see cref="TokenProjectionTable"/>, builds it once for all threads,
/// and never hands out a stale one.
/// </summary>
/// <remarks>
/// <para>Rules: the table is used only while it fits in <see cref="MemoryLimit"/>; it is built only once the tokens run
/// without it since the weights last changed reach <see cref="BuildAfterTokens"/> (by default the vocabulary size, so
/// building, which costs as much as projecting V tokens, at most doubles the input projection's work even for a model
/// that changes after every few predictions); it is dropped as soon as any weight it was computed from changes
/// (<see cref="Parameter.Version"/>), and the next call builds a new one only by the same rule.</para>
/// <para>Thread-safe: the table is immutable, and building happens once, under a lock.</para>
/// </remarks>
internal sealed class TokenProjectionCache
{
    private readonly Embedding _embedding;
    private readonly Lstm _lstm;
    private readonly object _gate = new();
    private TokenProjectionTable? _table;
    private long _countedVersion = -1;
    private long _tokensWithoutTable;
    private long _memoryLimit;

    public TokenProjectionCache(Embedding embedding, Lstm lstm, long memoryLimit)
    {
        _embedding = embedding;
        _lstm = lstm;
        _memoryLimit = memoryLimit;
        BuildAfterTokens = embedding.VocabularySize;
    }

    /// <summary>The largest table, in bytes, that may be built; 0 turns the table off. Lowering it drops a larger table.</summary>
    public long MemoryLimit
    {
        get => Volatile.Read(ref _memoryLimit);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            lock (_gate)
            {
                Volatile.Write(ref _memoryLimit, value);
                if (!Fits) Volatile.Write(ref _table, null);
            }
        }
    }

    /// <summary>Tokens run without the table since the weights last changed before it is built (tests set 0).</summary>
    public long BuildAfterTokens { get; set; }

    /// <summary>The table's size in bytes (whether or not it is built).</summary>
    public long TableBytes => TokenProjectionTable.SizeInBytes(_embedding, _lstm);

    /// <summary>How many tables have been built (tests check that threads share one).</summary>
    public int BuildCount { get; private set; }

    /// <summary>Whether a table is built and current.</summary>
    public bool HasCurrentTable => Volatile.Read(ref _table) is { } table && table.SourceVersion == CurrentVersion;

    private bool Fits => TableBytes <= Volatile.Read(ref _memoryLimit);

    private long CurrentVersion => TokenProjectionTable.CurrentSourceVersion(_embedding, _lstm);

    /// <summary>
    /// The table to use for an inference call that runs <paramref name="tokens"/> tokens (padding included), built now
    /// if the rules say so; null when the call should embed and project as usual.
    /// </summary>
    public TokenProjectionTable? TableFor(long tokens)
    {
        if (!Fits) return null;
        long version = CurrentVersion;
        if (Volatile.Read(ref _table) is { } current && current.SourceVersion == version) return current;
        lock (_gate)
        {
            if (!Fits) return null;
            version = CurrentVersion;
            var table = _table;
            if (table is not null && table.SourceVersion == version) return table;
            // Stale: let it go before a new one is built, so two never live at once.
            Volatile.Write(ref _table, null);
            if (_countedVersion != version)
            {
                _countedVersion = version;
                _tokensWithoutTable = 0;
            }
            _tokensWithoutTable += tokens;
            if (_tokensWithoutTable < BuildAfterTokens) return null;
            table = TokenProjectionTable.Build(_embedding, _lstm);
            BuildCount++;
            Volatile.Write(ref _table, table);
            return table;
        }
    }
}
