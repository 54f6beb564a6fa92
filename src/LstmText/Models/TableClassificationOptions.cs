using LstmText.IO;

namespace LstmText.Models;

/// <summary>How <see cref="TableClassification"/> reads its input and feeds the classifier.</summary>
public sealed record TableClassificationOptions
{
    /// <summary>How the input table is read: format, delimiter, header, encoding.</summary>
    public TableReadOptions Input { get; init; } = new();

    /// <summary>The column to classify; <c>null</c> means the first column named text, review, sentence or message (any case).</summary>
    public TableColumn? TextColumn { get; init; }

    /// <summary>How many rows go to the classifier at once (64 by default); memory holds one batch.</summary>
    public int BatchSize { get; init; } = 64;
}
