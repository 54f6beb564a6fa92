namespace LstmText.IO;

/// <summary>One problem found in a data file: where it is and what is wrong. The row it names was skipped or marked.</summary>
/// <param name="File">The file, or the name given to a text reader (such as <c>&lt;stdin&gt;</c>).</param>
/// <param name="Line">The 1-based physical line where the row starts (a quoted multi-line field counts all its lines).</param>
/// <param name="Message">What is wrong, for a person to read.</param>
public sealed record DataIssue(string File, long Line, string Message)
{
    /// <summary>The issue as one line: <c>file:line: message</c>.</summary>
    public override string ToString() => $"{File}:{Line}: {Message}";
}
