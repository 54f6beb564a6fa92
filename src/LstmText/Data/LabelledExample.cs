namespace LstmText.Data;

/// <summary>A text and its class label, as read from a data file.</summary>
/// <param name="Text">The text, as it is in the file.</param>
/// <param name="Label">The class label, without surrounding whitespace.</param>
/// <param name="Line">The 1-based physical line of the file where the row starts.</param>
/// <param name="Source">The file (or stream name) the row was read from, when known.</param>
public sealed record LabelledExample(string Text, string Label, long Line, string? Source = null)
{
    /// <summary>Where the row is, for messages: <c>FILE:LINE</c> when the file is known, else <c>line LINE</c>.</summary>
    public string Location => Source is null ? $"line {Line}" : $"{Source}:{Line}";
}
