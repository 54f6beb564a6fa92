namespace LstmText.Tokenizers;

/// <summary>
/// An immutable two-way map between tokens and ids 0..Count-1. Lookups by span allocate nothing,
/// and any number of threads may read it at once.
/// </summary>
public sealed class Vocabulary
{
    private readonly string[] tokens;
    private readonly Dictionary<string, int> ids;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> idsBySpan;

    /// <summary>Creates a vocabulary whose ids are the positions of <paramref name="tokensInIdOrder"/>.</summary>
    /// <exception cref="ArgumentException">A token is empty or appears twice.</exception>
    public Vocabulary(IEnumerable<string> tokensInIdOrder)
    {
        tokens = tokensInIdOrder.ToArray();
        ids = new Dictionary<string, int>(tokens.Length, StringComparer.Ordinal);
        for (var id = 0; id < tokens.Length; id++)
        {
            var token = tokens[id];
            if (string.IsNullOrEmpty(token))
            {
                throw new ArgumentException($"The token of id {id} is empty.", nameof(tokensInIdOrder));
            }
            if (!ids.TryAdd(token, id))
            {
                throw new ArgumentException(
                    $"The token \"{token}\" appears twice, at ids {ids[token]} and {id}.", nameof(tokensInIdOrder));
            }
        }
        idsBySpan = ids.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The number of tokens.</summary>
    public int Count => tokens.Length;

    /// <summary>The tokens in id order.</summary>
    public IReadOnlyList<string> Tokens => tokens;

    /// <summary>The token whose id is <paramref name="id"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The id is not in 0..Count-1.</exception>
    public string TokenOf(int id)
    {
        if ((uint)id >= (uint)tokens.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(id), id, $"Token ids run from 0 to {tokens.Length - 1}.");
        }
        return tokens[id];
    }

    /// <summary>Finds the id of a token without allocating.</summary>
    public bool TryGetId(ReadOnlySpan<char> token, out int id) => idsBySpan.TryGetValue(token, out id);

    /// <summary>Whether the vocabulary holds <paramref name="token"/>.</summary>
    public bool Contains(ReadOnlySpan<char> token) => idsBySpan.ContainsKey(token);

    /// <summary>A new vocabulary with the same ids plus <paramref name="newTokens"/> appended after them.</summary>
    public Vocabulary Append(IEnumerable<string> newTokens) => new(tokens.Concat(newTokens));
}
