namespace LstmText.Metrics;

/// <summary>How well a model predicts a text scored as one continuous sequence.</summary>
/// <param name="Loss">Mean −log p(xₜ | x₍&lt;ₜ₎) over positions 2..N, in nats per token.</param>
/// <param name="Tokens">Tokens in the text (N); N − 1 of them are scored.</param>
/// <param name="UnknownTokens">
/// Tokens of the text that the model's tokenizer does not know and maps to its unknown token; they are scored as that
/// token, so a text with many of them gets a perplexity that says little.
/// </param>
public sealed record Evaluation(double Loss, int Tokens, int UnknownTokens = 0)
{
    /// <summary>exp(loss).</summary>
    public double Perplexity => Math.Exp(Loss);

    /// <summary>loss / ln 2: bits per token (bits per character for a character model).</summary>
    public double BitsPerToken => Loss / Math.Log(2);
}
