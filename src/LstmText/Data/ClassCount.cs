namespace LstmText.Data;

/// <summary>A class label and how many examples have it.</summary>
/// <param name="Name">The class label.</param>
/// <param name="Count">The number of examples with that label.</param>
public sealed record ClassCount(string Name, int Count);
