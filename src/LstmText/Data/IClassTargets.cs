namespace LstmText.Data;

/// <summary>A batch whose targets are class (or token) ids, one per output row.</summary>
internal interface IClassTargets
{
    /// <summary>The target id of each output row.</summary>
    ReadOnlySpan<int> Targets { get; }
}
