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
        MaximumVocabulary.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is < 1) result.AddError("--max-vocab must be at least 1.");
        });
    }

    public void AddTo(Command command)
    {
        foreach (Option option in new Option[] { Splitting, LowerCase, LineBreaks, MinimumFrequency, MaximumVocabulary }) command.Options.Add(option);
    }

    /// <summary>The word tokenizer options the command line asks for.</summary>
    public WordTokenizerOptions Options(ParseResult parse) => new()
    {
        Splitting = parse.GetValue(Splitting) == "whitespace" ? WordSplitting.Whitespace : WordSplitting.WordsAndPunctuation,
        LowerCase = parse.GetValue(LowerCase),
        LineBreaksAsEndOfSequence = parse.GetValue(LineBreaks),
        MinimumFrequency = parse.GetValue(MinimumFrequency),
        MaximumVocabularySize = parse.GetValue(MaximumVocabulary) ?? int.MaxValue,
    };
}
