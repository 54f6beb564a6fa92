namespace LstmText.Tokenizers;

/// <summary>
/// Streams the text of word tokens and puts the spaces between them back: single spaces for whitespace
/// splitting, and the usual typographic rules for words and punctuation. It remembers whether a straight
/// double quote is open, so <c>"</c> hugs the words it encloses.
/// </summary>
internal sealed class WordStreamDecoder(WordTokenizer tokenizer, bool skipSpecialTokens) : IStreamingDecoder
{
    private const string NoSpaceBefore = ",.!?;:)]}%'\u2019\u201D\u00BB\u2026-/";
    private const string NoSpaceAfter = "([{\u201C\u00AB\u00BF\u00A1$#-/";

    private bool atLineStart = true;
    private bool previousWantsNoSpace;
    private bool quoteOpen;

    public string Append(int id)
    {
        var token = tokenizer.TokenOf(id);
        var options = tokenizer.Options;
        if (options.LineBreaksAsEndOfSequence && id == tokenizer.EndOfSequenceId)
        {
            atLineStart = true;
            previousWantsNoSpace = false;
            return "\n";
        }
        if (skipSpecialTokens && tokenizer.IsSpecial(id))
        {
            return string.Empty;
        }
        bool noSpaceBefore;
        bool noSpaceAfter;
        if ((options.Normalization & WordNormalization.Treebank) != 0 && !tokenizer.IsSpecial(id) &&
            token.Length > 1 && (token[0] == '\'' || token == "n't"))
        {
            noSpaceBefore = true; // a clitic split off its word: "does" "n't" reads "doesn't"
            noSpaceAfter = false;
        }
        else if (options.Splitting == WordSplitting.Whitespace || tokenizer.IsSpecial(id) || token.Length != 1)
        {
            noSpaceBefore = noSpaceAfter = false;
        }
        else if (token[0] == '"')
        {
            noSpaceBefore = quoteOpen;
            noSpaceAfter = !quoteOpen;
            quoteOpen = !quoteOpen;
        }
        else
        {
            noSpaceBefore = NoSpaceBefore.Contains(token[0]);
            noSpaceAfter = NoSpaceAfter.Contains(token[0]);
        }
        var separator = atLineStart || previousWantsNoSpace || noSpaceBefore ? string.Empty : " ";
        atLineStart = false;
        previousWantsNoSpace = noSpaceAfter;
        return separator + token;
    }

    public string Flush()
    {
        atLineStart = true;
        previousWantsNoSpace = false;
        quoteOpen = false;
        return string.Empty;
    }
}
