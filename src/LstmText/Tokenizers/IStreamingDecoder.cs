namespace LstmText.Tokenizers;

/// <summary>
/// Turns ids into text one id at a time, for showing generated text as it is produced. It emits text
/// only once it is complete: a byte-level tokenizer holds back the bytes of an unfinished UTF-8
/// character, so the stream never shows a broken character. One decoder serves one stream; it is not
/// thread-safe, but a tokenizer can hand out any number of them.
/// </summary>
public interface IStreamingDecoder
{
    /// <summary>Adds one id and returns the text that became complete (often empty for byte-level tokens).</summary>
    string Append(int id);

    /// <summary>Ends the stream: returns what is held back, with any unfinished UTF-8 bytes as U+FFFD, and starts afresh.</summary>
    string Flush();
}
