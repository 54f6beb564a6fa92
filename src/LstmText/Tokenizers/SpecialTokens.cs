namespace LstmText.Tokenizers;

/// <summary>
/// The special tokens a tokenizer reserves: padding, unknown, begin and end of sequence, and any
/// user-defined ones. Tokenizers built from a corpus give them the first ids, in the order of <see cref="All"/>.
/// </summary>
public sealed class SpecialTokens
{
    /// <summary>Creates a set of special tokens; pass <c>null</c> for a role the tokenizer should not have.</summary>
    /// <param name="padding">The padding token, usually <c>&lt;pad&gt;</c>.</param>
    /// <param name="unknown">The token for text outside the vocabulary, usually <c>&lt;unk&gt;</c>.</param>
    /// <param name="beginOfSequence">The token that starts a sequence, usually <c>&lt;bos&gt;</c>.</param>
    /// <param name="endOfSequence">The token that ends a sequence, usually <c>&lt;eos&gt;</c>.</param>
    /// <param name="additional">User-defined special tokens, e.g. <c>&lt;sep&gt;</c> or <c>&lt;mask&gt;</c>.</param>
    public SpecialTokens(
        string? padding = "<pad>",
        string? unknown = "<unk>",
        string? beginOfSequence = "<bos>",
        string? endOfSequence = "<eos>",
        IEnumerable<string>? additional = null)
    {
        Padding = EmptyAsNull(padding);
        Unknown = EmptyAsNull(unknown);
        BeginOfSequence = EmptyAsNull(beginOfSequence);
        EndOfSequence = EmptyAsNull(endOfSequence);
        Additional = (additional ?? []).Select(token => EmptyAsNull(token)
            ?? throw new ArgumentException("A special token cannot be empty.", nameof(additional))).ToArray();

        var all = new List<string>();
        foreach (var token in new[] { Padding, Unknown, BeginOfSequence, EndOfSequence }.Concat(Additional))
        {
            if (token is not null && !all.Contains(token, StringComparer.Ordinal))
            {
                all.Add(token);
            }
        }
        All = all;
    }

    /// <summary><c>&lt;pad&gt;</c>, <c>&lt;unk&gt;</c>, <c>&lt;bos&gt;</c> and <c>&lt;eos&gt;</c>.</summary>
    public static SpecialTokens Default { get; } = new();

    /// <summary>No special tokens at all.</summary>
    public static SpecialTokens None { get; } = new(null, null, null, null);

    /// <summary>The padding token, or <c>null</c>.</summary>
    public string? Padding { get; }

    /// <summary>The token for text outside the vocabulary, or <c>null</c>.</summary>
    public string? Unknown { get; }

    /// <summary>The token that starts a sequence, or <c>null</c>.</summary>
    public string? BeginOfSequence { get; }

    /// <summary>The token that ends a sequence, or <c>null</c>.</summary>
    public string? EndOfSequence { get; }

    /// <summary>The user-defined special tokens.</summary>
    public IReadOnlyList<string> Additional { get; }

    /// <summary>Every special token once: padding, unknown, begin, end, then the additional ones.</summary>
    public IReadOnlyList<string> All { get; }

    private static string? EmptyAsNull(string? token) => string.IsNullOrEmpty(token) ? null : token;
}
