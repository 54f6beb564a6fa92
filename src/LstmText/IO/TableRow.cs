using System.Text.Json.Nodes;

namespace LstmText.IO;

/// <summary>One row of a table as read, with every field it has.</summary>
public sealed class TableRow
{
    internal TableRow(long line, IReadOnlyList<string> fields, string? problem, JsonObject? jsonObject, string? jsonText = null)
    {
        JsonText = jsonText;
        Line = line;
        Fields = fields;
        Problem = problem;
        JsonObject = jsonObject;
    }

    /// <summary>The 1-based physical line where the row starts (a quoted multi-line field counts all its lines).</summary>
    public long Line { get; }

    /// <summary>
    /// The fields, one per column of <see cref="TableReader.Columns"/>. For JSON Lines, the values of those keys: a
    /// string as itself, another value as its JSON, a missing key or <c>null</c> as empty.
    /// </summary>
    public IReadOnlyList<string> Fields { get; }

    /// <summary>Why the row could not be read as a whole (a field never closed, a quote out of place, a wrong field count, a line that is not a JSON object); <c>null</c> when it could.</summary>
    public string? Problem { get; }

    /// <summary>The JSON object of a JSON Lines row, kept whole so that a writer can add to it.</summary>
    internal JsonObject? JsonObject { get; }

    /// <summary>The line of a JSON Lines row whose object cannot be written again (it holds a string that is not text), kept to be written as it was.</summary>
    internal string? JsonText { get; }
}
