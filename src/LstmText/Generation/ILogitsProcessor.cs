namespace LstmText.Generation;

/// <summary>
/// Changes one row of next-token logits before a token is chosen, for example to penalise repeats or keep only
/// the likeliest tokens. Processors compose: each sees the logits the previous one left. A masked-out token has
/// logit −∞.
/// </summary>
public interface ILogitsProcessor
{
    /// <summary>Adjusts <paramref name="logits"/> in place, given every token so far (prompt included).</summary>
    void Process(Span<float> logits, ReadOnlySpan<int> tokens);
}
