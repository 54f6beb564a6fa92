using System.Collections;

namespace LstmText.IO;

/// <summary>
/// The problems found while reading data, in the order they were found: readers add to it, the caller shows
/// them. Rows with problems are skipped, never silently: each one is here.
/// </summary>
public sealed class DataIssues : IReadOnlyList<DataIssue>
{
    private readonly List<DataIssue> issues = [];

    /// <summary>The number of issues.</summary>
    public int Count => issues.Count;

    /// <summary>The issue at <paramref name="index"/>.</summary>
    public DataIssue this[int index] => issues[index];

    /// <summary>Records a problem at a line of a file.</summary>
    public void Add(string file, long line, string message) => issues.Add(new DataIssue(file, line, message));

    /// <summary>Enumerates the issues in the order they were found.</summary>
    public IEnumerator<DataIssue> GetEnumerator() => issues.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
