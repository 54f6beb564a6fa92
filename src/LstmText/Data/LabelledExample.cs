namespace LstmText.Data;

/// <summary>A text and its class label, as read from a data file.</summary>
/// <param name="Text">The text, as it is in the file.</param>
/// <param name="Label">The class label, without surrounding whitespace.</param>
/// <param name="Line">The 1-based physical line of the file where the row starts.</param>
public sealed record LabelledExample(string Text, string Label, long Line);
