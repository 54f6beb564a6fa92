using LstmText.IO;

namespace LstmText.Data;

/// <summary>Text to train on: a string, or files read through <see cref="TextCorpus"/>.</summary>
internal sealed class CorpusSource
{
    private readonly string? _text;
    private readonly TextCorpus? _corpus;

    private CorpusSource(string? text, TextCorpus? corpus) => (_text, _corpus) = (text, corpus);

    public static CorpusSource FromText(string text) => new(text ?? throw new ArgumentNullException(nameof(text)), null);

    public static CorpusSource FromCorpus(TextCorpus corpus) => new(null, corpus ?? throw new ArgumentNullException(nameof(corpus)));

    /// <summary>The text in chunks, for tokenizers and encoders that stream.</summary>
    public IEnumerable<string> Chunks() => _text is not null ? [_text] : _corpus!.ReadChunks();

    /// <summary>Where the text comes from, for messages.</summary>
    public string Description => _corpus is null ? "the training text" : _corpus.Files.Count == 0 ? "the corpus, which has no files," : string.Join(", ", _corpus.Files);
}
