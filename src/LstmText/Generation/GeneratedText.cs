namespace LstmText.Generation;

/// <summary>One generated continuation.</summary>
/// <param name="Text">The text after the prompt, cut before any stop string.</param>
/// <param name="TokenIds">The ids generated (a stop string's tokens included).</param>
/// <param name="LogProbability">The sum of log p of the generated tokens under the model (after the logits processors).</param>
/// <param name="FinishReason"><c>length</c> (max tokens), <c>stop</c> (a stop string) or <c>end</c> (the end-of-sequence token).</param>
public sealed record GeneratedText(string Text, IReadOnlyList<int> TokenIds, double LogProbability, string FinishReason);
