using System.Globalization;

namespace LstmText.IO;

/// <summary>A column of a table, chosen by its header name or by its 0-based position.</summary>
public sealed record TableColumn
{
    /// <summary>The names a text column goes by when none is chosen, in order of preference.</summary>
    internal static readonly string[] DefaultTextColumns = ["text", "review", "sentence", "message"];

    private TableColumn(string? name, int index)
    {
        Name = name;
        Index = index;
    }

    /// <summary>The header name, or <c>null</c> when the column is chosen by position.</summary>
    public string? Name { get; }

    /// <summary>The 0-based position, or -1 when the column is chosen by name.</summary>
    public int Index { get; }

    /// <summary>The column with this header name, matched exactly first and then ignoring case.</summary>
    public static TableColumn Named(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new TableColumn(name, -1);
    }

    /// <summary>The column at this 0-based position.</summary>
    public static TableColumn AtIndex(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return new TableColumn(null, index);
    }

    /// <summary>
    /// Reads a command-line value: a whole number is a 0-based position, anything else a header name
    /// (so <c>--text-column 1</c> is the second column and <c>--text-column review</c> the column named review).
    /// </summary>
    public static TableColumn Parse(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? AtIndex(index) : Named(value);
    }

    /// <summary>The column as a message names it: <c>'review'</c> or <c>#2</c> (0-based).</summary>
    public override string ToString() => Name is null ? $"#{Index}" : $"'{Name}'";

    /// <summary>
    /// The position of this column among <paramref name="columns"/>: a name matched exactly first, then
    /// ignoring case; -1 when no column matches or the position is past the end.
    /// </summary>
    public int FindIn(IReadOnlyList<string> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (Name is null)
        {
            return Index < columns.Count ? Index : -1;
        }
        for (var i = 0; i < columns.Count; i++)
        {
            if (string.Equals(columns[i], Name, StringComparison.Ordinal))
            {
                return i;
            }
        }
        for (var i = 0; i < columns.Count; i++)
        {
            if (string.Equals(columns[i].Trim(), Name.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>
    /// The position of the first of <paramref name="candidates"/> (in their order) that names one of
    /// <paramref name="columns"/>, ignoring case; -1 when none does.
    /// </summary>
    internal static int FindFirstNamed(IReadOnlyList<string> columns, IReadOnlyList<string> candidates)
    {
        foreach (var candidate in candidates)
        {
            var index = Named(candidate).FindIn(columns);
            if (index >= 0)
            {
                return index;
            }
        }
        return -1;
    }

    /// <summary>Resolves <paramref name="chosen"/>, or else the first of <paramref name="defaults"/>, or throws a message that lists the columns.</summary>
    internal static int Resolve(TableColumn? chosen, IReadOnlyList<string> columns, IReadOnlyList<string> defaults, string role, string source)
    {
        var index = chosen is null ? FindFirstNamed(columns, defaults) : chosen.FindIn(columns);
        if (index >= 0)
        {
            return index;
        }
        var listed = columns.Count == 0 ? "(none)" : string.Join(", ", columns.Select(column => $"'{column}'"));
        var wanted = chosen is null
            ? $"no column is named {string.Join(", ", defaults.Take(defaults.Count - 1))} or {defaults[^1]} (any case), so choose the {role} column by name or 0-based index"
            : $"there is no {role} column {chosen}";
        throw new InvalidDataException($"{source}: {wanted}. The columns are: {listed}.");
    }
}
