using System.Text;

namespace LstmText.IO;

/// <summary>How a <see cref="TextCorpus"/> decodes its files.</summary>
public sealed record CorpusReadOptions
{
    /// <summary>
    /// The files' encoding; <c>null</c> (the default) means UTF-8, with a UTF-8 byte order mark skipped and a
    /// UTF-16 byte order mark obeyed. <see cref="TextCorpus.EncodingNamed"/> finds Latin-1, Windows-1252 and the like.
    /// </summary>
    public Encoding? Encoding { get; init; }

    /// <summary>Whether invalid UTF-8 stops reading (the default) or becomes U+FFFD.</summary>
    public InvalidTextHandling InvalidBytes { get; init; } = InvalidTextHandling.Throw;
}
