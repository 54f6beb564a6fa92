namespace LstmText.Tokenizers;

/// <summary>
/// The result of growing a tokenizer's vocabulary for fine-tuning: the extended tokenizer, whose old ids
/// are unchanged, and the ids it added, all after the old ones, so a model appends as many embedding and
/// output rows.
/// </summary>
/// <param name="Tokenizer">The extended tokenizer.</param>
/// <param name="NewIds">The ids added, in increasing order; empty when the corpus brought nothing new.</param>
public sealed record VocabularyGrowth(ITokenizer Tokenizer, IReadOnlyList<int> NewIds);
