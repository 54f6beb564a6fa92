using System.CommandLine;
using LstmText.Tokenizers;

namespace LstmText.Cli;

/// <summary>
/// How <c>train</c> and <c>train-classifier</c> build a word-level tokenizer (<c>--tokenizer word</c>): splitting,
/// lower-casing, line breaks as <c>&lt;eos&gt;</c>, and the vocabulary's minimum word frequency and maximum size.
/// </summary>
internal sealed class WordTokenizerOptionSet
{
    public Option<string> Splitting { get; } = new("--word-splitting")
    {
        Description = "With --tokenizer word: words-and-punctuation, or whitespace for pre-tokenised corpora such as PTB.",
        DefaultValueFactory = _ => "words-and-punctuation",
    };

    public Option<bool> LowerCase { get; } = new("--lowercase") { Description = "With --tokenizer word: lower-case every word." };

    public Option<string> Normalize { get; } = new("--normalize")
    {
        Description = "With --tokenizer word: what reads alike, comma-separated: treebank (\"does n't\", -lrb-, `` read as plain text; clitics split), " +
            "social-media (urls, mentions, hashtags, emoticons, elongation), each of those alone, all, or none.",
        DefaultValueFactory = _ => "none",
    };

    public Option<bool> MarkAllCaps { get; } = new("--mark-all-caps") { Description = "With --tokenizer word: put <caps> before a word written in capitals (GREAT), so --lowercase keeps the emphasis." };

    public Option<bool> MarkHashtags { get; } = new("--mark-hashtags") { Description = "With --normalize hashtags: put <hashtag> before a hashtag's word." };

    public Option<bool> LineBreaks { get; } = new("--line-breaks-as-eos") { Description = "With --tokenizer word: each line break becomes the <eos> token (PTB's convention)." };

    public Option<int> MinimumFrequency { get; } = new("--min-frequency")
    {
        Description = "With --tokenizer word: a word needs this many occurrences to get its own id (rarer words become <unk>).",
        DefaultValueFactory = _ => 1,
    };

    public Option<int?> MaximumVocabulary { get; } = new("--max-vocab")
    {
        Description = "With --tokenizer word: keep only the most frequent words, special tokens included.",
    };

    public WordTokenizerOptionSet()
    {
        Splitting.AcceptOnlyFromAmong("words-and-punctuation", "whitespace");
        MinimumFrequency.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1) result.AddError("--min-frequency must be at least 1.");
        });
        Normalize.Validators.Add(result =>
        {
            try
            {
                ParseNormalization(result.GetValueOrDefault<string>());
            }
            catch (FormatException e)
            {
                result.AddError(e.Message);
            }
        });
        MaximumVocabulary.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is < 1) result.AddError("--max-vocab must be at least 1.");
        });
    }

    public void AddTo(Command command)
    {
        foreach (Option option in new Option[] { Splitting, LowerCase, Normalize, MarkAllCaps, MarkHashtags, LineBreaks, MinimumFrequency, MaximumVocabulary }) command.Options.Add(option);
    }

    /// <summary>The word tokenizer options the command line asks for.</summary>
    public WordTokenizerOptions Options(ParseResult parse) => new()
    {
        Splitting = parse.GetValue(Splitting) == "whitespace" ? WordSplitting.Whitespace : WordSplitting.WordsAndPunctuation,
        LowerCase = parse.GetValue(LowerCase),
        Normalization = ParseNormalization(parse.GetValue(Normalize)),
        MarkAllCaps = parse.GetValue(MarkAllCaps),
        MarkHashtags = parse.GetValue(MarkHashtags),
        LineBreaksAsEndOfSequence = parse.GetValue(LineBreaks),
        MinimumFrequency = parse.GetValue(MinimumFrequency),
        MaximumVocabularySize = parse.GetValue(MaximumVocabulary) ?? int.MaxValue,
    };

    /// <summary>Reads <c>treebank,social-media</c>; a name it does not know is a <see cref="FormatException"/> naming it.</summary>
    internal static WordNormalization ParseNormalization(string? text)
    {
        var normalization = WordNormalization.None;
        foreach (var name in (text ?? "none").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            normalization |= name.ToLowerInvariant() switch
            {
                "none" => WordNormalization.None,
                "all" => WordNormalization.All,
                "social-media" or "social" => WordNormalization.SocialMedia,
                "treebank" => WordNormalization.Treebank,
                "urls" => WordNormalization.Urls,
                "mentions" => WordNormalization.Mentions,
                "hashtags" => WordNormalization.Hashtags,
                "emoticons" => WordNormalization.Emoticons,
                "elongation" => WordNormalization.Elongation,
                _ => throw new FormatException(
                    $"--normalize: '{name}' is not one of treebank, social-media, urls, mentions, hashtags, emoticons, elongation, all, none."),
            };
        }
        return normalization;
    }
}
