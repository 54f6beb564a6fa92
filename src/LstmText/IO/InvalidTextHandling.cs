namespace LstmText.IO;

/// <summary>What a <see cref="TextCorpus"/> does with bytes that are not valid in the file's encoding.</summary>
public enum InvalidTextHandling
{
    /// <summary>Stop with a <see cref="CorpusFormatException"/> that names the file and the byte offset.</summary>
    Throw,

    /// <summary>Replace each invalid sequence with U+FFFD and read on.</summary>
    Replace,
}
