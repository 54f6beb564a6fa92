namespace LstmText.Tokenizers;

/// <summary>
/// What a <see cref="WordTokenizer"/> that splits words and punctuation reads alike before it looks a word up, so that
/// the same text gives the same ids whether it was written by hand, tokenised for a treebank or posted on social
/// media. Flags combine; <see cref="None"/> reads the text as it is.
/// </summary>
[Flags]
public enum WordNormalization
{
    /// <summary>The words are looked up as they are.</summary>
    None = 0,

    /// <summary>
    /// Penn Treebank tokenisation and plain text read alike: clitics are split off as the treebank does
    /// (<c>doesn't</c> and <c>does n't</c> both give <c>does</c>, <c>n't</c>; <c>it's</c> and <c>it 's</c> give
    /// <c>it</c>, <c>'s</c>), <c>-lrb-</c>/<c>-rrb-</c> (and the square and curly kinds) are brackets, <c>``</c>,
    /// <c>''</c> and curly double quotes are <c>"</c>, and a curly apostrophe is a straight one.
    /// </summary>
    Treebank = 1,

    /// <summary>A web address (<c>http://…</c>, <c>https://…</c>, <c>www.…</c>) is the one token <c>&lt;url&gt;</c>.</summary>
    Urls = 2,

    /// <summary>An @mention (<c>@someone</c>) is the one token <c>&lt;user&gt;</c>.</summary>
    Mentions = 4,

    /// <summary>A #hashtag is its word (<c>#great</c> reads as <c>great</c>), marked first by <c>&lt;hashtag&gt;</c> with <see cref="WordTokenizerOptions.MarkHashtags"/>.</summary>
    Hashtags = 8,

    /// <summary>
    /// Emoticons are tokens of their own (<c>:)</c>, <c>:-(</c>, <c>:D</c>, <c>;)</c>, <c>&lt;3</c>, …), a nose left out
    /// (<c>:-)</c> reads as <c>:)</c>), instead of a colon and a bracket.
    /// </summary>
    Emoticons = 16,

    /// <summary>A letter repeated three or more times is kept twice: <c>sooo</c> and <c>soooooo</c> both read <c>soo</c>, <c>goood</c> reads <c>good</c>.</summary>
    Elongation = 32,

    /// <summary>Every mark of social-media text: <see cref="Urls"/>, <see cref="Mentions"/>, <see cref="Hashtags"/>, <see cref="Emoticons"/> and <see cref="Elongation"/>.</summary>
    SocialMedia = Urls | Mentions | Hashtags | Emoticons | Elongation,

    /// <summary><see cref="Treebank"/> and <see cref="SocialMedia"/>.</summary>
    All = Treebank | SocialMedia,
}
