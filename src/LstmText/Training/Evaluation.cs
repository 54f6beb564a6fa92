namespace LstmText.Training;

/// <summary>How well a model predicts a text scored as one continuous sequence.</summary>
/// <param name="Loss">Mean −log p(xₜ | x₍&lt;ₜ₎) over positions 2..N, in nats per token.</param>
/// <param name="Tokens">Tokens in the text (N); N − 1 of them are scored.</param>
public sealed record Evaluation(double Loss, int Tokens)
{
    /// <summary>exp(loss).</summary>
    public double Perplexity => Math.Exp(Loss);

    /// <summary>loss / ln 2: bits per token (bits per character for a character model).</summary>
    public double BitsPerToken => Loss / Math.Log(2);
}
