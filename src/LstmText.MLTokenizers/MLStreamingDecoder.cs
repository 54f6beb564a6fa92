using System.Text;
using LstmText.Tokenizers;

namespace LstmText.MLTokenizers;

/// <summary>
/// Streams Microsoft.ML.Tokenizers' decoding one id at a time: it decodes the ids since the last complete text
/// together with a few ids before them, and emits what they add to the text of those few alone (so a SentencePiece
/// word keeps its leading space and WordPiece's <c>##</c> joins); it holds text back while it ends in an
/// unfinished UTF-8 character (U+FFFD).
/// </summary>
internal sealed class MLStreamingDecoder(MLTokenizer tokenizer, bool skipSpecialTokens) : IStreamingDecoder
{
    /// <summary>After this many held-back ids the text is released even if it still ends in U+FFFD.</summary>
    private const int MaxHeldIds = 8;

    /// <summary>How many ids already shown are decoded again before the new ones.</summary>
    private const int ContextIds = 8;

    private readonly List<int> pending = [];
    private readonly List<int> context = [];

    public string Append(int id)
    {
        if ((uint)id >= (uint)tokenizer.VocabularySize)
            throw new ArgumentOutOfRangeException(nameof(id), id, $"Token ids run from 0 to {tokenizer.VocabularySize - 1}.");
        if (skipSpecialTokens && tokenizer.IsSpecial(id)) return string.Empty;
        pending.Add(id);
        return Release(final: false);
    }

    public string Flush()
    {
        var text = Release(final: true);
        context.Clear();
        return text;
    }

    private string Release(bool final)
    {
        if (pending.Count == 0) return string.Empty;
        var prefix = tokenizer.DecodeKnown(context);
        var text = tokenizer.DecodeKnown([.. context, .. pending]);
        if (!final && text.EndsWith('\uFFFD') && pending.Count < MaxHeldIds) return string.Empty;
        var added = text.StartsWith(prefix, StringComparison.Ordinal) ? text[prefix.Length..] : text;
        context.AddRange(pending);
        if (context.Count > ContextIds) context.RemoveRange(0, context.Count - ContextIds);
        pending.Clear();
        return added;
    }
}
