namespace LstmText.Tokenizers;

/// <summary>A tokenizer file or JSON document is malformed; the message names the file, line or field.</summary>
public sealed class TokenizerFormatException : FormatException
{
    /// <summary>Creates the exception with a message that names where the problem is.</summary>
    public TokenizerFormatException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message that names where the problem is and the error underneath.</summary>
    public TokenizerFormatException(string message, Exception inner) : base(message, inner)
    {
    }
}
