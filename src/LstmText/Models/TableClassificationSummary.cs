using LstmText.IO;

namespace LstmText.Models;

/// <summary>How a table classification went, so far or in the end.</summary>
/// <param name="Rows">The rows read and written.</param>
/// <param name="Classified">The rows that got a label.</param>
/// <param name="Errors">The rows written with an error instead of a label.</param>
/// <param name="FirstErrors">The first errors (at most <see cref="TableClassification.ErrorsKept"/>), with their lines.</param>
public sealed record TableClassificationSummary(long Rows, long Classified, long Errors, IReadOnlyList<DataIssue> FirstErrors);
